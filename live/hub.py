"""The per-process hub between the channel layer and this process's sockets.

Consumers never talk to the channel layer themselves. The hub holds one layer
channel per process and joins each session's group once, however many sockets
of that session it serves. When a change is announced it renders each affected
region once per audience it serves locally, then writes the same text to every
socket of that audience.

Why: the stock in-memory layer sweeps every channel on every send (quadratic
in sockets) and silently drops messages past a channel's capacity; a layer
message per socket would make a 1,000-phone step change slow and lossy.

When the layer goes away (Redis stopped), the hub keeps its sockets: their
actions still reach the database and are acknowledged; only the news of
changes is lost meanwhile. It retries every second and, once the layer is
back, joins its groups again and sends every socket a fresh snapshot. Closing
the sockets instead sent a room of phones into growing reconnect backoffs that
outlasted the outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID, uuid4

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from workshop import step_kinds

from . import background, changes, presence, quiet_gc
from .audiences import PARTICIPANT, Audience, regions_of
from .regions import (
    RenderTarget,
    audience_group,
    fill_me,
    render_me_with_slots,
    render_regions,
    warm_up,
)

if TYPE_CHECKING:
    from workshop.models import Participant, WorkshopSession

    from .sockets import Socket

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A layer forgets a group membership after its group_expiry (a day by default
# on both stock layers); a workshop can run longer than that on one process.
# The hub re-joins its sessions' groups this often, which renews them.
GROUP_REFRESH_SECONDS = 60.0
# While the layer is away, how often the hub tries to join its groups again.
LAYER_RETRY_SECONDS = 1.0
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
        self.sockets: dict[int, dict[Audience, set[Socket]]] = defaultdict(lambda: defaultdict(set))
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        # (session id, topic) pending a coalesced render
        self._pending: set[tuple[int, str]] = set()
        # (session id, topic) -> seconds its last render and push took
        self._cost: dict[tuple[int, str], float] = {}
        self._running: set[asyncio.Task] = set()
        # Sessions whose group this process may not be in: a group_add failed,
        # or the layer went away (a restarted Redis has forgotten every group).
        self._unjoined: set[int] = set()
        self._rejoin_soon = asyncio.Event()
        self.collector = quiet_gc.QuietCollector()
        self.shared = SharedRenders()
        self.handed_over = HandedOver()
        self.instance = uuid4().hex[:12]

    # --- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        await database_sync_to_async(warm_up)()
        self.process_id = await database_sync_to_async(presence.register_process)()
        if self.layer is not None:
            self.channel_name = await self.layer.new_channel("hub.")
            self._tasks.append(asyncio.create_task(self._read_layer()))
            self._tasks.append(asyncio.create_task(self._keep_groups()))
        self._tasks.append(asyncio.create_task(self._beat()))
        self._tasks.append(asyncio.create_task(self.collector.run()))
        self._tasks.extend(asyncio.create_task(factory()) for factory in background.BACKGROUND)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    async def settle(self) -> None:
        """Wait until every change heard so far is rendered and pushed.

        A render runs on the database thread: a test must not end, and flush
        the database, while one still reads it.
        """
        while self._pending or self._running:
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            else:  # a coalesced render waits for its moment (Hub.delay_for)
                await asyncio.sleep(0.05)

    # --- membership ----------------------------------------------------------

    async def add(self, consumer: Socket, audience: Audience) -> None:
        async with self._lock:
            by_audience = self.sockets[audience.session_id]
            first_of_session = not by_audience
            by_audience[audience].add(consumer)
            if first_of_session and await self._join(audience.session_id):
                # A token taken while the group was being joined (hears()
                # was true already) may have missed a change: none holds.
                self.shared.drop(audience.session_id)

    async def remove(self, consumer: Socket, audience: Audience) -> None:
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
                self._unjoined.discard(audience.session_id)
                # Its changes are no longer heard here: nothing of it may be reused.
                self.shared.drop(audience.session_id)
                await self._leave(audience.session_id)

    async def _join(self, session_id: int) -> bool:
        """Join a session's group; on failure, remember to retry (within a second)."""
        if self.layer is None:
            return True
        try:
            await self.layer.group_add(changes.session_group(session_id), self.channel_name)
        except Exception as error:
            logger.warning("could not join the group of session %s: %r", session_id, error)
            self._unjoined.add(session_id)
            self.shared.drop(session_id)
            self._rejoin_soon.set()
            return False
        self._unjoined.discard(session_id)
        return True

    async def _leave(self, session_id: int) -> None:
        if self.layer is None:
            return
        try:
            await self.layer.group_discard(changes.session_group(session_id), self.channel_name)
        except Exception as error:  # the layer is away; its membership expires anyway
            logger.warning("could not leave the group of session %s: %r", session_id, error)

    # --- receiving changes ------------------------------------------------------

    async def _read_layer(self) -> None:
        assert self.layer is not None and self.channel_name is not None
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # The layer is away (Redis stopped or restarted). Changes announced
                # meanwhile are lost, and a restarted Redis has forgotten this
                # process's groups: rejoin them all, then resync their sockets.
                logger.warning("channel layer receive failed: %r; keeping the sockets", error)
                self._lost_layer()
                await asyncio.sleep(LAYER_RETRY_SECONDS)
                continue
            if message.get("type") == "hub.invalidate":
                self.invalidate(message["session"], message["topics"], message.get("participant"))

    def invalidate(self, session_id: int, topics: list[str], participant_id: int | None) -> None:
        if session_id not in self.sockets:
            return
        if participant_id is not None or _touches_participants(topics):
            # Before anything renders again: no phone may get what this change outdates.
            self.shared.drop(session_id)
        if participant_id is not None:
            self._spawn(self._refresh_participant(session_id, participant_id))
            return
        if "members" in topics:
            self._spawn(self._refresh_participant(session_id, None))
        if "all" in topics:
            topics = list(changes.TOPIC_REGIONS)
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
        delay = changes.TOPIC_DELAY_SECONDS.get(key[1], 0.0)
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
        wanted = changes.TOPIC_REGIONS.get(topic, [])
        kinds = {kind for (kind, _name) in wanted}
        audiences = [a for a in self.sockets.get(session_id, {}) if a.kind in kinds]
        if not audiences:
            return
        batches = [
            [a for a in audiences if a.kind == PARTICIPANT],
            [a for a in audiences if a.kind != PARTICIPANT],
        ]
        started = time.monotonic()
        self.collector.busy()
        try:
            for batch in batches:
                if not batch:
                    continue
                payloads = await database_sync_to_async(_render_for_audiences)(
                    session_id, batch, wanted
                )
                for audience, text in payloads.items():
                    text = within_send_limit(text, audience)
                    for consumer in list(self.sockets.get(session_id, {}).get(audience, ())):
                        await consumer.push_text(text)
        except Exception:
            logger.exception("rendering %s for session %s failed", topic, session_id)
        finally:
            self._cost[(session_id, topic)] = time.monotonic() - started
            self.collector.busy()

    async def _refresh_participant(self, session_id: int, participant_id: int | None) -> None:
        """Re-subscribe and resync one participant's sockets, or all (None)."""
        for consumer in [
            c
            for members in self.sockets.get(session_id, {}).values()
            for c in members
            if c.participant_id is not None
            and (participant_id is None or c.participant_id == participant_id)
        ]:
            await consumer.resync()

    # --- housekeeping ----------------------------------------------------------

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            try:
                await database_sync_to_async(presence.heartbeat)(self.process_id)
            except Exception:
                logger.exception("presence heartbeat failed")

    def _lost_layer(self) -> None:
        self._unjoined.update(self.sockets)
        for session_id in self.sockets:
            self.shared.drop(session_id)
        self._rejoin_soon.set()

    # --- snapshots ---------------------------------------------------------------

    def hears(self, session_id: int) -> bool:
        """Whether every change of the session reaches this process now."""
        return session_id in self.sockets and session_id not in self._unjoined

    def freshness(self, session_id: int) -> str:
        """A token a phone's page carries to its first socket connect: the same
        token then means nothing the page shows has changed meanwhile (no
        change for participants reached this hub, which heard them all), so
        the socket needs no snapshot. Taken before the page renders. Empty
        when this hub cannot tell."""
        if not self.hears(session_id):
            return ""
        return f"{self.instance}.{self.shared.generation(session_id)}"

    def freshness_before_reading(self, code: str) -> tuple[int | None, str]:
        """The session a join code named when a page was last handed over
        here, and its freshness now: for a page to take before it reads its
        participant, so that the token covers what it read. (None, "")
        for a code this hub has not served a page of."""
        session_id = self.handed_over.session_of(code)
        if session_id is None:
            return None, ""
        return session_id, self.freshness(session_id)

    def participant_regions(
        self, session: WorkshopSession, audience: Audience, participant: Participant
    ) -> list[dict[str, Any]]:
        """A participant's regions for a socket's snapshot (call on the
        database thread). The regions every phone of the audience sees alike
        come from one shared render; the personal ones (``me``) are rendered
        for this participant alone.

        Precondition for a snapshot: the socket is already in the hub, so a
        change that the shared render predates reaches it as a push, with a
        newer version that replaces it.
        """
        shared_names = [n for n in regions_of(PARTICIPANT) if n not in PERSONAL_REGIONS]
        # The stage may show the phone's own answer (a ranking: an order of
        # its own), the other regions never do: rendered apart, they stay
        # shared by the whole view even when the stage is not (after a
        # restart mid-ranking, the Questions panel was rendered per phone).
        stage = [n for n in shared_names if n in STEP_STATE_REGIONS]
        rest = [n for n in shared_names if n not in STEP_STATE_REGIONS]
        shared = [
            *self.shared_render(
                session,
                audience,
                participant,
                "regions",
                lambda: render_regions(session, audience, stage, participant),
                names=stage,
            ),
            *self.shared_render(
                session,
                audience,
                participant,
                "regions",
                lambda: render_regions(session, audience, rest, participant),
                names=rest,
            ),
        ]
        personal = [{"id": "me", "v": time.time_ns() // 1000}]
        personal[0]["html"] = self.me_region(session, audience, participant, personal[0]["v"])
        by_name = {region["id"]: region for region in [*shared, *personal]}
        return [by_name[name] for name in regions_of(PARTICIPANT) if name in by_name]

    def me_region(
        self,
        session: WorkshopSession,
        audience: Audience,
        participant: Participant,
        version: int,
        csrf_token: str | None = None,
    ) -> str:
        """A participant's own region (their nickname, their language form).
        It too is the same for everyone of a view but for the nickname and
        the version: rendered once per view with slots for them (per phone,
        it was 6 % of the server's time in a join storm of 2,000 and 8 % of
        a reconnect after a restart). ``csrf_token``: the phone's page puts
        its own in the form; a push has none (htmx sends the header)."""
        shared = self.shared_render(
            session,
            audience,
            participant,
            # The group too: a view of the stage may be shared across groups
            # (_render_key), the region shows the group's name.
            ("me", audience.group_id, csrf_token),
            lambda: render_me_with_slots(session, audience, participant, csrf_token),
            names=list(PERSONAL_REGIONS),  # nothing of the step: one per view
        )
        return fill_me(shared, participant, version)

    def shared_render(
        self,
        session: WorkshopSession,
        audience: Audience,
        participant: Participant,
        what: Hashable,
        render: Callable[[], T],
        names: list[str] | None = None,
    ) -> T:
        """``render()``, shared by every participant whose view of the session
        is this one's (same audience, same step state; see _snapshot_key),
        while this hub hears every change of the session (call on the
        database thread). ``what`` names the render: the socket's regions,
        the phone's page; ``names``: the regions it shows (all the shared
        ones unless told). What ``render`` gives must hold nothing of the
        participant beyond their view.
        """
        generation = self.shared.generation(session.pk)
        if names is None:
            names = [n for n in regions_of(PARTICIPANT) if n not in PERSONAL_REGIONS]
        view = _snapshot_key(session, audience, participant, names)
        if view is None or not self.hears(session.pk):
            return render()
        key = (what, tuple(names), view)
        found = self.shared.get(session.pk, key)
        if found is None:
            found = render()
            self.shared.put(session.pk, generation, key, found)
        return found

    async def _keep_groups(self) -> None:
        """Keep this process in the groups of the sessions it serves.

        Every GROUP_REFRESH_SECONDS it joins them again, which renews
        memberships a layer would otherwise expire (a day by default, and a
        workshop can outlast it). While some group could not be joined, it
        tries every LAYER_RETRY_SECONDS; each session it gets back into has
        its sockets resynced, since what changed meanwhile was never told.
        """
        while True:
            await self._wait_for_next_round()
            for session_id in list(self.sockets):
                if await self._rejoin(session_id):
                    logger.info("back in the group of session %s: resyncing", session_id)
                    self._spawn(self.resync_session(session_id))

    async def _rejoin(self, session_id: int) -> bool:
        """Join the session's group again; True if it had been lost."""
        async with self._lock:  # not while its last socket leaves
            if session_id not in self.sockets:
                return False
            was_unjoined = session_id in self._unjoined
            return await self._join(session_id) and was_unjoined

    async def _wait_for_next_round(self) -> None:
        self._unjoined &= set(self.sockets)  # sessions whose sockets all left meanwhile
        if self._unjoined:
            await asyncio.sleep(LAYER_RETRY_SECONDS)
            return
        self._rejoin_soon.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._rejoin_soon.wait(), GROUP_REFRESH_SECONDS)

    async def resync_session(self, session_id: int) -> None:
        """A fresh snapshot to every socket of a session on this process."""
        for consumer in [
            c for members in self.sockets.get(session_id, {}).values() for c in members
        ]:
            try:
                await consumer.resync()
            except Exception:  # that socket is closing: its disconnect cleans up
                logger.exception("could not resync a socket of session %s", session_id)


class SharedRenders:
    """What participants see, rendered once per view of a session and reused
    for every phone with that same view: the regions of a socket's snapshot,
    the shell of a phone's page.

    A join storm or a restart brings hundreds of phones within seconds, and
    nearly all of a group and language see the same stage. Entries are kept
    only while the hub hears every change of their session (``Hub.hears``);
    each change for participants drops them, and a render that started
    before a drop is not stored (the generation moved on). Used from the
    event loop (drops) and the database thread (gets and puts): hence a lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, dict[Hashable, Any]] = {}
        self._generation: dict[int, int] = defaultdict(int)

    def generation(self, session_id: int) -> int:
        with self._lock:
            return self._generation[session_id]

    def get(self, session_id: int, key: Hashable) -> Any:
        with self._lock:
            return self._entries.get(session_id, {}).get(key)

    def put(self, session_id: int, generation: int, key: Hashable, rendered: Any) -> None:
        with self._lock:
            if self._generation[session_id] == generation:
                self._entries.setdefault(session_id, {})[key] = rendered

    def drop(self, session_id: int) -> None:
        with self._lock:
            self._generation[session_id] += 1
            self._entries.pop(session_id, None)


class HandedOver:
    """Participants that a phone's page just read, kept for its socket.

    In a join storm every phone loads its page, then opens its socket, which
    read the same participant again (its session, step and group): a query
    and a trip to the database thread per phone, in the queue behind every
    other phone's. The page leaves the participant here with the freshness
    token it took before reading it (Hub.freshness_before_reading); the
    socket takes it if that token still holds, so no change for
    participants reached this hub since: what the page read is what the
    database holds. Otherwise, or on another process, the socket reads it
    itself.

    Each entry is taken once and lives KEEP_SECONDS at most (a phone without
    script never opens a socket). Used from the page's thread and the event
    loop: hence a lock.
    """

    KEEP_SECONDS = 30.0
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (join code, public id) -> (when, freshness token, participant), oldest first
        self._entries: OrderedDict[tuple[str, UUID], tuple[float, str, Participant]] = OrderedDict()
        # join code -> its session: codes are unique among live sessions
        self._sessions: dict[str, int] = {}

    def put(self, code: str, participant: Participant, fresh: str) -> None:
        now = time.monotonic()
        key = (code, participant.public_id)
        with self._lock:
            self._sessions[code] = participant.session_id
            if not fresh:  # the hub cannot tell whether it stays true
                return
            self._entries.pop(key, None)
            self._entries[key] = (now, fresh, participant)
            self._forget_old(now)

    def remember(self, code: str, session_id: int) -> None:
        """Which session a code names: told by every socket that opens."""
        with self._lock:
            self._sessions[code] = session_id

    def holds_any(self) -> bool:
        return bool(self._entries)

    def session_of(self, code: str) -> int | None:
        with self._lock:
            return self._sessions.get(code)

    def take(self, code: str, public_id: UUID, fresh_now: Callable[[int], str]):
        """The participant the page left, if nothing for participants changed
        since; ``fresh_now``: the hub's freshness token of a session now."""
        with self._lock:
            entry = self._entries.pop((code, public_id), None)
        if entry is None:
            return None
        when, fresh, participant = entry
        if time.monotonic() - when > self.KEEP_SECONDS:
            return None
        return participant if fresh_now(participant.session_id) == fresh else None

    def _forget_old(self, now: float) -> None:
        entries = self._entries
        while entries:
            when = next(iter(entries.values()))[0]
            if now - when <= self.KEEP_SECONDS and len(entries) <= self.MAX_ENTRIES:
                break
            entries.popitem(last=False)


# Participant regions that show the participant themselves: never shared.
PERSONAL_REGIONS = ("me",)
# Participant regions that may show the participant's state in the step (its
# answer): shared only by the phones whose state is the same (_snapshot_key).
STEP_STATE_REGIONS = ("stage",)


def _touches_participants(topics: list[str]) -> bool:
    if "all" in topics or "members" in topics:
        return True
    return any(
        kind == PARTICIPANT
        for topic in topics
        for (kind, _name) in changes.TOPIC_REGIONS.get(topic, ())
    )


def _snapshot_key(
    session: WorkshopSession, audience: Audience, participant: Participant, names: list[str]
) -> Hashable | None:
    """Participants with equal keys see the same shared regions; None: this
    participant's view cannot be shared (see StepKindSpec.participant_key)."""
    step = session.current_step
    kind = step_kinds.get(step.kind if step else "lobby")
    personal: Hashable = None
    if kind.participant_key is not None and any(n in STEP_STATE_REGIONS for n in names):
        group = audience_group(session, audience, participant)
        personal = kind.participant_key(RenderTarget(session, audience, step, group, participant))
        if personal is step_kinds.NOT_SHAREABLE:
            return None
    return (_render_key(session, audience, [(PARTICIPANT, n) for n in names]), personal)


def load_session(session_id: int):
    """The session with what every render reads."""
    from workshop.models import WorkshopSession

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
    return json.dumps({"t": "regions", "regions": regions, "now": server_now_ms()})


def _render_for_audiences(
    session_id: int, audiences: list[Audience], wanted: list[tuple[str, str]]
) -> dict[Audience, str]:
    """One render per audience (never per socket), serialised once; audiences
    sure to see the same thing share one render (see ``_render_key``)."""
    session = load_session(session_id)
    payloads: dict[Audience, str] = {}
    rendered: dict[object, str | None] = {}
    for audience in audiences:
        key = _render_key(session, audience, wanted)
        if key not in rendered:
            rendered[key] = _render_payload(session, audience, wanted)
        if rendered[key] is not None:
            payloads[audience] = rendered[key]
    return payloads


# Participant regions that show nothing of the participant's group unless the
# step's kind says it does (StepKindSpec.per_group) or they have none yet;
# apps add theirs (register_region(..., group_blind=True)).
from .audiences import GROUP_BLIND_PARTICIPANT_REGIONS  # noqa: E402


def _render_key(session, audience: Audience, wanted: list[tuple[str, str]]) -> object:
    """Participants of every group see the same stage of a quiz question or a
    content step: one render per language serves them all. The exercise shows
    each group its own cards, and a phone with no group may be asked to pick
    one: those keep a render of their own."""
    if audience.kind != PARTICIPANT or audience.group_id is None:
        return audience
    names = {name for (kind, name) in wanted if kind == PARTICIPANT}
    step = session.current_step
    if (
        not names <= GROUP_BLIND_PARTICIPANT_REGIONS
        or step_kinds.get(step.kind if step else "lobby").per_group
    ):
        return audience
    return (PARTICIPANT, audience.language)


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


def serving_hub() -> Hub | None:
    """This process's hub, for code on another thread (the phone's page asks
    it for its freshness token); None where no event loop serves sockets (a
    test client, a management command)."""
    hubs = list(_hubs.values())
    return hubs[0] if len(hubs) == 1 else None


def forget_hubs() -> None:
    """For tests: each test's event loop gets a fresh hub."""
    for hub in _hubs.values():
        for task in hub._tasks:
            task.cancel()
    _hubs.clear()
    _start_lock.clear()
    quiet_gc.give_back()  # the cancelled tasks may never run again


# What a screen does with a push that would pass the server's send limit.
RELOAD = json.dumps({"t": "reload"})


def within_send_limit(text: str, audience: Audience) -> str:
    """The text, or, when it would pass what the server sends in one message
    (daphne drops such a message with no more than a debug line), an error in
    the log and a short message that makes the screen load the page afresh
    over HTTP, where no such limit applies."""
    if len(text) * 4 <= settings.WEBSOCKET_MAX_SEND_BYTES:  # UTF-8: at most 4 bytes a character
        return text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= settings.WEBSOCKET_MAX_SEND_BYTES:
        return text
    logger.error(
        "a push of %d bytes to %s passes the %d-byte send limit: told to reload",
        size,
        audience.key,
        settings.WEBSOCKET_MAX_SEND_BYTES,
    )
    return RELOAD


def server_now_ms() -> int:
    """The server's clock, in every frame of regions: countdowns on screens
    whose clock is wrong follow the server's (static/js/live.js)."""
    return int(time.time() * 1000)


def payload(**message: Any) -> str:
    return json.dumps(message)
