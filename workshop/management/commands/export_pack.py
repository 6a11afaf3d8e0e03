from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshop.models import WorkshopTemplate
from workshop.packs import dump_pack, export_pack


class Command(BaseCommand):
    help = "Export a workshop template (by slug) as a content pack (YAML); '-' writes to stdout."

    def add_arguments(self, parser):
        parser.add_argument("template", help="The template's slug.")
        parser.add_argument("file")

    def handle(self, template, file, **options):
        found = WorkshopTemplate.objects.filter(slug=template).first()
        if found is None:
            slugs = ", ".join(WorkshopTemplate.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No template '{template}'. Templates: {slugs}.")
        text = dump_pack(export_pack(found))
        if file == "-":
            self.stdout.write(text, ending="")
            return
        Path(file).write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Exported '{found.slug}' to {file}."))
