from django.core.management.base import BaseCommand
from django.db import transaction

from sdgmap.loader import load_into_current_models


class Command(BaseCommand):
    help = "Load or refresh the 17 SDGs and their targets (idempotent)."

    def handle(self, **options):
        with transaction.atomic():
            counts = load_into_current_models()
        self.stdout.write(
            self.style.SUCCESS("Loaded {goals} SDGs and {targets} targets.".format(**counts))
        )
