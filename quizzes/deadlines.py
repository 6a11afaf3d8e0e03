"""The server's timers that close a question when its countdown runs out,
whether or not anybody clicks.

Each server process keeps one timer per open run with a running countdown:
those it started or changed itself (``schedule``, called after the commit by
the services) and, when it starts, every such run in the database, so a
deadline survives a restart. Firing calls ``services.expire_question``,
which closes the run only if it is still open and past its deadline: a
deadline moved by "add 30 s" or a pause, or closed by another process
meanwhile, is left alone. Answers never depend on these timers: the service
refuses any answer past the stored deadline, and every view shows a run past
its deadline as closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import datetime

from channels.db import database_sync_to_async
from django.utils import timezone

logger = logging.getLogger(__name__)

# A timer that fires a little early (clocks, rounding) tries again this soon.
RETRY_SECONDS = 0.05


class DeadlineKeeper:
    """One process's timers, on its event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # Timers run in the keeper's own context: one armed from a request's
        # thread would otherwise carry that thread's asgiref executor, and
        # database_sync_to_async refuses to run from it ("would deadlock").
        self.context = contextvars.copy_context()
        self.timers: dict[int, asyncio.TimerHandle] = {}
        self.running: set[asyncio.Task] = set()

    def set(self, run_id: int, closes_at: datetime | None) -> None:
        """On the loop: (re)arm the run's timer; None disarms it."""
        old = self.timers.pop(run_id, None)
        if old is not None:
            old.cancel()
        if closes_at is None:
            return
        delay = max(0.0, (closes_at - timezone.now()).total_seconds())
        self.timers[run_id] = self._later(delay, run_id, closes_at)

    def _later(self, delay: float, run_id: int, closes_at: datetime) -> asyncio.TimerHandle:
        return self.loop.call_later(delay, self._fire, run_id, closes_at, context=self.context)

    def _fire(self, run_id: int, closes_at: datetime) -> None:
        self.timers.pop(run_id, None)
        if timezone.now() < closes_at:  # woke a hair early
            self.timers[run_id] = self._later(RETRY_SECONDS, run_id, closes_at)
            return
        task = self.loop.create_task(self._expire(run_id), context=self.context)
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    async def _expire(self, run_id: int) -> None:
        from . import services

        try:
            await database_sync_to_async(services.expire_question)(run_id)
        except Exception:
            logger.exception("could not close question run %s at its deadline", run_id)

    def stop(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()


_keepers: dict[asyncio.AbstractEventLoop, DeadlineKeeper] = {}


async def keep_deadlines() -> None:
    """The hub's background task (live.register_background): arm a timer for
    every pending deadline, then serve ``schedule`` until cancelled."""
    from . import services

    loop = asyncio.get_running_loop()
    keeper = DeadlineKeeper(loop)
    _keepers[loop] = keeper
    try:
        for run_id, closes_at in await database_sync_to_async(services.pending_deadlines)():
            keeper.set(run_id, closes_at)
        await asyncio.Event().wait()  # until the hub stops
    finally:
        keeper.stop()
        if _keepers.get(loop) is keeper:
            del _keepers[loop]


def schedule(run_id: int, closes_at: datetime | None) -> None:
    """From any thread: have this process close the run at ``closes_at``
    (None: not any more). Without a serving event loop (a management
    command, a test client) nothing is armed; a server's start-up sweep or
    the stored deadline covers it."""
    for loop, keeper in list(_keepers.items()):
        try:
            loop.call_soon_threadsafe(keeper.set, run_id, closes_at, context=keeper.context)
        except RuntimeError:  # that loop has closed (a test's, a stopped server's)
            _keepers.pop(loop, None)
