"""The hub on the Redis channel layer: what happens when Redis restarts, and
when a group membership would expire while a session runs.

Each test starts a private redis-server on a free loopback port, so stopping it
disturbs nobody else.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
import redis
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from workshop import hub as hub_module
from workshop import services
from workshop.asgi import application

from ..live_server import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client = redis.Redis.from_url(self.url)
                client.ping()
                client.close()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


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
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["t"] == "regions"
    return communicator


async def _next_stage(communicator, timeout=5):
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        for region in message.get("regions", []):
            if region["id"] == "stage":
                return region["html"]


async def _move_on(session, facilitator):
    await database_sync_to_async(services.move_by)(session, 1, facilitator)


async def test_a_redis_restart_closes_sockets_with_1011_and_reconnects_resync(
    private_redis, session, facilitator
):
    screen = await _screen(session)
    private_redis.stop()
    private_redis.start()  # a new, empty Redis on the same port: every group is gone
    closed = await screen.receive_output(timeout=15)
    assert closed == {"type": "websocket.close", "code": 1011}

    again = await _screen(session)  # the client reconnects and gets a fresh snapshot
    await _move_on(session, facilitator)
    assert "Who is IOM?" in await _next_stage(again)
    await again.disconnect()


async def test_group_membership_outlives_the_layers_group_expiry(
    private_redis, session, facilitator, monkeypatch
):
    monkeypatch.setattr(hub_module, "GROUP_REFRESH_SECONDS", 0.5)
    screen = await _screen(session)
    await asyncio.sleep(4.5)  # past group_expiry=3
    await _move_on(session, facilitator)
    assert "Who is IOM?" in await _next_stage(screen)
    await screen.disconnect()
