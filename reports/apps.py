from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and privacy")

    def ready(self) -> None:
        from . import sections  # noqa: F401  (registers the core's sections and exports)
