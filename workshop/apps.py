from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = "Workshops"

    def ready(self) -> None:
        from . import step_kinds  # noqa: F401  (registers the core step kinds)
        # Registers the core live topics: services announce them from any
        # process (a management command too), not only from one that serves pages.
        from . import regions  # noqa: F401
