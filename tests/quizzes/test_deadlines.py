"""The server closes a question when its countdown runs out, though nobody
clicks, and after a restart too."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from quizzes import services
from quizzes.models import QuestionRun

from .conftest import go_to_question
from .test_consumers import _screen

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _until_stage_shows(screen, text: str) -> str:
    while True:
        message = await screen.receive_json_from(timeout=15)
        for region in message.get("regions", ()):
            if region["id"] in ("stage", "quiz-results") and text in region["html"]:
                return region["html"]


@database_sync_to_async
def _open(session, facilitator, seconds):
    session = go_to_question(session, "t-sdg", facilitator)
    return services.open_question(session, facilitator, timer_seconds=seconds)


@database_sync_to_async
def _state(run) -> str:
    return QuestionRun.objects.get(pk=run.pk).state


async def test_a_timed_question_closes_by_itself_and_every_view_hears_it(quiz_session, facilitator):
    screen = await _screen(quiz_session)
    run = await _open(quiz_session, facilitator, 1)
    await _until_stage_shows(screen, 'data-closes-at="')
    await _until_stage_shows(screen, "Answers closed")
    assert await _state(run) == "closed"
    await screen.disconnect()


@database_sync_to_async
def _run_out_while_no_server_ran(session, facilitator):
    session = go_to_question(session, "t-sdg", facilitator)
    run = services.open_question(session, facilitator, timer_seconds=30)
    QuestionRun.objects.filter(pk=run.pk).update(closes_at=timezone.now() - timedelta(seconds=5))
    return run


async def test_a_server_that_starts_closes_the_questions_whose_time_ran_out(
    quiz_session, facilitator
):
    run = await _run_out_while_no_server_ran(quiz_session, facilitator)
    screen = await _screen(quiz_session)  # the first socket starts this process's hub
    while await _state(run) != "closed":
        await screen.receive_json_from(timeout=15)
    await screen.disconnect()
