"""The report's data, the session summary, and the retention purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workshop.models import Participant, WorkshopSession

from . import registry
from .models import SessionSummary

logger = logging.getLogger(__name__)


def pseudonyms(session: WorkshopSession) -> dict[int, str]:
    """participant id -> "P001", "P002"... in joining order: the same person
    gets the same pseudonym in every export of a session."""
    ids = session.participants.order_by("joined_at", "id").values_list("id", flat=True)
    return {pk: f"P{n:03d}" for n, pk in enumerate(ids, start=1)}


def summarise(session: WorkshopSession) -> dict[str, Any]:
    """Every registered summary section, computed from the live data now."""
    data: dict[str, Any] = {}
    for section in registry.summary_sections():
        data[section.key] = section.fn(session)
    return data


def report_data(session: WorkshopSession) -> tuple[dict[str, Any], SessionSummary | None]:
    """The summary the report shows: the stored one once the session's
    participants were purged (the live data is gone), else computed now."""
    stored = SessionSummary.objects.filter(session=session, purged_at__isnull=False).first()
    if stored is not None:
        return stored.data, stored
    return summarise(session), None


def purge_due(now: datetime | None = None) -> list[WorkshopSession]:
    """Ended sessions past the retention period whose participants remain."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)
    return list(
        WorkshopSession.objects.filter(
            status=WorkshopSession.Status.ENDED, ended_at__lt=cutoff
        ).exclude(summary__purged_at__isnull=False)
    )


@transaction.atomic
def purge_session(session: WorkshopSession, now: datetime | None = None) -> int:
    """Keep the session's aggregated results, then delete its participants and
    every app's personal data of it. Returns how many participants went.

    Locked, and summarised inside the same transaction: no answer can arrive
    between the summary and the deletion (the session has ended anyway).
    """
    now = now or timezone.now()
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    data = summarise(session)
    SessionSummary.objects.update_or_create(
        session=session, defaults={"data": data, "computed_at": now, "purged_at": now}
    )
    for hook in registry.PURGE_HOOKS:
        hook(session)
    _total, deleted = Participant.objects.filter(session=session).delete()
    return deleted.get(Participant._meta.label, 0)


def purge_participants(now: datetime | None = None) -> list[tuple[WorkshopSession, int]]:
    done = []
    for session in purge_due(now):
        done.append((session, purge_session(session, now)))
        logger.info("purged the participants of session %s", session.pk)
    return done
