"""Domain operations of the SDG-mapping exercise: the only code that changes
runs and cards, and the only code that announces those changes.

Announced topics: "sdgrun" (the exercise's state: every stage re-renders) and
"sdgcards" (a card changed: the phones' cards, the control view's progress and
the projector's map; coalesced).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

import live
from workshop.errors import DomainError, NotAllowed, NotFound
from workshop.models import Participant, Step, WorkshopSession
from workshop.services import check_facilitator, check_not_ended

from .models import (
    REASONING_MAX_LENGTH,
    Allocation,
    CardEdit,
    ExerciseConfig,
    ExerciseRun,
    Goal,
    GroupCard,
    Target,
)

GOAL_NUMBERS = list(range(1, 18))


def _fmt(message, **values):
    """A translated message with values, still lazy: it becomes text in the
    language of whoever reads it (the phone's, the control view's)."""
    return lazy(lambda: str(message) % values, str)()


MAX_MINUTES = 180
FIELDS = {"rating", "target", "targets", "reasoning"}


# --- reading -------------------------------------------------------------------------


def run_for(session: WorkshopSession, step: Step | None) -> ExerciseRun | None:
    if step is None or step.kind != Step.Kind.EXERCISE:
        return None
    return (
        ExerciseRun.objects.select_related("spotlight").filter(session=session, step=step).first()
    )


def check_step_deletable(step: Step) -> str | None:
    """Deleting an exercise step would delete the groups' cards of every
    session that ran it (the runs cascade), and the report with them."""
    if ExerciseRun.objects.filter(step=step).exists():
        return _("Sessions ran this exercise: its step keeps their groups' work.")
    return None


def config_for(step: Step) -> ExerciseConfig:
    """The step's defaults (from its pack), or the built-in ones."""
    config = ExerciseConfig.objects.filter(step=step).first()
    return config or ExerciseConfig(step=step)


def share_out(group_ids: list[int], goals: list[int] = GOAL_NUMBERS) -> dict[str, list[int]]:
    """Deal the SDGs out like cards: every SDG goes to at least one group and
    group sizes differ by at most one. With more groups than SDGs, the SDGs
    are dealt again so that every group gets one."""
    shares: dict[str, list[int]] = {str(g): [] for g in group_ids}
    if not group_ids:
        return shares
    rounds = max(len(goals), len(group_ids))
    for index in range(rounds):
        goal = goals[index % len(goals)]
        group = str(group_ids[index % len(group_ids)])
        if goal not in shares[group]:
            shares[group].append(goal)
    return {g: sorted(numbers) for g, numbers in shares.items()}


# --- the facilitator ------------------------------------------------------------------


def _current_exercise(session: WorkshopSession) -> Step:
    step = session.current_step
    if step is None or step.kind != Step.Kind.EXERCISE:
        raise DomainError("not_an_exercise", _("The current step is not the SDG exercise."))
    return step


def _locked_run(session: WorkshopSession) -> ExerciseRun:
    step = _current_exercise(session)
    run = ExerciseRun.objects.select_for_update().filter(session=session, step=step).first()
    if run is None:
        raise DomainError("exercise_not_started", _("Start the exercise first."))
    return run


@transaction.atomic
def start_exercise(
    session: WorkshopSession, by, *, allocation: str, minutes: int | str | None
) -> ExerciseRun:
    """Open the exercise of the current step; closed, it opens again with the
    same allocation and every card kept."""
    check_facilitator(session, by)
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    check_not_ended(session)
    step = _current_exercise(session)
    if allocation not in Allocation.values:
        raise DomainError("bad_allocation", _("Choose all 17 SDGs per group, or share them out."))
    try:
        minutes = int(minutes or 0)
    except (TypeError, ValueError):
        raise DomainError("bad_minutes", _("The timer is a number of minutes.")) from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise DomainError(
            "bad_minutes", _fmt(_("The timer runs from 0 to %(max)s minutes."), max=MAX_MINUTES)
        )
    group_ids = list(session.groups.values_list("pk", flat=True))
    if not group_ids:
        raise DomainError("no_groups", _("Set up the groups first: cards belong to groups."))
    run, _created = ExerciseRun.objects.get_or_create(session=session, step=step)
    if run.is_open:  # open past its deadline is closed, and reopens
        raise DomainError("already_open", _("The exercise is already open."))
    now = timezone.now()
    if run.state == ExerciseRun.State.NOT_STARTED:
        run.allocation = allocation
        run.assignments = share_out(group_ids) if allocation == Allocation.SHARED else {}
        run.started_at = now
    run.state = ExerciseRun.State.OPEN
    run.ends_at = now + timedelta(minutes=minutes) if minutes else None
    run.closed_at = None
    run.save()
    live.changed(session.pk, "sdgrun")
    _keep_deadline(run)
    return run


@transaction.atomic
def add_time(session: WorkshopSession, by, minutes: int = 5) -> ExerciseRun:
    check_facilitator(session, by)
    run = _locked_run(session)
    if not run.is_open:
        raise DomainError("exercise_not_open", _("The exercise is not open."))
    base = max(run.ends_at or timezone.now(), timezone.now())
    run.ends_at = base + timedelta(minutes=minutes)
    run.save(update_fields=["ends_at"])
    live.changed(session.pk, "sdgrun")
    _keep_deadline(run)
    return run


@transaction.atomic
def close_exercise(session: WorkshopSession, by) -> ExerciseRun:
    """After closing, the cards are read-only."""
    check_facilitator(session, by)
    run = _locked_run(session)
    if run.state != ExerciseRun.State.OPEN:
        raise DomainError("exercise_not_open", _("The exercise is not open."))
    run.state = ExerciseRun.State.CLOSED
    run.closed_at = _closing_time(run)
    run.save(update_fields=["state", "closed_at"])
    live.changed(session.pk, "sdgrun")
    _keep_deadline(run)
    return run


def _closing_time(run: ExerciseRun):
    """Now, or the deadline if it already passed: the report shows when it closed."""
    now = timezone.now()
    return run.ends_at if run.time_is_up(now) else now


DEADLINE_KIND = "exercise"


def _keep_deadline(run: ExerciseRun) -> None:
    """After the commit, have every server process's timer close the
    exercise at its deadline, or forget it (closed, no timer)."""
    run_id = run.pk
    closes_at = run.ends_at if run.state == ExerciseRun.State.OPEN else None
    transaction.on_commit(lambda: live.announce_deadline(DEADLINE_KIND, run_id, closes_at))


@transaction.atomic
def expire_exercise(run_id: int) -> bool:
    """Close an exercise whose timer has run out; True if this call closed it.

    Called by every server process's timer (live.deadlines), as often as it
    likes: one conditional UPDATE, so of any number of callers at once exactly
    one closes an open run past its deadline, and only that one announces it.
    """
    closed = ExerciseRun.objects.filter(
        pk=run_id, state=ExerciseRun.State.OPEN, ends_at__lte=timezone.now()
    ).update(state=ExerciseRun.State.CLOSED, closed_at=F("ends_at"))
    if not closed:
        return False
    session_id = ExerciseRun.objects.values_list("session_id", flat=True).get(pk=run_id)
    live.changed(session_id, "sdgrun")
    return True


def pending_deadlines() -> list[tuple[int, Any]]:
    """Every open exercise with a timer: (run id, deadline)."""
    return list(
        ExerciseRun.objects.filter(state=ExerciseRun.State.OPEN, ends_at__isnull=False).values_list(
            "pk", "ends_at"
        )
    )


@transaction.atomic
def reveal_reference(session: WorkshopSession, by) -> ExerciseRun:
    """Show the template's reference mapping, or with none the groups' map
    alone; closes the exercise if it is still open."""
    check_facilitator(session, by)
    run = _locked_run(session)
    if run.state == ExerciseRun.State.NOT_STARTED:
        raise DomainError("exercise_not_started", _("Start the exercise first."))
    run.closed_at = run.closed_at if run.state != ExerciseRun.State.OPEN else _closing_time(run)
    run.state = ExerciseRun.State.REVEALED
    run.save(update_fields=["state", "closed_at"])
    live.changed(session.pk, "sdgrun")
    _keep_deadline(run)
    return run


@transaction.atomic
def set_spotlight(session: WorkshopSession, by, goal_number: int | str | None) -> ExerciseRun:
    """Put one SDG in the spotlight on the projector (None: back to the map)."""
    check_facilitator(session, by)
    run = _locked_run(session)
    goal = _goal(goal_number) if goal_number not in (None, "") else None
    run.spotlight = goal
    run.save(update_fields=["spotlight"])
    live.changed(session.pk, "sdgrun")
    return run


@transaction.atomic
def set_reasoning_hidden(
    session: WorkshopSession, by, card_id: int | str | None, hidden: bool
) -> GroupCard:
    """Hide a group's reasoning from the projector (the group still sees it)."""
    check_facilitator(session, by)
    run = _locked_run(session)
    try:
        card = GroupCard.objects.select_for_update().get(run=run, pk=card_id)
    except (GroupCard.DoesNotExist, ValueError, TypeError):
        raise NotFound("unknown_card", _("No such card in this exercise.")) from None
    card.reasoning_hidden = hidden
    card.save(update_fields=["reasoning_hidden"])
    live.changed(session.pk, "sdgrun")
    return card


# --- the groups ---------------------------------------------------------------------


def _goal(number: Any) -> Goal:
    try:
        return Goal.objects.get(number=int(number))
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            "unknown_sdg", _("There is no such SDG: pick one of the 17 goals.")
        ) from None


def _open_run_for(participant: Participant, step_id: Any = None) -> ExerciseRun:
    session = participant.session
    check_not_ended(session)
    if participant.group_id is None:
        raise NotAllowed("not_in_group", _("Join a group first: cards belong to groups."))
    step = session.current_step
    if step is None or step.kind != Step.Kind.EXERCISE:
        raise DomainError("exercise_not_open", _("The SDG exercise is not open right now."))
    if step_id not in (None, "") and str(step_id) != str(step.pk):
        raise DomainError(
            "exercise_not_open", _("This exercise is no longer on; nothing was saved.")
        )
    run = ExerciseRun.objects.filter(session=session, step=step).first()
    if run is None or run.state == ExerciseRun.State.NOT_STARTED:
        raise DomainError(
            "exercise_not_open", _("The facilitator has not started the exercise yet.")
        )
    if run.state == ExerciseRun.State.OPEN and run.time_is_up():
        # The stored deadline holds whether or not a timer has closed it yet.
        raise DomainError(
            "time_is_up", _("Time is up: the exercise is closed; the cards are read-only.")
        )
    if run.state != ExerciseRun.State.OPEN:
        raise DomainError("exercise_closed", _("The exercise is closed; the cards are read-only."))
    return run


def _card_for_update(run: ExerciseRun, participant: Participant, goal: Goal) -> GroupCard:
    if goal.number not in run.goal_numbers_for(participant.group_id):
        raise NotAllowed(
            "sdg_not_assigned", _fmt(_("SDG %(n)s is not one of your group's."), n=goal.number)
        )
    try:
        with transaction.atomic():
            card, _created = GroupCard.objects.get_or_create(
                run=run, group_id=participant.group_id, goal=goal
            )
    except IntegrityError:  # a teammate created it at the same moment
        card = GroupCard.objects.get(run=run, group_id=participant.group_id, goal=goal)
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join.
    return (
        GroupCard.objects.select_for_update(of=("self",))
        .select_related("reasoning_by")
        .get(pk=card.pk)
    )


def _result(card: GroupCard, outcome: str, *, unchanged: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "sdg": card.goal.number,
        "version": card.version,
        "reasoning_version": card.reasoning_version,
        "outcome": outcome,
        "unchanged": unchanged,
    }
    if outcome == CardEdit.Outcome.CONFLICT:
        result["current_text"] = card.reasoning
        result["changed_by"] = card.reasoning_by.nickname if card.reasoning_by else ""
    return result


def _clean(goal: Goal, field: str, value: Any) -> Any:
    """Validate one field's new value; raise with a clear message."""
    if field == "rating":
        if value in (None, ""):
            return ""
        if value not in GroupCard.Rating.values:
            raise DomainError("bad_rating", _("Rate with none, some or strong."))
        return value
    if field == "reasoning":
        # NUL: PostgreSQL cannot store it (a plain form can send one; sockets refuse it).
        if not isinstance(value, str) or "\x00" in value:
            raise DomainError("bad_reasoning", _("The reasoning must be text."))
        text = value.replace("\r\n", "\n").strip()
        if len(text) > REASONING_MAX_LENGTH:
            raise DomainError(
                "reasoning_too_long",
                _fmt(
                    _("Keep the reasoning to %(max)s characters (this one has %(n)s)."),
                    max=REASONING_MAX_LENGTH,
                    n=len(text),
                ),
            )
        return text
    if field == "target":
        if not isinstance(value, dict) or not isinstance(value.get("code"), str):
            raise DomainError("bad_target", _("Pick a target by its code, e.g. 10.7."))
        _target(goal, value["code"])
        return {"code": value["code"], "on": bool(value.get("on"))}
    if field == "targets":
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise DomainError("bad_target", _("Pick targets by their codes, e.g. 10.7."))
        for code in value:
            _target(goal, code)
        return sorted(set(value))
    raise DomainError("bad_field", _("Unknown part of a card."))


def _target(goal: Goal, code: str) -> Target:
    target = Target.objects.filter(code=code).first()
    if target is None:
        raise NotFound(
            "unknown_target", _fmt(_("There is no SDG target %(code)s."), code=code[:10])
        )
    if target.goal_id != goal.pk:
        raise DomainError(
            "target_of_other_sdg",
            _fmt(_("Target %(code)s belongs to SDG %(n)s."), code=code, n=code.split(".")[0]),
        )
    return target


@transaction.atomic
def edit_card(
    participant: Participant,
    *,
    sdg: Any,
    field: str,
    value: Any,
    base_version: Any = None,
    client_id: str = "",
    step_id: Any = None,
) -> dict[str, Any]:
    """Change one field of the participant's group card for SDG ``sdg``.

    - Targets change one at a time (``target``: {code, on}), so two members
      ticking different targets never undo each other.
    - Rating: the last write wins, and every member's phone shows it at once.
    - Reasoning: sent with the ``base_version`` (the card's reasoning_version
      the member started typing from). If a teammate changed the text since,
      the new text is kept in the history but not applied, and the result
      says who changed it and what it says now (outcome "conflict").
    - ``client_id`` (the socket message id) makes a resend return the first
      result without changing anything again.

    Refusals raise DomainError and change nothing.
    """
    participant = Participant.objects.select_related("session__current_step").get(pk=participant.pk)
    client_id = client_id if isinstance(client_id, str) else ""
    if client_id:
        earlier = (
            CardEdit.objects.select_related("card__goal", "card__reasoning_by")
            .filter(participant=participant, client_id=client_id)
            .first()
        )
        if earlier is not None:
            return _result(earlier.card, earlier.outcome)
    if field not in FIELDS:
        raise DomainError("bad_field", _("Unknown part of a card."))
    run = _open_run_for(participant, step_id)
    goal = _goal(sdg)
    value = _clean(goal, field, value)
    card = _card_for_update(run, participant, goal)
    try:
        base = int(base_version) if base_version not in (None, "") else None
    except (TypeError, ValueError):
        raise DomainError("bad_version", _("The card version must be a number.")) from None

    if field == "reasoning":
        if value == card.reasoning:
            return _result(card, CardEdit.Outcome.APPLIED, unchanged=True)
        stale = base is not None and base < card.reasoning_version
        if stale and card.reasoning_by_id not in (None, participant.pk):
            _record(card, participant, client_id, field, value, base, CardEdit.Outcome.CONFLICT)
            return _result(card, CardEdit.Outcome.CONFLICT)
        card.reasoning = value
        card.reasoning_by = participant
        card.reasoning_version = card.version + 1
        changed = ["reasoning", "reasoning_by", "reasoning_version"]
    elif field == "rating":
        if value == card.rating:
            return _result(card, CardEdit.Outcome.APPLIED, unchanged=True)
        card.rating = value
        changed = ["rating"]
    else:
        current = set(card.targets.values_list("code", flat=True))
        if field == "target":
            wanted = current | {value["code"]} if value["on"] else current - {value["code"]}
        else:
            wanted = set(value)
        if wanted == current:
            return _result(card, CardEdit.Outcome.APPLIED, unchanged=True)
        card.targets.set(Target.objects.filter(code__in=wanted))
        changed = []

    card.version += 1
    card.updated_by = participant
    card.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
    _record(card, participant, client_id, field, value, base, CardEdit.Outcome.APPLIED)
    live.changed(participant.session_id, "sdgcards")
    return _result(card, CardEdit.Outcome.APPLIED)


def _record(
    card: GroupCard,
    participant: Participant,
    client_id: str,
    field: str,
    value: Any,
    base: int | None,
    outcome: str,
) -> None:
    CardEdit.objects.create(
        card=card,
        participant=participant,
        client_id=client_id[:64],
        field=field,
        value=value,
        base_version=base,
        outcome=outcome,
    )


def save_card_form(
    participant: Participant,
    *,
    sdg: Any,
    rating: str,
    targets: list[str],
    reasoning: str,
    base_version: Any,
    step_id: Any = None,
) -> list[dict[str, Any]]:
    """The no-JavaScript form: the whole card at once, field by field, in one
    transaction. Returns each field's result (a reasoning conflict included)."""
    with transaction.atomic():
        return [
            edit_card(participant, sdg=sdg, field=f, value=v, base_version=b, step_id=step_id)
            for f, v, b in (
                ("rating", rating, None),
                ("targets", targets, None),
                ("reasoning", reasoning, base_version),
            )
        ]
