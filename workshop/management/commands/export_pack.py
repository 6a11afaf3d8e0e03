from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshop.models import WorkshopTemplate
from workshop.packs import dump_pack, export_files, export_pack, write_archive


class Command(BaseCommand):
    help = (
        "Export a workshop template (by slug) as a content pack: YAML, or a .zip archive "
        "of the YAML with its decks and images; '-' writes YAML to stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("template", help="The template's slug.")
        parser.add_argument("file", help="A .yaml file, a .zip archive, or '-'.")

    def handle(self, template, file, **options):
        found = WorkshopTemplate.objects.filter(slug=template).first()
        if found is None:
            slugs = ", ".join(WorkshopTemplate.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No template '{template}'. Templates: {slugs}.")
        text = dump_pack(export_pack(found))
        files = export_files(found)
        if file.endswith(".zip"):
            Path(file).write_bytes(write_archive(text, files))
            self.stdout.write(
                self.style.SUCCESS(f"Exported '{found.slug}' with {len(files)} files to {file}.")
            )
            return
        if files:
            # A YAML file alone would name files nobody could import.
            raise CommandError(
                f"'{found.slug}' has {len(files)} slide decks or images: "
                "export it to a .zip archive, which carries them."
            )
        if file == "-":
            self.stdout.write(text, ending="")
            return
        Path(file).write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Exported '{found.slug}' to {file}."))
