"""A timed question whose deadline passes while the server is down: after the
restart it shows closed at once, refuses answers, and the restarted server
stores the close itself, with nobody clicking."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from urllib.request import Request, urlopen

import pytest
from websockets.asyncio.client import connect

from ..conftest import DATA
from ..live_server import LiveServer
from ..live_tools import make_session


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("deadlines"))
    server.prepare(str(DATA / "quiz-pack.yaml"))
    server.start()
    yield server
    server.stop()


def _control_page(session) -> str:
    request = Request(  # noqa: S310 (loopback)
        f"{session.server.url}/facilitate/{session.public_id}/",
        headers={"Cookie": session.facilitator_cookie()},
    )
    with urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read().decode()


async def _answer_once(session, run: int) -> dict:
    async with connect(
        session.participant_url(),
        origin=session.origin,
        additional_headers={"Cookie": session.participants[0]["cookie"]},
        open_timeout=10,
    ) as ws:
        await asyncio.wait_for(ws.recv(), 15)  # the snapshot
        message = {"type": "answer", "id": "late-1", "run": run, "value": [1]}
        await ws.send(json.dumps(message))
        while True:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 15))
            if reply.get("t") == "ack" and reply.get("id") == "late-1":
                return reply


def test_a_deadline_that_passed_while_the_server_was_down_holds(quiz_server):
    server = quiz_server
    session = make_session(server, participants=1, template="quiz-mini")
    session.go_to("Warm-up")
    assert session.post("quiz", {"do": "open", "timer": "600"}) == 200
    run = int(session.query("QuestionRun.objects.get(session=S, step=S.current_step).pk"))

    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=15)
    # While it is down the deadline passes: the database says it, nothing else.
    session.query(
        f"QuestionRun.objects.filter(pk={run}).update(closes_at="
        "__import__('django.utils.timezone').utils.timezone.now()"
        " - __import__('datetime').timedelta(seconds=5))"
    )
    server.start()

    page = _control_page(session)
    assert 'data-testid="quiz-state">Closed<' in page  # at once, before any timer
    assert 'data-testid="quiz-open"' in page and 'data-testid="quiz-close"' not in page
    reply = asyncio.run(_answer_once(session, run))
    # Refused as late, or as closed: this socket started the hub, whose timers
    # may close the question before the answer arrives.
    assert reply["ok"] is False and reply["code"] in ("time_is_up", "question_closed")
    # The restarted process's timers store the close; bounded, never a fixed wait.
    for _ in range(100):
        if session.query(f"QuestionRun.objects.get(pk={run}).state") == "closed":
            break
        time.sleep(0.1)
    assert session.query(f"QuestionRun.objects.get(pk={run}).state") == "closed"
    assert session.query(f"Answer.objects.filter(run_id={run}).count()") == "0"
