"""The run of show of a workshop template: its steps in order.

Positions are dense and unique per template (1..n, the
``step_position_unique_in_template`` constraint). Every change of the order
goes through ``_write_order``, inside a transaction that holds the
template's row lock, so two editors never interleave their renumbering.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, F, Max, Value, When

from .models import Step, WorkshopTemplate


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
