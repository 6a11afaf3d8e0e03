from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = "Workshops"

    def ready(self) -> None:
        # The core step kinds: every process renders steps, a management command too.
        from . import step_kinds  # noqa: F401
