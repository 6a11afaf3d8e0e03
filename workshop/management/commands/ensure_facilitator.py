import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a facilitator account if there is none, and say how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="facilitator")

    def handle(self, username, **options):
        User = get_user_model()
        if User.objects.filter(is_staff=True).exists():
            self.stdout.write("Facilitator accounts exist. Sign in at /facilitate/ with yours.")
            return
        password = secrets.token_urlsafe(9)
        User.objects.create_superuser(username=username, password=password, email="")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the facilitator '{username}' with the password '{password}'.\n"
                "Sign in at /facilitate/ (change the password in the admin)."
            )
        )
