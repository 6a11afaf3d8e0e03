from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshop.models import WorkshopTemplate
from workshop.packs import PackError, import_pack, read_pack, with_lines


class Command(BaseCommand):
    help = "Import a workshop content pack (YAML). A bad pack changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace", action="store_true", help="Rebuild a template that exists already."
        )
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="Do nothing if the template exists (keeps edits made in the admin).",
        )

    def handle(self, file, replace=False, skip_existing=False, **options):
        try:
            data = read_pack(file)
            slug = (data.get("template") or {}).get("slug")
            if skip_existing and WorkshopTemplate.objects.filter(slug=slug).exists():
                self.stdout.write(f"Template '{slug}' is already loaded; kept as it is.")
                return
            template = import_pack(data, replace=replace)
        except PackError as error:
            try:
                errors = with_lines(error.errors, Path(file).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                errors = error.errors
            raise CommandError(
                f"The pack was not imported ({len(errors)} errors); nothing was changed:\n  "
                + "\n  ".join(errors)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported '{template.title}' with {template.steps.count()} steps.")
        )
