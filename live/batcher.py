"""Actions from many phones stored in batches, each acknowledged after its
batch commits (quiz answers, Q&A votes).

Database calls of a server process run on one thread (REALTIME.md: one
insert per answer made a 500-answer burst take about 1 s; one bulk insert
every 100 ms took 80-90 ms). So the socket handlers of one process hand their
items here: the first item of a quiet period opens a short window, every item
arriving within it joins the batch, and the batch is stored by one call of
the app's ``store`` function (a constant number of queries). Each phone still
gets its own outcome or refusal, only once the batch is committed.

``store`` takes the list of items and returns one outcome per item, in order:
a result, or an exception for that item alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 0.03
MAX_BATCH = 500


class Batcher:
    def __init__(self, store: Callable[[list], list], what: str) -> None:
        self._store = store
        self._what = what  # for the log: "answers", "votes"
        self._waiting: list[tuple[Any, asyncio.Future]] = []
        self._scheduled = False

    async def submit(self, item: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._waiting.append((item, future))
        if len(self._waiting) >= MAX_BATCH:
            self._flush_soon(loop, 0)
        elif not self._scheduled:
            self._flush_soon(loop, WINDOW_SECONDS)
        return await future

    def _flush_soon(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        self._scheduled = True
        loop.call_later(delay, lambda: loop.create_task(self._flush()))

    async def _flush(self) -> None:
        batch, self._waiting = self._waiting, []
        self._scheduled = False
        if not batch:
            return
        try:
            outcomes = await database_sync_to_async(self._store)([item for item, _f in batch])
        except Exception as error:  # nothing was stored: every phone resends later
            logger.exception("storing a batch of %s %s failed", len(batch), self._what)
            outcomes = [error] * len(batch)
        for (_item, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


class BatcherPerLoop:
    """One batcher per running event loop (one per server process)."""

    def __init__(self, store: Callable[[list], list], what: str) -> None:
        self._store = store
        self._what = what
        self._batchers: dict[asyncio.AbstractEventLoop, Batcher] = {}

    def get(self) -> Batcher:
        loop = asyncio.get_running_loop()
        batcher = self._batchers.get(loop)
        if batcher is None:
            for old in [other for other in self._batchers if other.is_closed()]:
                del self._batchers[old]
            batcher = self._batchers[loop] = Batcher(self._store, self._what)
        return batcher
