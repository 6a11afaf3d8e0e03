"""The report's data, the session summary, and the retention purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
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


# Set in a session's kept summary when the purge ended it, unattended.
ENDED_UNATTENDED = "ended_unattended"


def end_unattended(now: datetime | None = None) -> list[WorkshopSession]:
    """Sessions left in draft or live longer than the retention period after
    their last activity (made, started, or the last participant joined):
    ended as of that activity, so that the purge takes them too."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)
    last_join = Max("participants__joined_at")
    sessions = (
        WorkshopSession.objects.exclude(status=WorkshopSession.Status.ENDED)
        .annotate(
            last_activity=Greatest(
                "created_at",
                Coalesce("started_at", "created_at"),
                Coalesce(last_join, "created_at"),
            )
        )
        .filter(last_activity__lt=cutoff)
    )
    ended = []
    for session in sessions:
        with transaction.atomic():
            WorkshopSession.objects.filter(pk=session.pk).update(
                status=WorkshopSession.Status.ENDED, ended_at=session.last_activity
            )
            SessionSummary.objects.update_or_create(
                session=session,
                defaults={"data": {ENDED_UNATTENDED: True}, "computed_at": now or timezone.now()},
            )
        ended.append(session)
        logger.info("ended session %s, unattended since %s", session.pk, session.last_activity)
    return ended


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
    if SessionSummary.objects.filter(session=session, data__has_key=ENDED_UNATTENDED).exists():
        data[ENDED_UNATTENDED] = True
    SessionSummary.objects.update_or_create(
        session=session, defaults={"data": data, "computed_at": now, "purged_at": now}
    )
    for hook in registry.PURGE_HOOKS:
        hook(session)
    _total, deleted = Participant.objects.filter(session=session).delete()
    return deleted.get(Participant._meta.label, 0)


def purge_participants(now: datetime | None = None) -> list[tuple[WorkshopSession, int]]:
    """End the unattended sessions, then purge every session that is due."""
    end_unattended(now)
    done = []
    for session in purge_due(now):
        done.append((session, purge_session(session, now)))
        logger.info("purged the participants of session %s", session.pk)
    return done
