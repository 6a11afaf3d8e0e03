"""Quiz operations: the only code that opens, closes and reveals questions,
stores answers and moderates them, and the only code that announces those
changes to the live room."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

import live
from workshop.errors import DomainError, NotFound
from workshop.models import Participant, Step, WorkshopSession
from workshop.prepared import PreparedQuery
from workshop.services import check_facilitator, check_not_ended
from workshop.text import storable

from .models import Answer, Choice, Question, QuestionRun

# Topics. "quiz": a run changed state or options, every view re-renders its
# stage. "quiz-answers": answers came in; coalesced so a burst of answers
# makes a few renders a second, never one per answer.
TOPIC_QUIZ = "quiz"
TOPIC_ANSWERS = "quiz-answers"
TALLY_DELAY_SECONDS = 0.2

MAX_TIMER_SECONDS = 3600
SPEED_BONUS_WINDOW_SECONDS = 30
CLIENT_ID_MAX_LENGTH = 64


# --- reading -------------------------------------------------------------------------


def question_step(session: WorkshopSession) -> Step:
    step = session.current_step
    if step is None or step.kind != Step.Kind.QUESTION or step.question_id is None:
        raise DomainError(
            "not_a_question", gettext_lazy("The current step is not a quiz question.")
        )
    return step


# Both read for every phone that connects while a question is on, each
# phone's view of its stage: compiled once (workshop/prepared.py). After a
# restart mid-question, compiling them was a third of the server's time.
_RUN_FOR_STEP = PreparedQuery(
    lambda session_id, step_id: (
        QuestionRun.objects.select_related("question")
        .filter(session_id=session_id, step_id=step_id)
        .order_by("created_at", "id")[:1]
    ),
    session_id=QuestionRun._meta.get_field("session"),
    step_id=QuestionRun._meta.get_field("step"),
)
_PARTICIPANT_ANSWER = PreparedQuery(
    lambda run_id, participant_id: Answer.objects.filter(
        run_id=run_id, participant_id=participant_id
    ).order_by("created_at", "id")[:1],
    run_id=Answer._meta.get_field("run"),
    participant_id=Answer._meta.get_field("participant"),
)


def run_for_step(session: WorkshopSession, step: Step) -> QuestionRun | None:
    return _RUN_FOR_STEP.first(session_id=session.pk, step_id=step.pk)


def _run_for_update(session: WorkshopSession) -> QuestionRun:
    """The run of the current step, created on first use, under a row lock."""
    step = question_step(session)
    run = QuestionRun.objects.select_for_update().filter(session=session, step=step).first()
    if run is None:
        question = step.question
        run = QuestionRun.objects.create(
            session=session,
            step=step,
            question=question,
            show_results=question.results_live_by_default(),
        )
    return run


def is_accepting(run: QuestionRun, now=None) -> bool:
    if run.state != QuestionRun.State.OPEN or run.answers_locked:
        return False
    return not run.time_is_up(now or timezone.now())


def refusal(run: QuestionRun, now) -> DomainError:
    """Why a run that is not accepting refuses an answer."""
    if run.state == QuestionRun.State.DRAFT:
        return DomainError("question_not_open", gettext_lazy("This question is not open yet."))
    if run.state == QuestionRun.State.OPEN and run.time_is_up(now):
        return DomainError("time_is_up", gettext_lazy("Time is up: no more answers."))
    if run.state == QuestionRun.State.OPEN and run.answers_locked:
        return DomainError(
            "answers_locked", gettext_lazy("Answers are locked for now: wait for the facilitator.")
        )
    return DomainError("question_closed", gettext_lazy("This question is closed: no more answers."))


# --- the facilitator's controls -------------------------------------------------------


def _facilitated(session: WorkshopSession, by) -> WorkshopSession:
    check_facilitator(session, by)
    session = WorkshopSession.objects.select_related("current_step").get(pk=session.pk)
    check_not_ended(session)
    return session


def _save(run: QuestionRun, *fields: str) -> QuestionRun:
    run.save(update_fields=list(fields))
    live.changed(run.session_id, TOPIC_QUIZ)
    return run


@transaction.atomic
def open_question(session: WorkshopSession, by, *, timer_seconds: int | None = None) -> QuestionRun:
    """Open (or reopen after a close) the current step's question, optionally
    with a timer; a revealed question stays revealed."""
    session = _facilitated(session, by)
    run = _run_for_update(session)
    if run.state == QuestionRun.State.REVEALED:
        raise DomainError(
            "already_revealed", gettext_lazy("This question was revealed; it cannot reopen.")
        )
    if timer_seconds is not None and not 0 < timer_seconds <= MAX_TIMER_SECONDS:
        raise DomainError("bad_timer", gettext_lazy("Choose a timer between 1 second and an hour."))
    now = timezone.now()
    run.state = QuestionRun.State.OPEN
    run.opened_at = now
    run.closes_at = now + timedelta(seconds=timer_seconds) if timer_seconds else None
    run.paused_remaining = None
    run.answers_locked = False
    _save(run, "state", "opened_at", "closes_at", "paused_remaining", "answers_locked")
    _keep_deadline(run)
    return run


@transaction.atomic
def close_question(session: WorkshopSession, by) -> QuestionRun:
    session = _facilitated(session, by)
    run = _run_for_update(session)
    if run.state != QuestionRun.State.OPEN:
        raise DomainError("not_open", gettext_lazy("The question is not open."))
    _close(run, timezone.now())
    return _save(run, "state", "closes_at", "paused_remaining", "answers_locked")


def _close(run: QuestionRun, now) -> None:
    run.state = QuestionRun.State.CLOSED
    # A deadline already passed stays the closing time: the report shows when it closed.
    run.closes_at = run.closes_at if run.time_is_up(now) else now
    run.paused_remaining = None
    run.answers_locked = False


# --- pacing: the countdown and the lock -------------------------------------------------

ADD_TIME_SECONDS = 30


def _open_run_for_update(session: WorkshopSession, by) -> tuple[QuestionRun, Any]:
    """The current step's open run, under a row lock, with the time now;
    refused when the question is not open or its time is up."""
    session = _facilitated(session, by)
    run = _run_for_update(session)
    now = timezone.now()
    if run.state != QuestionRun.State.OPEN:
        raise DomainError("not_open", gettext_lazy("The question is not open."))
    if run.time_is_up(now):
        raise DomainError("time_is_up", gettext_lazy("Time is up: no more answers."))
    return run, now


@transaction.atomic
def add_time(session: WorkshopSession, by, seconds: int = ADD_TIME_SECONDS) -> QuestionRun:
    """Give an open question more time: a running or paused countdown gets
    ``seconds`` more; a question without one gets a countdown of ``seconds``."""
    run, now = _open_run_for_update(session, by)
    extra = timedelta(seconds=seconds)
    if run.is_paused:
        left = run.paused_remaining + extra
    else:
        left = (run.closes_at - now if run.closes_at else timedelta(0)) + extra
    if left > timedelta(seconds=MAX_TIMER_SECONDS):
        raise DomainError("bad_timer", gettext_lazy("Choose a timer between 1 second and an hour."))
    if run.is_paused:
        run.paused_remaining = left
    else:
        run.closes_at = now + left
    _save(run, "closes_at", "paused_remaining")
    _keep_deadline(run)
    return run


@transaction.atomic
def pause_countdown(session: WorkshopSession, by) -> QuestionRun:
    """Stop the clock: what is left is kept, answers still come in."""
    run, now = _open_run_for_update(session, by)
    if run.closes_at is None or run.is_paused:
        raise DomainError("no_countdown", gettext_lazy("No countdown is running."))
    run.paused_remaining = run.closes_at - now
    run.closes_at = None
    _save(run, "closes_at", "paused_remaining")
    _keep_deadline(run)
    return run


@transaction.atomic
def resume_countdown(session: WorkshopSession, by) -> QuestionRun:
    run, now = _open_run_for_update(session, by)
    if not run.is_paused:
        raise DomainError("not_paused", gettext_lazy("The countdown is not paused."))
    run.closes_at = now + run.paused_remaining
    run.paused_remaining = None
    _save(run, "closes_at", "paused_remaining")
    _keep_deadline(run)
    return run


@transaction.atomic
def set_answers_locked(session: WorkshopSession, by, locked: bool) -> QuestionRun:
    """Refuse (or accept again) answers without closing the question."""
    run, _now = _open_run_for_update(session, by)
    run.answers_locked = locked
    return _save(run, "answers_locked")


DEADLINE_KIND = "question"


def _keep_deadline(run: QuestionRun) -> None:
    """After the commit, have every server process's timer close the run at
    its deadline (live.deadlines)."""
    run_id, closes_at = run.pk, run.closes_at
    transaction.on_commit(lambda: live.announce_deadline(DEADLINE_KIND, run_id, closes_at))


@transaction.atomic
def expire_question(run_id: int) -> bool:
    """Close a run whose countdown has run out; True if this call closed it.

    Called by every server process's timer (live.deadlines), as often as it
    likes: one conditional UPDATE, so of any number of callers at once exactly
    one closes an open run past its deadline, and only that one announces it.
    The deadline stays the closing time: the report shows when it closed.
    """
    closed = QuestionRun.objects.filter(
        pk=run_id, state=QuestionRun.State.OPEN, closes_at__lte=timezone.now()
    ).update(state=QuestionRun.State.CLOSED, paused_remaining=None, answers_locked=False)
    if not closed:
        return False
    session_id = QuestionRun.objects.values_list("session_id", flat=True).get(pk=run_id)
    live.changed(session_id, TOPIC_QUIZ)
    return True


def pending_deadlines() -> list[tuple[int, Any]]:
    """Every open run with a running countdown: (run id, deadline)."""
    return list(
        QuestionRun.objects.filter(
            state=QuestionRun.State.OPEN, closes_at__isnull=False
        ).values_list("pk", "closes_at")
    )


@transaction.atomic
def reveal_question(session: WorkshopSession, by) -> QuestionRun:
    """Close the question if it is still open and show the correct answer,
    the explanation and the results everywhere."""
    session = _facilitated(session, by)
    run = _run_for_update(session)
    if run.state == QuestionRun.State.DRAFT:
        raise DomainError("not_open", gettext_lazy("Open the question before revealing it."))
    if run.state == QuestionRun.State.OPEN:
        _close(run, timezone.now())
    run.state = QuestionRun.State.REVEALED
    run.show_results = True
    return _save(run, "state", "closes_at", "show_results", "paused_remaining", "answers_locked")


@transaction.atomic
def set_results_shown(session: WorkshopSession, by, shown: bool) -> QuestionRun:
    session = _facilitated(session, by)
    run = _run_for_update(session)
    run.show_results = shown
    return _save(run, "show_results")


@transaction.atomic
def set_leaderboard_shown(session: WorkshopSession, by, shown: bool) -> QuestionRun:
    session = _facilitated(session, by)
    run = _run_for_update(session)
    run.leaderboard_shown = shown
    return _save(run, "leaderboard_shown")


@transaction.atomic
def set_speed_bonus(session: WorkshopSession, by, on: bool) -> QuestionRun:
    session = _facilitated(session, by)
    run = _run_for_update(session)
    if run.state != QuestionRun.State.DRAFT:
        raise DomainError(
            "already_open", gettext_lazy("Set the speed bonus before opening the question.")
        )
    run.speed_bonus = on
    return _save(run, "speed_bonus")


# --- moderation of open text ------------------------------------------------------------


@transaction.atomic
def moderate_answer(session: WorkshopSession, by, answer_id: Any, *, action: str) -> Answer:
    """hide / show / approve an open-text answer of this session."""
    check_facilitator(session, by)
    try:
        answer = Answer.objects.select_related("run").get(pk=answer_id, run__session=session)
    except (Answer.DoesNotExist, ValueError, TypeError):
        raise NotFound("unknown_answer", gettext_lazy("No such answer in this session.")) from None
    if action == "hide":
        answer.hidden = True
    elif action == "show":
        answer.hidden = False
    elif action == "approve":
        answer.approved, answer.hidden = True, False
    else:
        raise DomainError("bad_action", gettext_lazy("Hide, show or approve an answer."))
    answer.save(update_fields=["hidden", "approved", "updated_at"])
    live.changed(session.pk, TOPIC_ANSWERS)
    return answer


# --- answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    answer_id: int
    run_id: int
    created: bool  # False: a resend, or a change of an earlier answer
    changed: bool


def submit_answer(
    participant_id: int, session_id: int, run_id: Any, raw_value: Any, client_id: str
) -> Submitted:
    """Store a participant's answer; returns once it is committed.

    Refused, changing nothing: a run of another session, a question that is
    not open (or whose timer ran out), a bad value. A resend of the same
    message (same ``client_id``) is harmless. A second answer replaces the
    first only where the question allows changes. One answer per participant
    per run is enforced by a unique constraint, so two phones of the same
    participant racing each other still store one row.

    Lean on purpose: two reads and one write in the common case.
    """
    if not isinstance(client_id, str) or not 0 < len(client_id) <= CLIENT_ID_MAX_LENGTH:
        raise DomainError(
            "bad_client_id", gettext_lazy("This answer has no valid id; reload the page.")
        )
    try:
        run = (
            QuestionRun.objects.select_related("question")
            .prefetch_related("question__choices")
            .get(pk=int(run_id), session_id=session_id)
        )
    except (QuestionRun.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            "unknown_question", gettext_lazy("This question is not part of your workshop.")
        ) from None
    now = timezone.now()
    if not is_accepting(run, now):
        raise refusal(run, now)
    question = run.question
    choices = list(question.choices.all())
    value = clean_value(question, choices, raw_value)
    is_correct = check_correct(question, choices, value)
    points = score(run, closeness(question, choices, value, is_correct), now)
    with transaction.atomic():
        existing = Answer.objects.filter(run=run, participant_id=participant_id).first()
        if existing is None:
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(
                        run=run,
                        participant_id=participant_id,
                        client_id=client_id,
                        value=value,
                        is_correct=is_correct,
                        points=points,
                    )
            except IntegrityError:
                # Another socket of this participant stored one first.
                existing = Answer.objects.get(run=run, participant_id=participant_id)
            else:
                live.changed(session_id, TOPIC_ANSWERS)
                return Submitted(answer.pk, run.pk, created=True, changed=True)
        if existing.client_id == client_id:
            return Submitted(existing.pk, run.pk, created=False, changed=False)  # a resend
        if existing.value == value:
            return Submitted(existing.pk, run.pk, created=False, changed=False)
        if not question.allow_change:
            raise DomainError(
                "already_answered", gettext_lazy("You have answered already; it cannot change.")
            )
        existing.client_id = client_id
        existing.value = value
        existing.is_correct = is_correct
        existing.points = points
        existing.approved = False if question.approve_first else existing.approved
        existing.save(
            update_fields=["client_id", "value", "is_correct", "points", "approved", "updated_at"]
        )
        live.changed(session_id, TOPIC_ANSWERS)
        return Submitted(existing.pk, run.pk, created=False, changed=True)


@dataclass(frozen=True)
class AnswerIn:
    participant_id: int
    session_id: int
    run_id: Any
    value: Any
    client_id: str


def submit_answers(items: list[AnswerIn]) -> list[Submitted | DomainError]:
    """Store many answers at once: the same rules as :func:`submit_answer`,
    in a constant number of queries whatever the batch size (runs, choices,
    existing answers, one bulk insert, one re-read), all committed together
    before any is acknowledged. Returns, per item, what was stored or why it
    was refused; a refusal changes nothing.
    """
    outcomes: list[Submitted | DomainError | None] = [None] * len(items)
    run_ids = set()
    for item in items:
        with contextlib.suppress(ValueError, TypeError):
            run_ids.add(int(item.run_id))
    runs = {
        run.pk: run
        for run in QuestionRun.objects.select_related("question")
        .prefetch_related("question__choices")
        .filter(pk__in=run_ids)
    }
    now = timezone.now()
    valid: list[tuple[int, AnswerIn, QuestionRun, Any, bool | None, int]] = []
    for index, item in enumerate(items):
        try:
            run = _check_run(runs, item, now)
            choices = list(run.question.choices.all())
            value = clean_value(run.question, choices, item.value)
            is_correct = check_correct(run.question, choices, value)
            points = score(run, closeness(run.question, choices, value, is_correct), now)
            valid.append((index, item, run, value, is_correct, points))
        except DomainError as error:
            outcomes[index] = error
    changed_sessions: set[int] = set()
    with transaction.atomic():
        pairs = {(run.pk, item.participant_id) for _i, item, run, *_rest in valid}
        existing = _answers_for(pairs)
        fresh: dict[tuple[int, int], Answer] = {}
        for _index, item, run, value, is_correct, points in valid:
            key = (run.pk, item.participant_id)
            if key not in existing and key not in fresh:
                fresh[key] = Answer(
                    run=run,
                    participant_id=item.participant_id,
                    client_id=item.client_id,
                    value=value,
                    is_correct=is_correct,
                    points=points,
                )
        if fresh:
            # A row another process stored meanwhile wins; re-read to see whose.
            Answer.objects.bulk_create(fresh.values(), ignore_conflicts=True)
            existing.update(_answers_for(set(fresh)))
        for index, item, run, value, is_correct, points in valid:
            key = (run.pk, item.participant_id)
            answer = existing[key]
            mine = fresh.get(key)
            if mine is not None and mine.client_id == item.client_id == answer.client_id:
                fresh.pop(key)  # later items of this batch for the same person change it
                outcomes[index] = Submitted(answer.pk, run.pk, created=True, changed=True)
                changed_sessions.add(run.session_id)
                continue
            try:
                outcomes[index] = _resubmit(answer, run, item, value, is_correct, points)
            except DomainError as error:
                outcomes[index] = error
            else:
                if outcomes[index].changed:
                    changed_sessions.add(run.session_id)
        for session_id in changed_sessions:
            live.changed(session_id, TOPIC_ANSWERS)
    return outcomes  # type: ignore[return-value]


def _check_run(runs: dict[int, QuestionRun], item: AnswerIn, now) -> QuestionRun:
    if not isinstance(item.client_id, str) or not 0 < len(item.client_id) <= CLIENT_ID_MAX_LENGTH:
        raise DomainError(
            "bad_client_id", gettext_lazy("This answer has no valid id; reload the page.")
        )
    try:
        run = runs.get(int(item.run_id))
    except (ValueError, TypeError):
        run = None
    if run is None or run.session_id != item.session_id:
        raise NotFound(
            "unknown_question", gettext_lazy("This question is not part of your workshop.")
        )
    if not is_accepting(run, now):
        raise refusal(run, now)
    return run


def _answers_for(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Answer]:
    if not pairs:
        return {}
    run_ids = {run for run, _p in pairs}
    participant_ids = {p for _r, p in pairs}
    return {
        (a.run_id, a.participant_id): a
        for a in Answer.objects.filter(run_id__in=run_ids, participant_id__in=participant_ids)
        if (a.run_id, a.participant_id) in pairs
    }


def _resubmit(
    existing: Answer, run: QuestionRun, item: AnswerIn, value: Any, is_correct, points: int
) -> Submitted:
    """A second answer of the same participant: a resend, the same answer, or a change."""
    if existing.client_id == item.client_id or existing.value == value:
        return Submitted(existing.pk, run.pk, created=False, changed=False)
    if not run.question.allow_change:
        raise DomainError("already_answered", "You have answered already; it cannot change.")
    existing.client_id = item.client_id
    existing.value = value
    existing.is_correct = is_correct
    existing.points = points
    existing.approved = False if run.question.approve_first else existing.approved
    existing.save(
        update_fields=["client_id", "value", "is_correct", "points", "approved", "updated_at"]
    )
    return Submitted(existing.pk, run.pk, created=False, changed=True)


def clean_value(question: Question, choices: list[Choice], raw: Any) -> Any:
    """The stored form of an answer, or a DomainError saying what is wrong."""
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SDG):
        picked = _int_list(raw)
        if not picked:
            raise DomainError("no_choice", gettext_lazy("Pick an answer first."))
        allowed = {c.pk for c in choices} if question.is_choice else set(range(1, 18))
        if any(p not in allowed for p in picked):
            raise DomainError(
                "invalid_choice", gettext_lazy("That is not one of the possible answers.")
            )
        if len(picked) > 1 and not question.accepts_several:
            raise DomainError("one_choice_only", gettext_lazy("Pick only one answer."))
        return sorted(set(picked))
    if kind == Question.Kind.NUMBER:
        number = _number(raw)
        if number is None:
            raise DomainError("not_a_number", gettext_lazy("Type a number."))
        low, high = question.number_min, question.number_max
        if (low is not None and number < low) or (high is not None and number > high):
            raise DomainError(
                "number_out_of_range",
                format_lazy(
                    gettext_lazy("Give a number between {low} and {high}."),
                    low=_fmt(low),
                    high=_fmt(high),
                ),
            )
        return int(number) if float(number).is_integer() else number
    if kind == Question.Kind.SCALE:
        number = _number(raw)
        if number is None or not float(number).is_integer():
            raise DomainError("not_a_number", gettext_lazy("Pick a point on the scale."))
        if not question.scale_min <= number <= question.scale_max:
            raise DomainError(
                "number_out_of_range",
                format_lazy(
                    gettext_lazy("Pick a value from {low} to {high}."),
                    low=question.scale_min,
                    high=question.scale_max,
                ),
            )
        return int(number)
    if kind == Question.Kind.RANKING:
        return _ranking(choices, raw)
    if kind == Question.Kind.POINTS:
        return _points(question, choices, raw)
    if kind == Question.Kind.TEXT:
        if not isinstance(raw, str):
            raise DomainError("not_text", gettext_lazy("Type a short answer."))
        # The socket refuses these in any frame; the no-JavaScript form comes here.
        if not storable(raw):
            raise DomainError(
                "bad_text", gettext_lazy("This text holds characters that cannot be stored.")
            )
        text = " ".join(raw.split())
        if not text:
            raise DomainError("empty_text", gettext_lazy("Type a short answer first."))
        if len(text) > question.max_length:
            raise DomainError(
                "text_too_long",
                format_lazy(
                    gettext_lazy("Keep it short: at most {max} characters."),
                    max=question.max_length,
                ),
            )
        return text
    raise DomainError("bad_question", gettext_lazy("This question cannot take answers."))


def _ranking(choices: list[Choice], raw: Any) -> list[int]:
    """Every option exactly once, first ranked first. The phones send the
    ids in order; the form without JavaScript sends each option's place,
    ``{id: place}``, which must be the places 1 to n, each once."""
    if isinstance(raw, dict):
        places = {
            _whole(k, "invalid_choice"): _whole(v, "ranking_repeated") for k, v in raw.items()
        }
        if len(places) != len(raw) or len(raw) > 64:
            raise DomainError(
                "invalid_choice", gettext_lazy("That is not one of the possible answers.")
            )
        if sorted(places.values()) != list(range(1, len(places) + 1)):
            raise DomainError(
                "ranking_repeated", gettext_lazy("Give each option its own place, from 1 down.")
            )
        order = sorted(places, key=places.__getitem__)
    else:
        order = _int_list(raw)
    ids = [c.pk for c in choices]
    if any(p not in ids for p in order):
        raise DomainError(
            "invalid_choice", gettext_lazy("That is not one of the possible answers.")
        )
    if len(set(order)) != len(order):
        raise DomainError("ranking_repeated", gettext_lazy("Each option can have one place only."))
    if len(order) != len(ids):
        raise DomainError(
            "ranking_incomplete", gettext_lazy("Put every option in your order, each once.")
        )
    return order


def _points(question: Question, choices: list[Choice], raw: Any) -> dict[str, int]:
    """Whole, non-negative points per option, adding up to the budget
    exactly; an option left out gets none. Stored for every option, in the
    options' order, keyed by choice id (JSON keys are strings)."""
    if not isinstance(raw, dict) or len(raw) > 64:
        raise DomainError("not_points", gettext_lazy("Share your points among the options."))
    given: dict[int, int] = {}
    for key, amount in raw.items():
        choice_id = _whole(key, "invalid_choice")
        if choice_id not in {c.pk for c in choices} or choice_id in given:
            raise DomainError(
                "invalid_choice", gettext_lazy("That is not one of the possible answers.")
            )
        given[choice_id] = _whole(amount, "points_not_whole", blank_is_zero=True)
        if given[choice_id] < 0:
            raise DomainError("points_negative", gettext_lazy("Points cannot be negative."))
    total, budget = sum(given.values()), question.points_budget
    if total > budget:
        raise DomainError(
            "points_over_budget",
            format_lazy(
                gettext_lazy("That is {over} points too many: share exactly {budget}."),
                over=total - budget,
                budget=budget,
            ),
        )
    if total < budget:
        raise DomainError(
            "points_under_budget",
            format_lazy(
                gettext_lazy("{left} points are still to share: share exactly {budget}."),
                left=budget - total,
                budget=budget,
            ),
        )
    return {str(c.pk): given.get(c.pk, 0) for c in choices}


def _whole(raw: Any, code: str, *, blank_is_zero: bool = False) -> int:
    """A whole number from JSON or a form field (20, 20.0, "20"), else a
    DomainError of that code; "-3" is whole, and left to the caller."""
    if blank_is_zero and raw == "":
        return 0
    number = None if isinstance(raw, str) and len(raw) > 12 else _number(raw)
    if number is None or not float(number).is_integer():
        messages = {
            "points_not_whole": gettext_lazy("Use whole points: 0, 1, 2 and so on."),
            "ranking_repeated": gettext_lazy("Give each option its own place, from 1 down."),
        }
        raise DomainError(
            code, messages.get(code, gettext_lazy("That is not one of the possible answers."))
        )
    return int(number)


def _int_list(raw: Any) -> list[int]:
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > 64:
        raise DomainError(
            "invalid_choice", gettext_lazy("That is not one of the possible answers.")
        )
    out = []
    for item in items:
        if isinstance(item, bool):
            raise DomainError(
                "invalid_choice", gettext_lazy("That is not one of the possible answers.")
            )
        if isinstance(item, int):
            out.append(item)
        elif isinstance(item, str) and item.strip().isdigit() and len(item) < 12:
            out.append(int(item))
        else:
            raise DomainError(
                "invalid_choice", gettext_lazy("That is not one of the possible answers.")
            )
    return out


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str) and len(raw) <= 30:
        try:
            number = float(raw.strip().replace(",", ".").replace(" ", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _fmt(number: float | None) -> str:
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else str(number)


def correct_value(question: Question, choices: list[Choice]) -> Any:
    """The correct answer in stored form, or None for a poll."""
    if question.is_choice:
        ids = sorted(c.pk for c in choices if c.correct)
        return ids or None
    if question.kind == Question.Kind.SDG:
        return sorted(question.correct_sdgs) or None
    if question.kind == Question.Kind.NUMBER:
        return question.number_correct
    if question.kind == Question.Kind.RANKING:
        return right_order(choices)
    return None


def right_order(choices: list[Choice]) -> list[int] | None:
    """The choice ids in the right order, when every option has its place."""
    ranks = [c.correct_rank for c in choices]
    if not choices or sorted(r or 0 for r in ranks) != list(range(1, len(choices) + 1)):
        return None
    return [c.pk for c in sorted(choices, key=lambda c: c.correct_rank or 0)]


def ranking_distance(order: list[int], right: list[int]) -> int:
    """How far an order is from the right one: the sum, over the options, of
    how many places each is from its own (Spearman's footrule). 0 is the
    right order; the reversed order is the farthest, at n²/2 rounded down."""
    place = {choice_id: index for index, choice_id in enumerate(right)}
    return sum(abs(index - place[choice_id]) for index, choice_id in enumerate(order))


def closeness(question: Question, choices: list[Choice], value: Any, is_correct) -> float:
    """The share of the points an answer earns: 1 if right, 0 if wrong or
    a poll; a ranking earns the share of the way it is from the farthest
    order to the right one, 1 - distance / (n²/2 rounded down)."""
    if question.kind != Question.Kind.RANKING or is_correct is None:
        return 1.0 if is_correct else 0.0
    right = right_order(choices) or []
    farthest = max(len(right) ** 2 // 2, 1)
    return 1 - ranking_distance(value, right) / farthest


def order_points(question: Question, choices: list[Choice], order: list[int]) -> int:
    """The points a ranking's order earns against the right order, before
    any speed bonus: what a phone shows at the reveal ("4 of 6"). Its twin
    in quizzes.js (orderPoints) computes it for the phones a reveal reaches
    as a push, which the whole room shares: keep the two in step."""
    return round(question.points * closeness(question, choices, order, True))


def check_correct(question: Question, choices: list[Choice], value: Any) -> bool | None:
    """True or False where the question has a correct answer, else None.

    Several correct options: right means exactly those (multiple choice, or
    "all 17" SDGs); one answer among several accepted ones is right too.
    """
    expected = correct_value(question, choices)
    if expected is None:
        return None
    if question.kind == Question.Kind.NUMBER:
        return abs(float(value) - float(expected)) <= question.number_tolerance
    if question.kind == Question.Kind.RANKING:
        return value == expected
    if question.accepts_several:
        return sorted(value) == expected
    return value[0] in expected


def score(run: QuestionRun, share: float, now) -> int:
    """The question's points times the share the answer earned (see
    :func:`closeness`), plus the speed bonus if it is on."""
    points = round(run.question.points * share)
    if points == 0:
        return 0
    if run.speed_bonus and run.opened_at:
        window = (
            (run.closes_at - run.opened_at).total_seconds()
            if run.closes_at
            else SPEED_BONUS_WINDOW_SECONDS
        )
        left = 1 - (now - run.opened_at).total_seconds() / max(window, 1)
        points += round(points * max(0.0, min(1.0, left)))
    return points


def participant_answer(run: QuestionRun, participant: Participant) -> Answer | None:
    return _PARTICIPANT_ANSWER.first(run_id=run.pk, participant_id=participant.pk)
