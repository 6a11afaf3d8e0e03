"""What stays of a session once its participants are purged."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workshop.models import WorkshopSession


class SessionSummary(models.Model):
    """Aggregated results of a session, one JSON section per app.

    Computed from the live data just before participant data is purged, so
    the workshop report still shows counts, quiz results and the SDG map
    afterwards. It holds no nickname and nothing that points to a person.
    """

    session = models.OneToOneField(
        WorkshopSession, on_delete=models.CASCADE, related_name="summary"
    )
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("session summary")
        verbose_name_plural = _("session summaries")

    def __str__(self) -> str:
        return f"Summary of {self.session}"
