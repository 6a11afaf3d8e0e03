"""A timed exercise closes by itself when its time is up, as a timed question
does: the stored deadline is enforced on every edit, every view shows it
closed, and the server's timers store the close and push it, with nobody
clicking, after a restart too."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

import live
from sdgmap import services
from sdgmap.models import ExerciseRun, GroupCard
from workshop.errors import DomainError

from .test_consumers import _ack, _phone
from .test_services import _display, _edit

pytestmark = [pytest.mark.django_db(transaction=True)]


def _start(session, facilitator, minutes=10) -> ExerciseRun:
    return services.start_exercise(session, facilitator, allocation="all", minutes=minutes)


def _run_out(run: ExerciseRun, seconds_ago: float = 1) -> None:
    """The deadline passes, with no server timer to store the close."""
    ExerciseRun.objects.filter(pk=run.pk).update(
        ends_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_an_edit_after_the_deadline_is_refused_and_changes_nothing(
    on_exercise, members, facilitator
):
    run = _start(on_exercise, facilitator)
    amina = members["Group 1"][0]
    _run_out(run)
    with pytest.raises(DomainError) as error:
        _edit(amina, 8, "rating", "strong")
    assert error.value.code == "time_is_up"
    assert not GroupCard.objects.filter(run=run).exists()
    # The plain form goes through the same rule.
    with pytest.raises(DomainError) as error:
        services.save_card_form(
            amina, sdg=8, rating="strong", targets=[], reasoning="", base_version=0
        )
    assert error.value.code == "time_is_up"
    assert not GroupCard.objects.filter(run=run).exists()


def test_every_view_shows_an_exercise_past_its_deadline_as_closed(
    on_exercise, members, facilitator
):
    run = _start(on_exercise, facilitator)
    _run_out(run)
    group = members["Group 1"][0].group
    display = _display(on_exercise, group=group)
    assert display.state == ExerciseRun.State.CLOSED
    assert display.run.closed_by_time
    assert ExerciseRun.objects.get(pk=run.pk).state == ExerciseRun.State.OPEN  # not stored yet


def test_expiring_closes_once_at_the_deadline_and_never_before(on_exercise, facilitator):
    run = _start(on_exercise, facilitator)
    assert services.expire_exercise(run.pk) is False  # ten minutes to go
    _run_out(run)
    assert services.expire_exercise(run.pk) is True
    assert services.expire_exercise(run.pk) is False  # a second process, late
    run.refresh_from_db()
    assert run.state == ExerciseRun.State.CLOSED
    assert run.closed_at == run.ends_at  # the report shows when its time ran out
    assert run.closed_by_time


def test_a_closed_by_hand_exercise_says_closed_not_time_is_up(on_exercise, facilitator):
    _start(on_exercise, facilitator)
    run = services.close_exercise(on_exercise, facilitator)
    assert not run.closed_by_time
    assert services.pending_deadlines() == []


def test_pending_deadlines_are_the_open_exercises_with_a_timer(on_exercise, facilitator):
    run = _start(on_exercise, facilitator)
    assert services.pending_deadlines() == [(run.pk, run.ends_at)]


def test_an_exercise_whose_time_is_up_reopens_but_gets_no_more_time(on_exercise, facilitator):
    run = _start(on_exercise, facilitator)
    _run_out(run)
    with pytest.raises(DomainError) as error:
        services.add_time(on_exercise, facilitator, 5)
    assert error.value.code == "exercise_not_open"
    run = _start(on_exercise, facilitator, minutes=5)  # the control view offers "Reopen"
    assert run.is_open and run.ends_at > timezone.now()


@database_sync_to_async
def _start_and_end_soon(session, facilitator, seconds: float) -> ExerciseRun:
    run = _start(session, facilitator)
    # The control view offers whole minutes; a test cannot wait one. Moving
    # the deadline and announcing it is what add_time does.
    soon = timezone.now() + timedelta(seconds=seconds)
    ExerciseRun.objects.filter(pk=run.pk).update(ends_at=soon)
    live.announce_deadline(services.DEADLINE_KIND, run.pk, soon)
    return run


@database_sync_to_async
def _state(run) -> str:
    return ExerciseRun.objects.get(pk=run.pk).state


async def _until_stage_says(phone, text: str) -> str:
    while True:
        message = await phone.receive_json_from(timeout=15)
        for region in message.get("regions", ()):
            if region["id"] == "stage" and text in region["html"]:
                return region["html"]


async def test_a_timed_exercise_closes_by_itself_and_the_phones_hear_why(
    on_exercise, members, facilitator
):
    phone = await _phone(on_exercise, members["Group 1"][0])
    run = await _start_and_end_soon(on_exercise, facilitator, 1)
    await _until_stage_says(phone, "Time is up: the exercise is closed")
    assert await _state(run) == ExerciseRun.State.CLOSED
    await phone.send_to(
        text_data=json.dumps(
            {"type": "card", "id": "late-1", "sdg": 8, "field": "rating", "value": "strong"}
        )
    )
    ack = await _ack(phone, "late-1")
    assert ack["ok"] is False and ack["code"] == "exercise_closed"
    await phone.disconnect()


@database_sync_to_async
def _run_out_while_no_server_ran(session, facilitator) -> ExerciseRun:
    run = _start(session, facilitator)
    _run_out(run, seconds_ago=5)
    return run


async def test_a_server_that_starts_closes_the_exercises_whose_time_ran_out(
    on_exercise, members, facilitator
):
    run = await _run_out_while_no_server_ran(on_exercise, facilitator)
    phone = await _phone(on_exercise, members["Group 1"][0])  # starts this process's hub
    while await _state(run) != ExerciseRun.State.CLOSED:
        await phone.receive_json_from(timeout=15)
    await phone.disconnect()


def test_more_time_and_closing_tell_every_timer(
    on_exercise, facilitator, monkeypatch, django_capture_on_commit_callbacks
):
    told = []
    monkeypatch.setattr(live, "announce_deadline", lambda *args: told.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        run = _start(on_exercise, facilitator, minutes=1)
    first = run.ends_at
    with django_capture_on_commit_callbacks(execute=True):
        run = services.add_time(on_exercise, facilitator, 5)
    assert run.ends_at == first + timedelta(minutes=5)
    assert services.expire_exercise(run.pk) is False  # the first deadline no longer closes it
    with django_capture_on_commit_callbacks(execute=True):
        services.close_exercise(on_exercise, facilitator)
    kind = services.DEADLINE_KIND
    assert told == [(kind, run.pk, first), (kind, run.pk, run.ends_at), (kind, run.pk, None)]
