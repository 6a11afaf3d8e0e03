from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshop.models import WorkshopTemplate
from workshop.packs import (
    PackError,
    import_pack,
    is_archive,
    read_archive,
    read_pack,
    read_pack_text,
    with_lines,
)


class Command(BaseCommand):
    help = (
        "Import a workshop content pack: a YAML file, or a .zip archive of the YAML with "
        "its decks and images. A bad pack changes nothing."
    )

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
        text, files = None, {}
        try:
            if is_archive(file):
                text, files = read_archive(file)
                data = read_pack_text(text, file)
            else:
                data = read_pack(file)
            slug = (data.get("template") or {}).get("slug")
            if skip_existing and WorkshopTemplate.objects.filter(slug=slug).exists():
                self.stdout.write(f"Template '{slug}' is already loaded; kept as it is.")
                return
            template = import_pack(data, replace=replace, files=files)
        except PackError as error:
            try:
                text = text if text is not None else Path(file).read_text(encoding="utf-8")
                errors = with_lines(error.errors, text)
            except (OSError, UnicodeDecodeError):
                errors = error.errors
            raise CommandError(
                f"The pack was not imported ({len(errors)} errors); nothing was changed:\n  "
                + "\n  ".join(errors)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported '{template.title}' with {template.steps.count()} steps.")
        )
