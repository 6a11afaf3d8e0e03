"""One answer per participant per question, under concurrency.

- Over sockets, on the database of this run: 50 participants, each with two
  phones, send an answer at the same moment; 50 answers are stored and every
  phone gets an acknowledgement.
- In truly parallel transactions (race_check.py, 20 threads), run in a
  subprocess on SQLite and on PostgreSQL whichever database this run uses;
  there too, closers racing at a deadline close the question once.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from quizzes import services
from quizzes.models import Answer
from workshop import services as workshop_services
from workshop.asgi import application

from ..live.test_consumers import HOST, ORIGIN, _cookie_header
from .conftest import go_to_question

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("QUIZ_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/workshop")
PARTICIPANTS = 50


@pytest.mark.django_db(transaction=True)
async def test_fifty_participants_with_two_phones_each_store_fifty_answers(
    quiz_session, facilitator
):
    @database_sync_to_async
    def prepare():
        session = go_to_question(quiz_session, "t-sdg", facilitator)
        run = services.open_question(session, facilitator)
        people = [
            workshop_services.join_session(session.code, nickname=f"N{n}")
            for n in range(PARTICIPANTS)
        ]
        return run, people

    run, people = await prepare()
    phones = []
    for person in people:
        for _ in range(2):
            phone = WebsocketCommunicator(
                application,
                f"/ws/participant/{quiz_session.code}/",
                headers=[ORIGIN, HOST, _cookie_header(person)],
            )
            assert (await phone.connect(timeout=10))[0]
            await phone.receive_json_from(timeout=10)  # snapshot
            phones.append((person, phone))

    async def answer(index, person, phone):
        message_id = f"{person.pk}-{index}"
        value = [10] if index % 2 else [person.pk % 17 + 1]
        await phone.send_to(
            text_data=json.dumps(
                {"type": "answer", "id": message_id, "run": run.pk, "value": value}
            )
        )
        while True:
            message = await phone.receive_json_from(timeout=20)
            if message.get("t") == "ack" and message.get("id") == message_id:
                return message

    acks = await asyncio.gather(*(answer(i, p, ph) for i, (p, ph) in enumerate(phones)))
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]]
    assert await database_sync_to_async(Answer.objects.filter(run=run).count)() == PARTICIPANTS
    for _person, phone in phones:
        await phone.disconnect()


def _race(env_update: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env_update}
    for name in drop:
        env.pop(name, None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "--ds",
            "tests.quizzes.race_settings",
            "tests/quizzes/race_check.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
    return result.stdout


def test_parallel_transactions_on_sqlite(tmp_path):
    out = _race({"QUIZ_RACE_SQLITE": str(tmp_path / "race.sqlite3")}, drop=("DATABASE_URL",))
    assert "parallel answers on sqlite: 50 stored" in out
    assert "racing closers on sqlite: closed once" in out


def test_parallel_transactions_on_postgresql():
    # Its own database name: parallel runs of the suite never collide.
    base = POSTGRES_URL.rsplit("/", 1)[0]
    out = _race(
        {
            "DATABASE_URL": f"{base}/quizrace_{uuid.uuid4().hex[:8]}",
            "QUIZ_RACE_SQLITE": "unused",
        }
    )
    assert "parallel answers on postgresql: 50 stored" in out
    assert "racing closers on postgresql: closed once" in out
