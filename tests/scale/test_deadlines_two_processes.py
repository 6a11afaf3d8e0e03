"""Scale-out: every server process keeps the deadlines, not only the one that
handled the facilitator's click. A question opened with a timer through
process A closes by itself on time though A dies before the deadline: B
heard the deadline over the channel layer and closes it. Two daphne
processes, one PostgreSQL, one Redis, as in test_two_processes.py."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal

import pytest
from websockets.asyncio.client import connect

from bench import clients

from ..live_server import LiveServer
from ..live_tools import LiveSession, make_session
from .test_two_processes import server_pair


@pytest.fixture(scope="module")
def two_quiz_servers(tmp_path_factory):
    with server_pair(tmp_path_factory, "quiz-pack.yaml", "deadline") as pair:
        yield pair


def _phone(session: LiveSession):
    return connect(
        session.participant_url(),
        origin=session.origin,
        additional_headers={"Cookie": session.participants[0]["cookie"]},
        open_timeout=10,
    )


async def _stage_until(ws, test, timeout: float = 20) -> str:
    """Read a phone's pushes until its stage passes ``test``."""

    async def read() -> str:
        while True:
            html = clients.regions_of(await ws.recv()).get("stage")
            if html is not None and test(html):
                return html

    return await asyncio.wait_for(read(), timeout)


async def _open_through_a_then_lose_a(a: LiveServer, on_a: LiveSession, on_b: LiveSession) -> str:
    async with _phone(on_b) as phone_on_b:
        # B serves the phone, so its hub and its timers run, before the open.
        await _stage_until(phone_on_b, lambda html: 'data-state="draft"' in html)
        assert await asyncio.to_thread(on_a.post, "quiz", {"do": "open", "timer": "6"}) == 200
        await _stage_until(phone_on_b, lambda html: 'data-state="open"' in html)
        # A dies well before the deadline, with its own timer.
        a.process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(a.process.wait, 15)
        return await _stage_until(phone_on_b, lambda html: 'data-state="closed"' in html)


def test_a_deadline_set_through_one_process_is_kept_by_the_other(two_quiz_servers):
    a, b = two_quiz_servers
    on_a = make_session(a, participants=1, template="quiz-mini")
    on_b = dataclasses.replace(on_a, server=b)
    on_a.go_to("Warm-up")
    stage = asyncio.run(_open_through_a_then_lose_a(a, on_a, on_b))

    assert "Answers are closed" in stage
    state = on_b.query("QuestionRun.objects.get(session=S, step=S.current_step).state")
    assert state == "closed"
    reply = asyncio.run(_answer(on_b))
    assert reply["ok"] is False and reply["code"] == "question_closed"


async def _answer(session: LiveSession) -> dict:
    run = int(session.query("QuestionRun.objects.get(session=S, step=S.current_step).pk"))
    async with _phone(session) as ws:
        await asyncio.wait_for(ws.recv(), 15)  # the snapshot
        await ws.send(json.dumps({"type": "answer", "id": "late-1", "run": run, "value": [1]}))
        while True:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 15))
            if reply.get("t") == "ack" and reply.get("id") == "late-1":
                return reply
