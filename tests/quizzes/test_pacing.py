"""The countdown (add time, pause, resume, expiry) and the answer lock."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Answer, QuestionRun
from quizzes.stage import countdown
from workshop.errors import DomainError, NotAllowed

from ..conftest import participant_client
from .conftest import go_to_question

pytestmark = pytest.mark.django_db


def _open(session, key, by, **kwargs):
    session = go_to_question(session, key, by)
    return session, services.open_question(session, by, **kwargs)


def _submit(player, run, value):
    return services.submit_answer(
        player.pk, player.session_id, run.pk, value, f"c-{uuid.uuid4().hex}"
    )


def _refused(player, run, value) -> str:
    with pytest.raises(DomainError) as error:
        _submit(player, run, value)
    return error.value.code


def _run_out(run):
    """As if the countdown had ended a moment ago (no waiting in tests)."""
    QuestionRun.objects.filter(pk=run.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    run.refresh_from_db()
    return run


def test_it_adds_thirty_seconds_to_a_running_countdown(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    before = run.closes_at
    run = services.add_time(session, facilitator)
    assert run.closes_at - before >= timedelta(seconds=30)
    assert QuestionRun.objects.get().closes_at == run.closes_at


def test_adding_time_to_a_question_without_a_timer_starts_a_countdown(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator)
    assert run.closes_at is None
    run = services.add_time(session, facilitator)
    left = (run.closes_at - timezone.now()).total_seconds()
    assert 25 < left <= 30


def test_a_paused_countdown_keeps_what_was_left_and_resumes_from_it(
    quiz_session, facilitator, players
):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=60)
    run = services.pause_countdown(session, facilitator)
    assert run.closes_at is None and timedelta(seconds=55) < run.paused_remaining <= timedelta(60)
    assert countdown(run, run.state)["paused_left_ms"] == int(
        run.paused_remaining.total_seconds() * 1000
    )
    _submit(players[0], run, [10])  # a pause stops the clock, not the answers
    run = services.add_time(session, facilitator)
    assert run.paused_remaining > timedelta(seconds=85)
    kept = run.paused_remaining
    run = services.resume_countdown(session, facilitator)
    assert run.paused_remaining is None
    assert abs((run.closes_at - timezone.now()) - kept) < timedelta(seconds=5)
    with pytest.raises(DomainError) as error:
        services.resume_countdown(session, facilitator)
    assert error.value.code == "not_paused"


def test_pausing_needs_a_running_countdown(quiz_session, facilitator):
    session, _run = _open(quiz_session, "t-sdg", facilitator)
    with pytest.raises(DomainError) as error:
        services.pause_countdown(session, facilitator)
    assert error.value.code == "no_countdown"


def test_an_answer_after_the_time_is_up_is_refused_and_changes_nothing(
    quiz_session, facilitator, players
):
    _session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    _submit(players[0], run, [10])
    run = _run_out(run)
    assert _refused(players[1], run, [10]) == "time_is_up"
    assert _refused(players[0], run, [3]) == "time_is_up"
    assert list(Answer.objects.values_list("value", flat=True)) == [[10]]


def test_the_room_sees_a_question_past_its_deadline_as_closed(quiz_session, facilitator):
    _session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    assert run.shown_state(timezone.now()) == "open"
    run = _run_out(run)
    assert run.state == "open"  # not stored yet: no timer has fired
    assert run.shown_state(timezone.now()) == "closed"
    assert countdown(run, run.shown_state(timezone.now()))["closes_at_ms"] == ""


def test_expiry_closes_a_run_past_its_deadline_once(quiz_session, facilitator):
    _session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    assert services.expire_question(run.pk) is False  # not yet: left alone
    assert QuestionRun.objects.get().state == "open"
    deadline = _run_out(run).closes_at
    assert services.expire_question(run.pk) is True
    run.refresh_from_db()
    assert run.state == "closed" and run.closes_at == deadline
    assert services.expire_question(run.pk) is False


def test_expiry_leaves_a_paused_countdown_alone(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    services.pause_countdown(session, facilitator)
    assert services.expire_question(run.pk) is False
    assert QuestionRun.objects.get().state == "open"


def test_pending_deadlines_are_the_open_runs_with_a_running_countdown(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    assert services.pending_deadlines() == [(run.pk, run.closes_at)]
    services.pause_countdown(session, facilitator)
    assert services.pending_deadlines() == []


def test_time_cannot_be_added_once_it_is_up(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    _run_out(run)
    with pytest.raises(DomainError) as error:
        services.add_time(session, facilitator)
    assert error.value.code == "time_is_up"


def test_locked_answers_are_refused_until_unlocked(quiz_session, facilitator, players):
    session, run = _open(quiz_session, "t-sdg", facilitator)
    _submit(players[0], run, [10])
    run = services.set_answers_locked(session, facilitator, True)
    assert run.state == "open" and not services.is_accepting(run)
    assert _refused(players[1], run, [10]) == "answers_locked"
    assert _refused(players[0], run, [3]) == "answers_locked"
    assert list(Answer.objects.values_list("value", flat=True)) == [[10]]
    run = services.set_answers_locked(session, facilitator, False)
    _submit(players[1], run, [10])
    assert Answer.objects.count() == 2


def test_a_batch_refuses_locked_answers_too(quiz_session, facilitator, players):
    session, run = _open(quiz_session, "t-sdg", facilitator)
    services.set_answers_locked(session, facilitator, True)
    outcomes = services.submit_answers(
        [services.AnswerIn(players[0].pk, session.pk, run.pk, [10], "b-1")]
    )
    assert isinstance(outcomes[0], DomainError) and outcomes[0].code == "answers_locked"
    assert not Answer.objects.exists()


def test_closing_and_reopening_clears_the_lock_and_the_pause(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    services.pause_countdown(session, facilitator)
    services.set_answers_locked(session, facilitator, True)
    run = services.close_question(session, facilitator)
    assert not run.answers_locked and run.paused_remaining is None
    with pytest.raises(DomainError) as error:
        services.set_answers_locked(session, facilitator, True)
    assert error.value.code == "not_open"


def test_only_a_facilitator_paces_the_question(quiz_session, facilitator, other_facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    for action in (
        lambda: services.add_time(session, other_facilitator),
        lambda: services.pause_countdown(session, other_facilitator),
        lambda: services.set_answers_locked(session, other_facilitator, True),
    ):
        with pytest.raises(NotAllowed):
            action()
    assert QuestionRun.objects.get().closes_at == run.closes_at
    assert not QuestionRun.objects.get().answers_locked


@pytest.mark.parametrize("text", ["ab\u0000cd", "ab\ud800cd"])
def test_a_text_answer_with_characters_that_cannot_be_stored_is_refused(
    quiz_session, facilitator, players, text
):
    _session, run = _open(quiz_session, "t-word", facilitator)
    assert _refused(players[0], run, text) == "bad_text"
    assert not Answer.objects.exists()


def test_the_no_javascript_form_refuses_a_nul_character(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-word", facilitator)
    client = participant_client(players[0])
    response = client.post(
        reverse("quizzes:answer", args=[quiz_session.code]),
        {"run": run.pk, "value": "ab\u0000cd"},
        follow=True,
    )
    assert "This text holds characters that cannot be stored." in response.content.decode()
    assert not Answer.objects.exists()
