"""Telling every screen that something changed.

Services call :func:`changed` with the session and the *topics* that changed
("step", "room", ...). After the transaction commits, one small message goes
to the session's channel-layer group. Every server process that holds
connections of that session receives it once; its hub re-renders the affected
regions once per audience it serves and fans them out to its own sockets.

So the channel layer carries one message per change, not one per socket, and
what it carries is an invalidation: a dropped message is healed by the next
one, and a reconnecting client gets a full snapshot anyway.
"""

from __future__ import annotations

import asyncio
import logging
import os

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .audiences import CONTROL, PARTICIPANT, SCREEN

logger = logging.getLogger(__name__)

# Topics a service may announce. Apps add their own with ``register_topic``.
TOPIC_REGIONS: dict[str, list[tuple[str, str]]] = {}
# How long a hub waits to gather more of the same topic before rendering.
TOPIC_DELAY_SECONDS: dict[str, float] = {}


def register_topic(topic: str, regions: list[tuple[str, str]], *, delay: float = 0.0) -> None:
    """Declare which (audience, region) pairs re-render when ``topic`` changes.

    ``delay`` coalesces bursts: every change of the topic within the delay
    is covered by one render (tallies, connection counts).
    """
    TOPIC_REGIONS[topic] = list(regions)
    TOPIC_DELAY_SECONDS[topic] = delay


def extend_topic(topic: str, regions: list[tuple[str, str]]) -> None:
    """Add (audience, region) pairs to a topic that another app declared
    (the quiz's live count follows connections too), keeping its delay."""
    if topic not in TOPIC_REGIONS:
        raise ValueError(f"unknown live topic: {topic}")
    TOPIC_REGIONS[topic] += [r for r in regions if r not in TOPIC_REGIONS[topic]]


def session_group(session_id: int) -> str:
    """The channel-layer group of a session; each hub process joins it once."""
    return f"session.{session_id}"


def changed(session_id: int, *topics: str, participant_id: int | None = None) -> None:
    """Announce, once the current transaction commits, that ``topics`` changed.

    With ``participant_id`` only that participant's sockets re-render (after a
    move to another group, say); they also re-subscribe to their audiences.
    """
    unknown = [t for t in topics if t not in TOPIC_REGIONS and t != "all"]
    if unknown:
        raise ValueError(f"unknown live topics: {unknown}")
    message = _invalidation(session_id, topics, participant_id)
    transaction.on_commit(lambda: _send(session_id, message))


def _invalidation(session_id: int, topics: tuple[str, ...], participant_id: int | None) -> dict:
    return {
        "type": "hub.invalidate",
        "session": session_id,
        "topics": list(topics),
        "participant": participant_id,
    }


def _send(session_id: int, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop()
    if loop is not None:
        # On the database thread of a running server: hand the send to the
        # event loop and go on. Waiting for it (async_to_sync) held the one
        # database thread for a loop round trip per change: 1,000 answers in a
        # few seconds queued for tens of seconds (docs/performance.md).
        loop.call_soon_threadsafe(_start_send, layer, session_id, message)
        return
    try:
        async_to_sync(layer.group_send)(session_group(session_id), message)
    except Exception:
        # The database already holds the change; clients resync on reconnect.
        logger.exception("could not announce a change of session %s", session_id)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop that called this thread through sync_to_async, if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


_sending: set[asyncio.Task] = set()

# A change of topics that every hub gathers anyway before it renders (those
# with a delay: joins, connections, tallies) waits this long on its way out
# for more of the same, and they go as one message. A join storm made two
# messages a phone (its join, its socket), each read by every process: on
# the scale-out set-up 4,000 trips through Redis for 2,000 phones.
SEND_GATHER_SECONDS = 0.1
_gathering: dict[tuple[int, tuple[str, ...]], asyncio.TimerHandle] = {}


def _gathers(message: dict) -> bool:
    return message["participant"] is None and all(
        TOPIC_DELAY_SECONDS.get(topic, 0.0) > 0 for topic in message["topics"]
    )


def _start_send(layer, session_id: int, message: dict) -> None:
    """Send now, or with the others like it (SEND_GATHER_SECONDS). On the loop."""
    if not _gathers(message):
        _send_now(layer, session_id, message)
        return
    key = (session_id, tuple(sorted(message["topics"])))
    if key in _gathering:
        return  # one like it is on its way: it covers this change too
    _gathering[key] = asyncio.get_running_loop().call_later(
        SEND_GATHER_SECONDS, _send_gathered, layer, session_id, message, key
    )


def _send_gathered(layer, session_id: int, message: dict, key) -> None:
    _gathering.pop(key, None)
    _send_now(layer, session_id, message)


def _send_now(layer, session_id: int, message: dict) -> None:
    # Runs on the loop: the coroutine exists only once the loop takes it.
    task = asyncio.get_running_loop().create_task(
        layer.group_send(session_group(session_id), message)
    )
    _sending.add(task)
    task.add_done_callback(lambda done: _sent(done, session_id))


def _sent(done: asyncio.Task, session_id: int) -> None:
    _sending.discard(done)
    if done.cancelled():
        return
    error = done.exception()
    if error is not None:
        # The database already holds the change; clients resync on reconnect.
        logger.error("could not announce a change of session %s: %r", session_id, error)


async def all_sent() -> None:
    """Wait until every change announced so far has gone to the layer, the
    gathered ones included. For tests that must not meet a send half-way:
    channels_redis draws on the global ``random`` for each message."""
    while _gathering or _sending:
        await asyncio.sleep(0.01)


async def achanged(session_id: int, *topics: str, participant_id: int | None = None) -> None:
    """:func:`changed` for async code outside a transaction.

    A failed send is logged, not raised: a socket must still connect and
    disconnect cleanly while the layer is away (the hub resyncs afterwards).
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = _invalidation(session_id, topics, participant_id)
    if _gathers(message):
        _start_send(layer, session_id, message)  # a failure is logged when it goes
        return
    try:
        await layer.group_send(session_group(session_id), message)
    except Exception as error:
        logger.warning("could not announce a change of session %s: %r", session_id, error)


def _register_core_topics() -> None:
    register_topic(
        "step",
        [(SCREEN, "stage"), (CONTROL, "stage"), (CONTROL, "agenda"), (PARTICIPANT, "stage")],
    )
    register_topic(
        "session",
        [
            (SCREEN, "stage"),
            (SCREEN, "joinbar"),
            (CONTROL, "stage"),
            (CONTROL, "agenda"),
            (CONTROL, "room"),
            (PARTICIPANT, "stage"),
        ],
    )
    # Group membership changed: every participant socket re-subscribes and resyncs.
    register_topic("members", [])
    # Joins come in bursts (a whole room scans the QR code at once): coalesced,
    # so 1,000 joins cost a few renders of the room, not 1,000. A count that
    # moves once a second is live enough, and leaves the storm's time to joins.
    register_topic(
        "room", [(CONTROL, "room"), (SCREEN, "joinbar"), (SCREEN, "lobby-count")], delay=1.0
    )
    # Connection counts move with every phone that wakes or sleeps: coalesced.
    register_topic(
        "presence", [(CONTROL, "room"), (SCREEN, "joinbar"), (SCREEN, "lobby-count")], delay=1.0
    )


_register_core_topics()
