"""The hub on the Redis channel layer: what happens when Redis restarts, and
when a group membership would expire while a session runs.

Each test starts a private redis-server on a free loopback port, so stopping it
disturbs nobody else.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from live import hub as hub_module
from workshop import services
from workshop.asgi import application
from workshop.models import WorkshopSession

from ..live.test_consumers import WS_TIMEOUT
from ..private_redis import PrivateRedis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": server.url, "socket_timeout": None, "max_connections": 100}],
                "capacity": 1000,
                "expiry": 30,
                "group_expiry": 3,
            },
        }
    }
    yield server
    server.stop()


async def _screen(session):
    communicator = WebsocketCommunicator(
        application, f"/ws/screen/{session.public_id}/", headers=[ORIGIN, HOST]
    )
    connected, _ = await communicator.connect(timeout=WS_TIMEOUT)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["t"] == "regions"
    return communicator


async def _stage_shows(communicator, title: str, timeout: float = 5) -> bool:
    """Read pushes until the stage shows ``title``; a timeout fails the test.

    Older stages may come first: the hub may resync more than once while the
    layer comes back, and each resync is a whole snapshot.
    """

    async def read() -> bool:
        while True:
            message = await communicator.receive_json_from(timeout=timeout)
            for region in message.get("regions", []):
                if region["id"] == "stage" and title in region["html"]:
                    return True

    return await asyncio.wait_for(read(), timeout)


async def _move_on(session, facilitator):
    """Next, from the step the database holds (the fixture's object goes stale)."""

    def move() -> None:
        services.move_by(WorkshopSession.objects.get(pk=session.pk), 1, facilitator)

    await database_sync_to_async(move)()


async def test_a_redis_restart_keeps_the_sockets_and_resyncs_them(
    private_redis, session, facilitator
):
    screen = await _screen(session)
    private_redis.stop()
    # The show moves on while Redis is away: stored, but nobody can be told.
    await _move_on(session, facilitator)
    assert await screen.receive_nothing(timeout=1.5)  # no close, no push
    private_redis.start()  # a new, empty Redis on the same port: every group is gone

    # The same socket gets a snapshot with the step it missed...
    assert await _stage_shows(screen, "Who is IOM?", timeout=10)
    # ...and the hub is in the session's group again: pushes flow.
    await _move_on(session, facilitator)
    assert await _stage_shows(screen, "SDG 10 and target 10.7")
    await screen.disconnect()


async def test_a_socket_connects_while_redis_is_away_and_follows_once_it_is_back(
    private_redis, session, facilitator
):
    early = await _screen(session)  # the hub is up and in the layer
    private_redis.stop()
    late = await _screen(session)  # connected, with a snapshot from the database
    private_redis.start()
    await asyncio.sleep(0.5)
    await _move_on(session, facilitator)
    assert await _stage_shows(late, "Who is IOM?", timeout=10)
    await late.disconnect()
    await early.disconnect()


async def test_group_membership_outlives_the_layers_group_expiry(
    private_redis, session, facilitator, monkeypatch
):
    monkeypatch.setattr(hub_module, "GROUP_REFRESH_SECONDS", 0.5)
    screen = await _screen(session)
    await asyncio.sleep(4.5)  # past group_expiry=3
    await _move_on(session, facilitator)
    assert await _stage_shows(screen, "Who is IOM?")
    await screen.disconnect()
