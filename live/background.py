"""Work an app keeps running beside the hub, one per server process.

An app registers a coroutine function; every hub starts it when it starts
and cancels it when it stops. Used for timers that must fire though nobody
clicks (live.deadlines closes a question when its countdown runs out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

BACKGROUND: list[Callable[[], Awaitable[None]]] = []


def register_background(factory: Callable[[], Awaitable[None]]) -> None:
    if factory not in BACKGROUND:
        BACKGROUND.append(factory)
