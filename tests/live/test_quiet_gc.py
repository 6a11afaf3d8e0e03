"""When the hub runs full garbage collections: right after a fan-out, never
in the middle of one (live/quiet_gc.py; bench/run.py shows the effect)."""

from __future__ import annotations

import asyncio
import gc

import pytest

from live import quiet_gc
from live.quiet_gc import (
    AFTER_PUSH_SECONDS,
    AFTER_PUSH_WINDOW_SECONDS,
    IDLE_SECONDS,
    MAX_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
    QuietCollector,
)


def collector_after_a_push(now: float, *, pushed_ago: float, collected_ago: float):
    collector = QuietCollector()
    collector.last_busy = now - pushed_ago
    collector.last_full = now - collected_ago
    return collector


NOW = 10_000.0
LONG_AGO = MIN_INTERVAL_SECONDS + 1


def test_a_full_collection_waits_until_the_pushes_have_gone_out():
    during = collector_after_a_push(NOW, pushed_ago=0.0, collected_ago=LONG_AGO)
    assert not during.due(NOW)
    just_after = collector_after_a_push(
        NOW, pushed_ago=AFTER_PUSH_SECONDS + 0.01, collected_ago=LONG_AGO
    )
    assert just_after.due(NOW)


def test_past_the_window_after_a_push_it_waits_for_the_room_to_be_idle():
    # The next change may be about to come: not now...
    later = collector_after_a_push(
        NOW, pushed_ago=AFTER_PUSH_WINDOW_SECONDS + 0.1, collected_ago=LONG_AGO
    )
    assert not later.due(NOW)
    # ...but a room idle for a while is collected.
    idle = collector_after_a_push(NOW, pushed_ago=IDLE_SECONDS, collected_ago=LONG_AGO)
    assert idle.due(NOW)


def test_full_collections_are_spaced_but_never_skipped_for_long():
    recent = collector_after_a_push(
        NOW, pushed_ago=AFTER_PUSH_SECONDS, collected_ago=MIN_INTERVAL_SECONDS - 1
    )
    assert not recent.due(NOW)
    busy_for_a_minute = collector_after_a_push(
        NOW, pushed_ago=0.0, collected_ago=MAX_INTERVAL_SECONDS
    )
    assert busy_for_a_minute.due(NOW)


async def test_the_collector_takes_over_full_collections_and_gives_them_back():
    before = gc.get_threshold()
    task = asyncio.create_task(QuietCollector().run())
    await asyncio.sleep(0.01)
    try:
        assert gc.get_threshold()[2] == quiet_gc.NO_AUTOMATIC_FULL_COLLECTION
        assert gc.get_threshold()[:2] == before[:2]  # young collections unchanged
        assert gc.get_freeze_count() > 0  # what was loaded at start is never scanned again
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert gc.get_threshold() == before


async def test_a_due_collection_runs(monkeypatch):
    collector = QuietCollector()
    collector.last_full -= MAX_INTERVAL_SECONDS
    ran = asyncio.Event()
    real_collect = collector.collect

    def collect() -> None:
        real_collect()
        ran.set()

    monkeypatch.setattr(collector, "collect", collect)
    task = asyncio.create_task(collector.run())
    try:
        await asyncio.wait_for(ran.wait(), 2)
    finally:
        task.cancel()
    assert not collector.due(collector.last_full)  # and not again at once
