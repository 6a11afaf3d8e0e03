"""Votes from many phones stored in batches, each acknowledged after its
batch commits (the pattern of quizzes/batcher.py, for answers).

A room upvotes in bursts, and database calls of a server process run on
one thread: one transaction per vote made 500 votes wait on 500 commits. The
first vote of a quiet period opens a short window; every vote arriving
within it joins the batch, stored in one transaction (services.cast_votes).
Each phone still gets its own acknowledgement or refusal, once committed.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async

from . import services
from .services import VoteIn

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 0.03
MAX_BATCH = 500


class VoteBatcher:
    def __init__(self) -> None:
        self._waiting: list[tuple[VoteIn, asyncio.Future]] = []
        self._scheduled = False

    async def submit(self, item: VoteIn) -> dict:
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
            outcomes = await database_sync_to_async(services.cast_votes)(
                [item for item, _future in batch]
            )
        except Exception as error:  # nothing was stored: every phone resends later
            logger.exception("storing a batch of %s votes failed", len(batch))
            outcomes = [error] * len(batch)
        for (_item, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


_batchers: dict[asyncio.AbstractEventLoop, VoteBatcher] = {}


def get_batcher() -> VoteBatcher:
    """The batcher of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        for old in [other for other in _batchers if other.is_closed()]:
            del _batchers[old]
        batcher = _batchers[loop] = VoteBatcher()
    return batcher
