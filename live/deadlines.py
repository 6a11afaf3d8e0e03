"""The server's timers that close something timed (a question, the SDG
exercise) when its time runs out, whether or not anybody clicks.

An app registers a *kind* of deadline with two plain functions:
``expire(id)``, which closes the thing only if it is still open and past its
stored deadline (a conditional UPDATE: idempotent, so any number of processes
may call it at once and exactly one closes it and announces the change), and
``pending()``, every deadline still to come or overdue.

Every server process keeps one timer per pending deadline:

- when it starts, for every pending deadline in the database, so a deadline
  survives a restart;
- when a service announces a new or moved deadline (``announce``, after the
  commit): at once in the announcing process, and in every other process
  through the channel layer's ``deadlines`` group, which each process joins.

So the close does not depend on the process that handled the facilitator's
click staying up. A timer that is late, or a message that is lost, never lets
anything in late: the services refuse input past the stored deadline and every
view shows a thing past its deadline as closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from . import background
from .changes import _server_loop

logger = logging.getLogger(__name__)

# A timer that fires a little early (clocks, rounding) tries again this soon.
RETRY_SECONDS = 0.05
# The channel-layer group every process listens on for deadlines.
GROUP = "deadlines"
# Layers forget a membership after a while (a day by default): renewed this often.
GROUP_REFRESH_SECONDS = 60.0
# While the layer is away, how often to try to listen again.
LAYER_RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class DeadlineKind:
    expire: Callable[[int], bool]
    pending: Callable[[], list[tuple[int, datetime]]]


KINDS: dict[str, DeadlineKind] = {}


def register_deadlines(
    kind: str,
    *,
    expire: Callable[[int], bool],
    pending: Callable[[], list[tuple[int, datetime]]],
) -> None:
    """Have every server process close ``kind`` things at their deadlines."""
    KINDS[kind] = DeadlineKind(expire, pending)
    background.register_background(keep_deadlines)


Key = tuple[str, int]


class DeadlineKeeper:
    """One process's timers, on its event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # Timers run in the keeper's own context: one armed from a request's
        # thread would otherwise carry that thread's asgiref executor, and
        # database_sync_to_async refuses to run from it ("would deadlock").
        self.context = contextvars.copy_context()
        self.timers: dict[Key, asyncio.TimerHandle] = {}
        self.running: set[asyncio.Task] = set()

    def set(self, kind: str, thing_id: int, closes_at: datetime | None) -> None:
        """On the loop: (re)arm the timer; None disarms it."""
        key = (kind, thing_id)
        old = self.timers.pop(key, None)
        if old is not None:
            old.cancel()
        if closes_at is None or kind not in KINDS:
            return
        delay = max(0.0, (closes_at - timezone.now()).total_seconds())
        self.timers[key] = self._later(delay, key, closes_at)

    def _later(self, delay: float, key: Key, closes_at: datetime) -> asyncio.TimerHandle:
        return self.loop.call_later(delay, self._fire, key, closes_at, context=self.context)

    def _fire(self, key: Key, closes_at: datetime) -> None:
        self.timers.pop(key, None)
        if timezone.now() < closes_at:  # woke a hair early
            self.timers[key] = self._later(RETRY_SECONDS, key, closes_at)
            return
        task = self.loop.create_task(self._expire(key), context=self.context)
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    async def _expire(self, key: Key) -> None:
        kind, thing_id = key
        try:
            await database_sync_to_async(KINDS[kind].expire)(thing_id)
        except Exception:
            logger.exception("could not close %s %s at its deadline", kind, thing_id)

    async def arm_pending(self) -> None:
        """Arm a timer for every deadline in the database."""
        for kind, spec in list(KINDS.items()):
            for thing_id, closes_at in await database_sync_to_async(spec.pending)():
                self.set(kind, thing_id, closes_at)

    def heard(self, message: dict[str, Any]) -> None:
        """A deadline announced by some process (this one included)."""
        try:
            kind, thing_id, at = str(message["kind"]), int(message["id"]), message["at"]
            closes_at = None if at is None else datetime.fromtimestamp(float(at), tz=UTC)
        except (KeyError, TypeError, ValueError):
            logger.warning("ignored a malformed deadline message: %r", message)
            return
        self.set(kind, thing_id, closes_at)

    def stop(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()


_keepers: dict[asyncio.AbstractEventLoop, DeadlineKeeper] = {}


async def keep_deadlines() -> None:
    """The hub's background task: arm every pending deadline, then serve
    announcements (this process's and, through the layer, the others') until
    cancelled."""
    loop = asyncio.get_running_loop()
    keeper = DeadlineKeeper(loop)
    _keepers[loop] = keeper
    try:
        layer = get_channel_layer()
        if layer is None:
            await keeper.arm_pending()
            await asyncio.Event().wait()  # until the hub stops
        else:
            await _listen(layer, keeper)  # reads the database once in the group
    finally:
        keeper.stop()
        if _keepers.get(loop) is keeper:
            del _keepers[loop]


async def _listen(layer, keeper: DeadlineKeeper) -> None:
    """Hear every process's deadlines, while another task keeps this
    process in the group (so no receive is ever cut short)."""
    # The hub's prefix, not one of its own: the Redis layer reads every
    # channel of one prefix from one Redis list, with one reader at a time
    # per process. A second prefix made this reader hold the hub's turn, and
    # the hub heard nothing while it waited for deadlines.
    channel = await layer.new_channel("hub.")
    away = asyncio.Event()
    joining = asyncio.create_task(_stay_joined(layer, channel, keeper, away))
    try:
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("deadlines: channel layer away (%r); rejoining", error)
                away.set()
                await asyncio.sleep(LAYER_RETRY_SECONDS)
                continue
            if message.get("type") == "deadline.set":
                keeper.heard(message)
    finally:
        joining.cancel()


async def _stay_joined(layer, channel: str, keeper: DeadlineKeeper, away: asyncio.Event) -> None:
    """Join the group and renew the membership every GROUP_REFRESH_SECONDS.
    After the layer was away (a restarted Redis forgets every group), join
    again and read the database: what was announced meanwhile is lost.
    The first time too: joined first, no announcement falls in between."""
    lost = True
    while True:
        try:
            await layer.group_add(GROUP, channel)
        except Exception as error:
            logger.warning("deadlines: could not join the group (%r); retrying", error)
            lost = True
            await asyncio.sleep(LAYER_RETRY_SECONDS)
            continue
        if lost:
            try:
                await keeper.arm_pending()
            except Exception:
                logger.exception("deadlines: could not read the pending deadlines; retrying")
                await asyncio.sleep(LAYER_RETRY_SECONDS)
                continue
            lost = False
        away.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(away.wait(), GROUP_REFRESH_SECONDS)
        lost = lost or away.is_set()


def announce(kind: str, thing_id: int, closes_at: datetime | None) -> None:
    """From any thread, after the commit: every process (re)arms its timer
    for this deadline; None disarms it (paused, closed)."""
    _arm_here(kind, thing_id, closes_at)
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "deadline.set",
        "kind": kind,
        "id": thing_id,
        "at": None if closes_at is None else closes_at.timestamp(),
    }
    loop = _server_loop()
    if loop is not None:  # a server's database thread: never wait for the layer here
        loop.call_soon_threadsafe(_start_send, layer, message)
        return
    try:
        async_to_sync(layer.group_send)(GROUP, message)
    except Exception:
        logger.exception("could not announce a deadline of %s %s", kind, thing_id)


def _arm_here(kind: str, thing_id: int, closes_at: datetime | None) -> None:
    """This process's timer, at once: it does not wait for the layer (nor
    depend on it). Without a serving event loop (a management command, a
    test client) nothing is armed."""
    for loop, keeper in list(_keepers.items()):
        try:
            loop.call_soon_threadsafe(keeper.set, kind, thing_id, closes_at, context=keeper.context)
        except RuntimeError:  # that loop has closed (a test's, a stopped server's)
            _keepers.pop(loop, None)


_sending: set[asyncio.Task] = set()


def _start_send(layer, message: dict[str, Any]) -> None:
    task = asyncio.get_running_loop().create_task(layer.group_send(GROUP, message))
    _sending.add(task)
    task.add_done_callback(_sent)


def _sent(done: asyncio.Task) -> None:
    _sending.discard(done)
    if not done.cancelled() and done.exception() is not None:
        # Every process still closes it: the announcer armed its own timer,
        # and the stored deadline holds everywhere.
        logger.error("could not announce a deadline: %r", done.exception())
