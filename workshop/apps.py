from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = "Workshops"

    def ready(self) -> None:
        # The core step kinds, and the core live topics: services announce those
        # from any process (a management command too), not only one serving pages.
        from . import regions, step_kinds  # noqa: F401
