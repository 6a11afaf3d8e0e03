"""Redis stopped for 5 s, then restarted, under the scale-out settings
(REDIS_URL: the Redis channel layer and cache). A private redis-server on a
port of its own, so that no other test's Redis goes down with it."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis
from playwright.sync_api import expect

from ..conftest import DATA
from ..live_server import LiveServer, free_port
from ..live_tools import make_session
from .phones import open_phone

pytestmark = pytest.mark.browser

STEPS = ["Welcome", "Who is IOM?", "SDG 10 and target 10.7"]
OUTAGE_SECONDS = 5


class PrivateRedis:
    def __init__(self, workdir) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_and_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("redis-outage")
    private = PrivateRedis(workdir)
    private.start()
    server = LiveServer(workdir, extra_env={"REDIS_URL": private.url})
    server.prepare(str(DATA / "mini-pack.yaml"))
    server.start()
    yield private, server
    server.stop()
    private.stop()


def test_phones_show_the_right_step_within_15_s_of_redis_coming_back(
    browser, redis_and_server, figures
):
    private, server = redis_and_server
    session = make_session(server, participants=2, prefix="Redis ")
    phones = [open_phone(browser, server, session, n) for n in range(2)]
    try:
        for _context, page, _switch in phones:
            expect(page.locator("#stage h1")).to_have_text(STEPS[0])
        private.stop()
        stopped = time.monotonic()
        # The facilitator moves on meanwhile: stored, but nobody can be told.
        assert session.post("step", {"to": "next"}) == 200
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        private.start()
        back = time.monotonic()
        for _context, page, _switch in phones:
            expect(page.locator("#stage h1")).to_have_text(STEPS[1], timeout=15_000)
        recovered = time.monotonic() - back
        # Pushes flow through Redis again.
        assert session.post("step", {"to": "next"}) == 200
        for _context, page, _switch in phones:
            expect(page.locator("#stage h1")).to_have_text(STEPS[2], timeout=5_000)
            expect(page.locator("#connection-banner")).to_be_hidden()
    finally:
        for context, _page, _switch in phones:
            context.close()
    figures("redis_outage_seconds", OUTAGE_SECONDS, "s")
    figures("redis_back_to_right_step", round(recovered, 1), "s")
    assert recovered <= 15
