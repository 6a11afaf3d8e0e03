"""A phone that joins late lands on the current step in its current state:
an open question with the time that is left, a revealed question with its
answer. (The exercise with the phone's group: tests/sdgmap/test_late_joiner.py.)"""

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from quizzes import services
from workshop import services as workshop_services
from workshop.asgi import application

from ..live.test_consumers import HOST, ORIGIN, _cookie_header
from .conftest import go_to_question

pytestmark = [pytest.mark.django_db(transaction=True)]


async def join_late(session, nickname: str = "Late") -> dict:
    """Join now, open the phone's socket, and give back its snapshot."""
    participant = await database_sync_to_async(workshop_services.join_session)(
        session.code, nickname=nickname
    )
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{session.code}/",
        headers=[ORIGIN, HOST, _cookie_header(participant)],
    )
    assert (await phone.connect(timeout=10))[0]
    snapshot = await phone.receive_json_from(timeout=10)
    await phone.disconnect()
    assert snapshot["t"] == "regions" and snapshot["snapshot"]
    return snapshot


def _stage(snapshot) -> str:
    return next(r["html"] for r in snapshot["regions"] if r["id"] == "stage")


@database_sync_to_async
def _open(session, facilitator, **kwargs):
    session = go_to_question(session, "t-founded", facilitator)
    return services.open_question(session, facilitator, **kwargs)


async def test_a_late_phone_gets_the_open_question_and_the_time_left(quiz_session, facilitator):
    run = await _open(quiz_session, facilitator, timer_seconds=120)
    snapshot = await join_late(quiz_session)
    stage = _stage(snapshot)
    deadline_ms = int(run.closes_at.timestamp() * 1000)
    assert f'data-closes-at="{deadline_ms}"' in stage
    assert "data-quiz-form" in stage and 'name="value"' in stage
    # With the server's time that comes with the snapshot, what is left:
    left_seconds = (deadline_ms - snapshot["now"]) / 1000
    assert 100 < left_seconds <= 120
    assert abs(snapshot["now"] / 1000 - time.time()) < 5


async def test_a_late_phone_gets_a_paused_countdown_as_what_is_left(quiz_session, facilitator):
    await _open(quiz_session, facilitator, timer_seconds=120)
    run = await database_sync_to_async(services.pause_countdown)(quiz_session, facilitator)
    stage = _stage(await join_late(quiz_session))
    left_ms = int(run.paused_remaining.total_seconds() * 1000)
    assert f'data-paused-left="{left_ms}"' in stage and "data-closes-at" not in stage


async def test_a_late_phone_gets_locked_answers_as_locked(quiz_session, facilitator):
    await _open(quiz_session, facilitator)
    await database_sync_to_async(services.set_answers_locked)(quiz_session, facilitator, True)
    stage = _stage(await join_late(quiz_session))
    assert 'data-testid="answers-locked"' in stage
    assert '<fieldset class="answer-fields" disabled>' in stage


@database_sync_to_async
def _answer_and_reveal(session, facilitator, run):
    choice = run.question.choices.get(correct=True)
    early = workshop_services.join_session(session.code, nickname="Early")
    services.submit_answer(early.pk, session.pk, run.pk, [choice.pk], "early-1")
    services.reveal_question(session, facilitator)
    return choice


async def test_a_late_phone_gets_the_revealed_question_with_its_answer(quiz_session, facilitator):
    run = await _open(quiz_session, facilitator)
    choice = await _answer_and_reveal(quiz_session, facilitator, run)
    stage = _stage(await join_late(quiz_session))
    assert 'class="phone-reveal"' in stage
    assert f'data-correct="{json.dumps([choice.pk])}"' in stage
    assert "data-quiz-form" not in stage  # no answering after the reveal
    assert 'data-testid="explanation"' in stage and "1951." in stage


async def test_a_late_phone_gets_a_question_whose_time_ran_out_as_closed(quiz_session, facilitator):
    from datetime import timedelta

    from django.utils import timezone

    from quizzes.models import QuestionRun

    run = await _open(quiz_session, facilitator, timer_seconds=30)
    # The deadline passed and no server timer has stored the close (yet).
    await database_sync_to_async(QuestionRun.objects.filter(pk=run.pk).update)(
        closes_at=timezone.now() - timedelta(seconds=2)
    )
    stage = _stage(await join_late(quiz_session))
    assert "data-quiz-form" not in stage and "data-closes-at" not in stage
    assert "Answers are closed" in stage
    # The phone's connect started this process's timers, which store the close.
    for _ in range(200):
        if await _state(run) == "closed":
            break
        await asyncio.sleep(0.05)
    assert await _state(run) == "closed"


@database_sync_to_async
def _state(run) -> str:
    from quizzes.models import QuestionRun

    return QuestionRun.objects.get(pk=run.pk).state
