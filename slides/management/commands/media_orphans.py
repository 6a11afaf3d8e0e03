"""List (or delete) stored media files that no deck, slide or step uses.

Deleting a deck, a template or a step deletes its files once the deletion
commits; this finds what a crash between the two, or a copy of the media
folder from elsewhere, left behind.
"""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from slides import services


class Command(BaseCommand):
    help = "Report media files (slides, decks, step images) that nothing refers to."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="Delete them too.")

    def handle(self, *args, delete: bool = False, **options) -> None:
        orphans = services.orphaned_files()
        for name in orphans:
            if delete:
                default_storage.delete(name)
            self.stdout.write(name)
        verb = "deleted" if delete else "found"
        self.stderr.write(f"{len(orphans)} orphaned file(s) {verb}.")
