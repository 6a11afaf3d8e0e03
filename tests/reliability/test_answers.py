"""Quiz answers across a server killed mid-question, by SIGTERM and by SIGKILL.

30 phones (websocket clients that behave as live.js does: an answer stays in
the outbox until acknowledged, and is sent again, with the same id, after a
reconnect) answer while the server is killed and started again. Then: every
acknowledged answer is in the database (0 lost), and each phone has exactly
one answer row (0 duplicated)."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ..conftest import DATA
from ..live_server import LiveServer
from ..live_tools import make_session

PHONES = 24


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("answers"))
    server.prepare(str(DATA / "quiz-pack.yaml"))
    server.start()
    yield server
    server.stop()


class Phone:
    def __init__(self, session, n: int, run: int) -> None:
        self.session = session
        self.cookie = session.participants[n]["cookie"]
        self.message = {"type": "answer", "id": f"answer-{n}", "run": run, "value": "hope"}
        self.connected = asyncio.Event()
        self.go = asyncio.Event()
        self.sent = 0
        self.acked_at: float | None = None
        self.ack: dict | None = None

    async def answer(self) -> None:
        """Connect, answer when told to, and until acknowledged keep the answer
        and send it again after every reconnect (what live.js's outbox does)."""
        attempt = 0
        while self.ack is None:
            try:
                async with connect(
                    self.session.participant_url(),
                    origin=self.session.origin,
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=5,
                    close_timeout=1,
                ) as ws:
                    await asyncio.wait_for(ws.recv(), 15)  # the snapshot
                    self.connected.set()
                    await self.go.wait()
                    await ws.send(json.dumps(self.message))
                    self.sent += 1
                    while self.ack is None:
                        reply = json.loads(await asyncio.wait_for(ws.recv(), 15))
                        if reply.get("t") == "ack" and reply.get("id") == self.message["id"]:
                            assert reply["ok"], reply
                            self.ack, self.acked_at = reply, time.monotonic()
            except (OSError, TimeoutError, InvalidStatus, WebSocketException):
                attempt += 1
                base = min(4.0, 0.25 * 2**attempt)
                await asyncio.sleep(base / 2 + random.random() * base / 2)  # noqa: S311


def _kill_and_restart(server: LiveServer, how: signal.Signals) -> float:
    assert server.process is not None
    killed_at = time.monotonic()
    server.process.send_signal(how)
    server.process.wait(timeout=15)
    server.start()
    return killed_at


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_no_acknowledged_answer_is_lost_or_duplicated_across_a_restart(quiz_server, how, figures):
    server = quiz_server
    session = make_session(server, participants=PHONES, template="quiz-mini", prefix=how.name)
    session.go_to("Ice-breaker")  # an open-text question: "In one word..."
    assert session.quiz("open") == 200
    run = int(session.query("QuestionRun.objects.get(session=S, step=S.current_step).pk"))
    phones = [Phone(session, n, run) for n in range(PHONES)]

    async def scenario() -> float:
        answering = [asyncio.create_task(p.answer()) for p in phones]
        await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in phones)), 60)
        first, rest = phones[: PHONES // 3], phones[PHONES // 3 :]
        for phone in first:  # a third of the room has answered...
            phone.go.set()
        while not all(p.ack for p in first):
            await asyncio.sleep(0.02)
        for phone in rest:  # ...the rest answer at once, and the server dies meanwhile
            phone.go.set()
        await asyncio.sleep(0.01)
        killed_at = await asyncio.to_thread(_kill_and_restart, server, how)
        await asyncio.wait_for(asyncio.gather(*answering), 90)
        return killed_at

    killed_at = asyncio.run(scenario())
    acked_before_kill = sum(1 for p in phones if p.acked_at and p.acked_at < killed_at)
    resent = sum(p.sent - 1 for p in phones)
    rows = json.loads(
        session.query(
            "__import__('json').dumps(list(Answer.objects.filter("
            f"run_id={run}).values_list('participant__nickname', 'client_id')))"
        )
    )
    by_phone = {}
    for nickname, client_id in rows:
        by_phone.setdefault(nickname, []).append(client_id)
    lost = [
        p.message["id"]
        for p in phones
        if p.ack and p.message["id"] not in sum(by_phone.values(), [])
    ]
    duplicated = sum(len(ids) - 1 for ids in by_phone.values())
    figures(f"answers_{how.name}_acked", f"{sum(1 for p in phones if p.ack)}/{PHONES}")
    figures(f"answers_{how.name}_acked_before_kill", acked_before_kill)
    figures(f"answers_{how.name}_resent_after_reconnect", resent)
    figures(f"answers_{how.name}_lost", len(lost))
    figures(f"answers_{how.name}_duplicated", duplicated)
    assert all(p.ack for p in phones)
    assert lost == []
    assert duplicated == 0
    assert len(rows) == PHONES
