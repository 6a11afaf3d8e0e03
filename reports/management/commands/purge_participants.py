from django.conf import settings
from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = (
        "Delete the participant data of sessions that ended more than RETENTION_DAYS ago, "
        "keeping their aggregated results. Run it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the sessions, change nothing."
        )

    def handle(self, dry_run=False, **options):
        days = settings.RETENTION_DAYS
        if dry_run:
            due = services.purge_due()
            for session in due:
                count = session.participants.count()
                self.stdout.write(f"would purge {session} ({count} participants)")
            self.stdout.write(f"{len(due)} sessions ended more than {days} days ago.")
            return
        done = services.purge_participants()
        for session, count in done:
            self.stdout.write(f"purged {session}: {count} participants")
        self.stdout.write(
            self.style.SUCCESS(f"{len(done)} sessions purged (retention: {days} days).")
        )
