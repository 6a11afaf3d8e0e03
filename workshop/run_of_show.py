"""The run of show of a workshop template: its steps in order.

Positions are dense and unique per template (1..n, the
``step_position_unique_in_template`` constraint). Every change of the order
goes through ``_write_order``, inside a transaction that holds the
template's row lock, so two editors never interleave their renumbering.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Max, Q, QuerySet, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

import live

from .errors import DomainError, NotFound
from .models import Step, WorkshopSession, WorkshopTemplate

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Kinds the editor inserts; a question step also names its question.
INSERTABLE_KINDS = (Step.Kind.CONTENT, Step.Kind.QUESTION, Step.Kind.LOBBY, Step.Kind.EXERCISE)


@dataclass(frozen=True)
class InsertableKind:
    """A kind of step an app lets the editor insert (the slides app: a
    slide step). The core does not import the apps; each registers this."""

    kind: str
    # Included in every insert form, after the core's fields; it reads the
    # context below and ``insert`` (a refused form's values).
    fields_template: str
    # What those fields need, computed once per editor page.
    context: Callable[[WorkshopTemplate], dict[str, Any]]
    # Fills the new step from the form's values, or raises DomainError;
    # returns the title for a step the editor gave none. Called with the
    # template's lock held, before the step is saved.
    fill: Callable[[WorkshopTemplate, Step, Mapping[str, str]], str]


_APP_KINDS: dict[str, InsertableKind] = {}


def register_insertable_kind(spec: InsertableKind) -> None:
    _APP_KINDS[spec.kind] = spec


def insertable_kinds() -> list[str]:
    """Every kind the editor inserts: the core's, then the apps'."""
    return [*INSERTABLE_KINDS, *(k for k in _APP_KINDS if k not in INSERTABLE_KINDS)]


def app_insert_kinds() -> list[InsertableKind]:
    return list(_APP_KINDS.values())


# Apps whose rows would go with a deleted step say why it must stay (the
# SDG exercise: the groups' work of past sessions). Each returns a message
# or None; the core does not import the apps.
DeleteCheck = Callable[[Step], str | None]
_DELETE_CHECKS: list[DeleteCheck] = []


def register_delete_check(check: DeleteCheck) -> None:
    _DELETE_CHECKS.append(check)


def lock_template(template: WorkshopTemplate) -> WorkshopTemplate:
    """Re-read the template under its row lock (SQLite: the IMMEDIATE
    transaction already serialises writers). Call inside a transaction."""
    return WorkshopTemplate.objects.select_for_update().get(pk=template.pk)


def step_ids(template: WorkshopTemplate) -> list[int]:
    """The template's steps' ids in run-of-show order (position, then id)."""
    return list(template.ordered_steps().values_list("id", flat=True))


def next_position(template: WorkshopTemplate) -> int:
    """A free position after every step: where a new step is created
    before it is moved to its place."""
    top = template.steps.aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


@transaction.atomic
def renumber(template: WorkshopTemplate) -> None:
    """Positions 1..n in the current order: closes the gaps a deletion
    leaves, and breaks ties by creation (the order steps showed in)."""
    lock_template(template)
    _write_order(template, step_ids(template))


def _write_order(template: WorkshopTemplate, ordered_ids: list[int]) -> None:
    """Give the steps ``ordered_ids`` (all of the template's, in their new
    order) the positions 1..n. Caller holds the template's lock.

    Two phases, because PostgreSQL and SQLite check a unique constraint row
    by row, not at the end of the statement: first every step is parked
    above both the highest position and n (no parked value can meet an old
    or a final one), then each gets its final position.
    """
    steps = Step.objects.filter(template=template)
    current = dict(steps.values_list("id", "position"))
    if sorted(current) != sorted(ordered_ids):
        raise ValueError("the new order must name every step of the template once")
    final = {pk: number for number, pk in enumerate(ordered_ids, start=1)}
    if current == final:
        return
    park = max(max(current.values(), default=0), len(ordered_ids)) + 1
    steps.update(position=F("position") + park)
    steps.update(position=Case(*(When(pk=pk, then=Value(n)) for pk, n in final.items())))


def _announce(template: WorkshopTemplate) -> None:
    """Control views of the template's open sessions show the new agenda.
    Their current step is a reference to the step itself, so no order
    change moves a session off it."""
    open_sessions = template.sessions.exclude(status=WorkshopSession.Status.ENDED)
    for session_id in open_sessions.values_list("pk", flat=True):
        live.changed(session_id, "run_of_show")


def _index_of(ids: list[int], step_id: object) -> int:
    try:
        return ids.index(int(step_id))  # type: ignore[call-overload]
    except (ValueError, TypeError):
        raise NotFound("unknown_step", _("That step is not part of this workshop.")) from None


# --- moving ---------------------------------------------------------------------


@transaction.atomic
def move_step(template: WorkshopTemplate, step_id: object, to: object) -> Step:
    """Put the step at position ``to`` (1..n); the others keep their order."""
    template = lock_template(template)
    ids = step_ids(template)
    index = _index_of(ids, step_id)
    try:
        target = int(to)  # type: ignore[call-overload]
    except (ValueError, TypeError):
        target = 0
    if not 1 <= target <= len(ids):
        raise DomainError(
            "bad_position", _("Choose a position from 1 to %(count)d.") % {"count": len(ids)}
        )
    moved = ids.pop(index)
    ids.insert(target - 1, moved)
    _write_order(template, ids)
    _announce(template)
    return Step.objects.get(pk=moved)


def move_step_by(template: WorkshopTemplate, step_id: object, offset: int) -> Step:
    """One place up (-1) or down (+1); an error at either end."""
    with transaction.atomic():
        template = lock_template(template)
        ids = step_ids(template)
        target = _index_of(ids, step_id) + offset
        if target < 0:
            raise DomainError("already_first", _("This step is already the first."))
        if target >= len(ids):
            raise DomainError("already_last", _("This step is already the last."))
        return move_step(template, step_id, target + 1)


# --- inserting --------------------------------------------------------------------


def questions_for(template: WorkshopTemplate) -> QuerySet:
    """The questions a step of the template may ask: its own quiz's (the
    quiz named by its slug) and any its steps already ask."""
    return (
        _question_model()
        .objects.filter(Q(quiz__key=template.slug) | Q(steps__template=template))
        .distinct()
        .order_by("position", "id")
    )


@transaction.atomic
def insert_step(
    template: WorkshopTemplate,
    *,
    after: object,
    kind: str,
    title: str = "",
    body: str = "",
    question_id: object = None,
    values: Mapping[str, str] | None = None,
) -> Step:
    """A new step right after step ``after`` (None or "": first).
    ``values``: the insert form's, for the fields of a kind an app
    registered (``register_insertable_kind``).

    The title and body are written in the editor's language and in English,
    the language every other one falls back to, so every audience sees them
    until they are translated in the admin. A question step without a title
    takes its question's text, in each language the question has.
    """
    template = lock_template(template)
    ids = step_ids(template)
    index = 0 if after in (None, "", "0") else _index_of(ids, after) + 1
    app_kind = _APP_KINDS.get(kind)
    if kind not in INSERTABLE_KINDS and app_kind is None:
        raise DomainError("bad_kind", _("Choose a kind of step."))
    question = _question_of(template, question_id) if kind == Step.Kind.QUESTION else None
    title, body = " ".join(title.split()), body.strip()
    step = Step(template=template, position=next_position(template), kind=kind, question=question)
    if app_kind is not None:
        # Filled (and checked) whether or not a title was typed.
        default_title = app_kind.fill(template, step, values or {})
        title = title or " ".join(default_title.split())
    if not title and question is None:
        raise DomainError("title_required", _("Give the step a title."))
    _set_texts(step, title, body, question)
    step.save()
    ids.insert(index, step.pk)
    _write_order(template, ids)
    step.refresh_from_db(fields=["position"])
    _announce(template)
    return step


def _question_model():
    # The quiz app's Question, through the step's reference to it: the core
    # does not import the apps that build on it.
    return Step._meta.get_field("question").related_model


def _question_of(template: WorkshopTemplate, question_id: object):
    if question_id in (None, ""):
        raise DomainError("question_required", _("Choose the question this step asks."))
    try:
        return questions_for(template).get(pk=int(question_id))  # type: ignore[call-overload]
    except (ValueError, TypeError, _question_model().DoesNotExist):
        raise NotFound(
            "unknown_question", _("That question is not one of this workshop's.")
        ) from None


def _set_texts(step: Step, title: str, body: str, question) -> None:
    languages = {"en", get_language() if get_language() in LANGUAGES else "en"}
    if title:
        for language in languages:
            setattr(step, f"title_{language}", title[:200])
    else:  # the question's own text, in every language it has
        for language in LANGUAGES:
            setattr(step, f"title_{language}", (getattr(question, f"text_{language}") or "")[:200])
    for language in languages:
        setattr(step, f"body_{language}", body)


# --- deleting ---------------------------------------------------------------------


@transaction.atomic
def delete_step(template: WorkshopTemplate, step_id: object) -> str:
    """Delete the step and close the gap; returns its title. Refused while a
    session that has not ended is on it, or when an app keeps rows of it."""
    template = lock_template(template)
    ids = step_ids(template)
    step = Step.objects.get(pk=ids[_index_of(ids, step_id)])
    on_it = WorkshopSession.objects.filter(current_step=step).exclude(
        status=WorkshopSession.Status.ENDED
    )
    if on_it.exists():
        raise DomainError(
            "step_in_use", _("A session is on this step now: move it on before deleting the step.")
        )
    for check in _DELETE_CHECKS:
        if (reason := check(step)) is not None:
            raise DomainError("step_has_results", reason)
    title = step.title
    step.delete()
    _write_order(template, step_ids(template))
    _announce(template)
    return title


def write_order(template: WorkshopTemplate, ordered_ids: list[int]) -> None:
    """Give the steps ``ordered_ids`` (every step of the template) the
    positions 1..n, and tell the control views. Caller holds the template's
    lock (``lock_template``): for apps that place many steps at once, such
    as a deck's slides."""
    _write_order(template, ordered_ids)
    _announce(template)
