"""Full garbage collections at quiet moments, not in the middle of a fan-out.

Measured with 1,000 sockets on one process (docs/performance.md): CPython's
automatic full collection scanned some 270,000 objects in 100-230 ms, every
few seconds, on the event loop's thread; whichever step change it landed on
reached its last phone that much later.

So a serving process freezes what it has loaded by then (modules, settings,
compiled templates: never garbage, now never scanned again), turns the
automatic *full* collection off, and runs one itself just after the hub's
pushes have gone out: between two step changes, not during one. Young
collections stay automatic; they take a few milliseconds.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

logger = logging.getLogger(__name__)

# A full collection runs at most this often, so that garbage in cycles never
# piles up for long. Requests leave none since their cycles are broken
# (workshop/http_threads.py): at 5 s apart, in a join storm of 2,000 these
# collections were a tenth of the server's time, rescanning the sockets'
# long-lived objects, and now memory no longer grows between them...
MIN_INTERVAL_SECONDS = 30.0
# ...and then right after a fan-out: once the hub's writes have gone out
# (AFTER_PUSH_SECONDS after its last push) and before the next change is
# likely (AFTER_PUSH_WINDOW_SECONDS). Or in a room that has been idle a while,
IDLE_SECONDS = 2.0
AFTER_PUSH_SECONDS = 0.05
AFTER_PUSH_WINDOW_SECONDS = 0.25
# or, past this, anyway.
MAX_INTERVAL_SECONDS = 120.0
# Far above any count a process reaches: the automatic full collection is off.
NO_AUTOMATIC_FULL_COLLECTION = 1_000_000_000

_frozen = False
_default_thresholds = gc.get_threshold()


class QuietCollector:
    def __init__(self) -> None:
        self.last_full = time.monotonic()
        self.last_busy = 0.0

    def busy(self) -> None:
        """The hub is pushing now."""
        self.last_busy = time.monotonic()

    def due(self, now: float) -> bool:
        since_full = now - self.last_full
        if since_full >= MAX_INTERVAL_SECONDS:
            return True
        if since_full < MIN_INTERVAL_SECONDS:
            return False
        quiet = now - self.last_busy
        just_after_a_push = AFTER_PUSH_SECONDS <= quiet <= AFTER_PUSH_WINDOW_SECONDS
        return just_after_a_push or quiet >= IDLE_SECONDS

    async def run(self) -> None:
        """Take over full collections until cancelled, then give them back."""
        _take_over()
        try:
            while True:
                await asyncio.sleep(AFTER_PUSH_SECONDS)
                if self.due(time.monotonic()):
                    self.collect()
        finally:
            give_back()

    def collect(self) -> None:
        started = time.monotonic()
        gc.collect()
        self.last_full = time.monotonic()
        logger.debug("full collection: %.0f ms", (self.last_full - started) * 1000)


def _take_over() -> None:
    global _frozen
    if not _frozen:
        gc.collect()  # nothing collectable gets frozen
        gc.freeze()
        _frozen = True
    young, middle, _full = _default_thresholds
    gc.set_threshold(young, middle, NO_AUTOMATIC_FULL_COLLECTION)


def give_back() -> None:
    """Automatic full collections again (the hub stopped)."""
    gc.set_threshold(*_default_thresholds)
