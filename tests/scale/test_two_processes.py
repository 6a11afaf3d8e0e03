"""Scale-out: two daphne processes on loopback, one PostgreSQL, one Redis.

A phone connected to one process and the projector connected to the other see
each other's actions. Runs in both CI runs, against the machine's PostgreSQL
and Redis (DATABASE_URL and REDIS_URL when set, the local services otherwise),
each server pair on a scratch database and a Redis key prefix of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from bench import clients

from ..live_server import FACILITATOR, LiveServer

DATA = Path(__file__).resolve().parent.parent / "data"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def scale_out_env() -> dict[str, str]:
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or LOCAL_POSTGRES,
        "REDIS_URL": os.environ.get("REDIS_URL") or LOCAL_REDIS,
    }


@contextlib.contextmanager
def server_pair(tmp_path_factory, pack: str, name: str):
    """Two processes of one scale-out set-up, serving ``pack`` (tests/data)."""
    first = LiveServer(tmp_path_factory.mktemp(f"{name}-a"), scale_out_env())
    second = LiveServer(tmp_path_factory.mktemp(f"{name}-b"), peer=first)
    try:
        first.prepare(str(DATA / pack))
        first.start()
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    with server_pair(tmp_path_factory, "mini-pack.yaml", "process") as pair:
        yield pair


async def next_region(socket, region_id: str, test, timeout: float = 10) -> str:
    """Read pushes until ``region_id`` arrives with html that passes ``test``."""

    async def read() -> str:
        while True:
            html = clients.regions_of(await socket.recv()).get(region_id)
            if html is not None and test(html):
                return html

    return await asyncio.wait_for(read(), timeout)


async def test_phones_and_projector_on_different_processes_see_each_other(two_servers):
    a, b = two_servers
    facilitator = await clients.sign_in(a.url, *FACILITATOR)
    public_id, code = await clients.create_session(facilitator, "Mini workshop", groups=2)

    projector = await clients.Browser(a.url).websocket(f"/ws/screen/{public_id}/")
    await next_region(projector, "lobby-count", lambda html: 'class="count-number">0<' in html)

    # A phone joins and connects through process B; the projector on A counts it.
    amina = await clients.join(b.url, code, "Amina")
    phone_b = await amina.websocket(f"/ws/participant/{code}/")
    await next_region(phone_b, "stage", lambda html: "Welcome" in html)
    await next_region(projector, "lobby-count", lambda html: 'class="count-number">1<' in html)

    # The facilitator moves on through process A; the phone on B follows.
    await clients.go(facilitator, public_id)
    await next_region(phone_b, "stage", lambda html: "Who is IOM?" in html)
    await next_region(projector, "stage", lambda html: "Who is IOM?" in html)

    # The other way round: a phone on A, the facilitator's click served by B.
    bruno = await clients.join(a.url, code, "Bruno")
    phone_a = await bruno.websocket(f"/ws/participant/{code}/")
    await next_region(phone_a, "stage", lambda html: "Who is IOM?" in html)
    facilitator_on_b = clients.Browser(b.url, dict(facilitator.cookies))
    await clients.go(facilitator_on_b, public_id)
    for socket in (phone_a, phone_b, projector):
        await next_region(socket, "stage", lambda html: "SDG 10 and target 10.7" in html)

    for socket in (phone_a, phone_b, projector):
        await socket.close()
