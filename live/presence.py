"""Who is connected right now, across every server process.

Each open participant socket is a ``Connection`` row owned by a
``ServerProcess``. A process refreshes its heartbeat while it runs; rows of a
process whose heartbeat is stale (it crashed or was restarted) stop counting
and are swept away.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from django.db.models import Count
from django.utils import timezone

from workshop.models import Connection, Participant, ServerProcess, WorkshopSession
from workshop.prepared import PreparedInsert

HEARTBEAT_SECONDS = 10
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)


@dataclass
class ConnectedCounts:
    total: int = 0
    joined: int = 0
    by_group: dict[int | None, int] = field(default_factory=dict)

    def for_group(self, group_id: int | None) -> int:
        return self.by_group.get(group_id, 0)


def connected_counts(session: WorkshopSession) -> ConnectedCounts:
    """Distinct connected participants, in total and per group: one query for
    the connected, one for the joined, whatever the room size."""
    fresh = timezone.now() - STALE_AFTER
    rows = (
        Participant.objects.filter(
            session=session,
            connections__process__heartbeat_at__gte=fresh,
        )
        .values("group_id")
        .annotate(n=Count("id", distinct=True))
    )
    counts = ConnectedCounts(joined=session.participants.count())
    for row in rows:
        counts.by_group[row["group_id"]] = row["n"]
        counts.total += row["n"]
    return counts


def register_process() -> UUID:
    process = ServerProcess.objects.create(heartbeat_at=timezone.now())
    return process.pk


def heartbeat(process_id: UUID) -> None:
    """Refresh this process's heartbeat and sweep connections of dead ones."""
    now = timezone.now()
    updated = ServerProcess.objects.filter(pk=process_id).update(heartbeat_at=now)
    if not updated:  # swept by another process after a long pause: come back
        ServerProcess.objects.create(pk=process_id, heartbeat_at=now)
    ServerProcess.objects.filter(heartbeat_at__lt=now - STALE_AFTER).delete()


# Every socket that opens inserts one: a join storm's worth at once.
_INSERT_CONNECTION = PreparedInsert(Connection)


def add_connection(process_id: UUID, participant: Participant) -> int:
    connection = _INSERT_CONNECTION.create(
        process_id=process_id, session_id=participant.session_id, participant=participant
    )
    return connection.pk


def remove_connection(connection_id: int) -> None:
    Connection.objects.filter(pk=connection_id).delete()


def connected_participant_ids(
    session: WorkshopSession, among: Collection[int] | None = None
) -> set[int]:
    """Who is connected; with ``among``, only which of those (a page of a
    list needs 50 answers, not the whole room's)."""
    fresh = timezone.now() - STALE_AFTER
    participants = Participant.objects.filter(
        session=session, connections__process__heartbeat_at__gte=fresh
    )
    if among is not None:
        participants = participants.filter(pk__in=among)
    return set(participants.values_list("pk", flat=True))
