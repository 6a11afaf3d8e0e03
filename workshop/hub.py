"""The per-process hub between the channel layer and this process's sockets.

Consumers never talk to the channel layer themselves. The hub holds one layer
channel per process and joins each session's group once, however many sockets
of that session it serves. When a change is announced it renders each affected
region once per audience it serves locally, then writes the same text to every
socket of that audience.

Why: the stock in-memory layer sweeps every channel on every send (quadratic
in sockets) and silently drops messages past a channel's capacity; a layer
message per socket would make a 1,000-phone step change slow and lossy.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import live, presence
from .regions import PARTICIPANT, Audience, render_regions

if TYPE_CHECKING:
    from .consumers import LiveConsumer

logger = logging.getLogger(__name__)

# A layer forgets a group membership after its group_expiry (a day by default
# on both stock layers); a workshop can run longer than that on one process.
# The hub re-joins its sessions' groups this often, which renews them.
GROUP_REFRESH_SECONDS = 60.0
# Coalesced topics wait at least COST_FACTOR times their last render's cost,
# at most MAX_COALESCE_SECONDS (see Hub.delay_for).
COST_FACTOR = 3.0
MAX_COALESCE_SECONDS = 2.0


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel_name: str | None = None
        self.process_id: UUID | None = None
        # session id -> audience -> sockets of this process
        self.sockets: dict[int, dict[Audience, set[LiveConsumer]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        # (session id, topic) pending a coalesced render
        self._pending: set[tuple[int, str]] = set()
        # (session id, topic) -> seconds its last render and push took
        self._cost: dict[tuple[int, str], float] = {}
        self._running: set[asyncio.Task] = set()

    # --- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        self.process_id = await database_sync_to_async(presence.register_process)()
        if self.layer is not None:
            self.channel_name = await self.layer.new_channel("hub.")
            self._tasks.append(asyncio.create_task(self._read_layer()))
            self._tasks.append(asyncio.create_task(self._refresh_groups()))
        self._tasks.append(asyncio.create_task(self._beat()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    # --- membership ----------------------------------------------------------

    async def add(self, consumer: LiveConsumer, audience: Audience) -> None:
        async with self._lock:
            by_audience = self.sockets[audience.session_id]
            if not by_audience and self.layer is not None:
                await self.layer.group_add(
                    live.session_group(audience.session_id), self.channel_name
                )
            by_audience[audience].add(consumer)

    async def remove(self, consumer: LiveConsumer, audience: Audience) -> None:
        async with self._lock:
            by_audience = self.sockets.get(audience.session_id)
            if by_audience is None:
                return
            members = by_audience.get(audience)
            if members is not None:
                members.discard(consumer)
                if not members:
                    del by_audience[audience]
            if not by_audience:
                del self.sockets[audience.session_id]
                if self.layer is not None:
                    await self.layer.group_discard(
                        live.session_group(audience.session_id), self.channel_name
                    )

    # --- receiving changes ------------------------------------------------------

    async def _read_layer(self) -> None:
        assert self.layer is not None and self.channel_name is not None
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The layer is gone (Redis restarted): close every socket so the
                # clients reconnect, re-subscribe and resync from a snapshot.
                logger.exception("channel layer receive failed; closing local sockets")
                await self._close_all(code=1011)
                await asyncio.sleep(1)
                continue
            if message.get("type") == "hub.invalidate":
                self.invalidate(message["session"], message["topics"], message.get("participant"))

    def invalidate(self, session_id: int, topics: list[str], participant_id: int | None) -> None:
        if session_id not in self.sockets:
            return
        if participant_id is not None:
            self._spawn(self._refresh_participant(session_id, participant_id))
            return
        if "members" in topics:
            self._spawn(self._refresh_participant(session_id, None))
        if "all" in topics:
            topics = list(live.TOPIC_REGIONS)
        for topic in topics:
            key = (session_id, topic)
            if key in self._pending:
                continue  # a render is already scheduled and will include this change
            self._pending.add(key)
            asyncio.get_running_loop().call_later(self.delay_for(key), self._start_render, key)

    def delay_for(self, key: tuple[int, str]) -> float:
        """How long to gather changes of a topic before rendering it.

        Coalesced topics (delay > 0) also wait in proportion to what their last
        render cost, so a costly region (the control view's room list with
        1,000 members) never takes more than about a quarter of the database
        thread, whatever the rate of changes. Topics without a delay (a step
        change) are never held back.
        """
        delay = live.TOPIC_DELAY_SECONDS.get(key[1], 0.0)
        if delay <= 0:
            return 0.0
        return max(delay, min(MAX_COALESCE_SECONDS, COST_FACTOR * self._cost.get(key, 0.0)))

    def _spawn(self, coroutine) -> asyncio.Task:
        # Keep a reference: the loop holds tasks weakly, an unreferenced one may vanish.
        task = asyncio.create_task(coroutine)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    def _start_render(self, key: tuple[int, str]) -> None:
        # Cleared before rendering: a change during the render schedules another.
        self._pending.discard(key)
        self._spawn(self._render_and_push(*key))

    async def _render_and_push(self, session_id: int, topic: str) -> None:
        """Render each audience once and write it to its sockets at once.

        Participants first, all their audiences (group x language) in one trip
        to the database thread: they are the many, and their regions are the
        cheapest. Then the projector and the control views.
        """
        wanted = live.TOPIC_REGIONS.get(topic, [])
        kinds = {kind for (kind, _name) in wanted}
        audiences = [a for a in self.sockets.get(session_id, {}) if a.kind in kinds]
        if not audiences:
            return
        batches = [
            [a for a in audiences if a.kind == PARTICIPANT],
            [a for a in audiences if a.kind != PARTICIPANT],
        ]
        started = time.monotonic()
        try:
            for batch in batches:
                if not batch:
                    continue
                payloads = await database_sync_to_async(_render_for_audiences)(
                    session_id, batch, wanted
                )
                for audience, text in payloads.items():
                    for consumer in list(self.sockets.get(session_id, {}).get(audience, ())):
                        await consumer.push_text(text)
        except Exception:
            logger.exception("rendering %s for session %s failed", topic, session_id)
        finally:
            self._cost[(session_id, topic)] = time.monotonic() - started

    async def _refresh_participant(self, session_id: int, participant_id: int | None) -> None:
        """Re-subscribe and resync one participant's sockets, or all (None)."""
        for consumer in [
            c
            for members in self.sockets.get(session_id, {}).values()
            for c in members
            if c.participant_id is not None
            and (participant_id is None or c.participant_id == participant_id)
        ]:
            await consumer.resubscribe()

    # --- housekeeping ----------------------------------------------------------

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            try:
                await database_sync_to_async(presence.heartbeat)(self.process_id)
            except Exception:
                logger.exception("presence heartbeat failed")

    async def _refresh_groups(self) -> None:
        assert self.layer is not None
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            for session_id in list(self.sockets):
                try:
                    await self.layer.group_add(live.session_group(session_id), self.channel_name)
                except Exception:  # Redis away: the read loop closes the sockets
                    logger.warning("could not renew the group of session %s", session_id)

    async def _close_all(self, code: int) -> None:
        async with self._lock:
            consumers = [c for s in self.sockets.values() for m in s.values() for c in m]
            self.sockets.clear()
        for consumer in consumers:
            await consumer.close(code=code)


def _load_session(session_id: int):
    from .models import WorkshopSession

    return (
        WorkshopSession.objects.select_related("current_step", "template")
        .prefetch_related("groups")
        .get(pk=session_id)
    )


def _render_payload(session, audience: Audience, wanted: list[tuple[str, str]]) -> str | None:
    """One audience's regions of a topic, serialised once for all its sockets."""
    names = [name for (kind, name) in wanted if kind == audience.kind]
    if not names:
        return None
    regions = render_regions(session, audience, names)
    return json.dumps({"t": "regions", "regions": regions})


def _render_for_audiences(
    session_id: int, audiences: list[Audience], wanted: list[tuple[str, str]]
) -> dict[Audience, str]:
    """One render per audience (never per socket), serialised once."""
    session = _load_session(session_id)
    payloads: dict[Audience, str] = {}
    for audience in audiences:
        text = _render_payload(session, audience, wanted)
        if text is not None:
            payloads[audience] = text
    return payloads


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}
_start_lock: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


async def get_hub() -> Hub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is not None:
        return hub
    lock = _start_lock.setdefault(loop, asyncio.Lock())
    async with lock:
        if loop not in _hubs:
            hub = Hub()
            await hub.start()
            _hubs[loop] = hub
    return _hubs[loop]


def forget_hubs() -> None:
    """For tests: each test's event loop gets a fresh hub."""
    for hub in _hubs.values():
        for task in hub._tasks:
            task.cancel()
    _hubs.clear()
    _start_lock.clear()


def payload(**message: Any) -> str:
    return json.dumps(message)
