"""A participant's answers on their take-away page: each question the
session asked, what they answered, whether it was right, the right answer
and the explanation, in their language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from reports import registry
from workshop.models import Participant

from . import results, sdg_tiles
from .models import Answer, Choice, Question
from .report import asked_runs


@dataclass
class MyAnswer:
    question: Question
    given: str  # as the participant reads it; "" when they did not answer
    is_correct: bool | None  # None: not answered, or a question without a right answer
    correct: str  # the right answer, as the reveal shows it; "" for a poll


def my_answers(participant: Participant) -> dict[str, Any]:
    runs = list(asked_runs(participant.session).prefetch_related("question__choices"))
    mine = {a.run_id: a for a in Answer.objects.filter(participant=participant, run__in=runs)}
    items = [_my_answer(run.question, mine.get(run.pk)) for run in runs]
    if not items:
        return {}
    scored = [item for item in items if item.correct]
    right = sum(1 for item in scored if item.is_correct)
    return {"answers": items, "scored": len(scored), "right": right}


def _my_answer(question: Question, answer: Answer | None) -> MyAnswer:
    choices = sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
    return MyAnswer(
        question=question,
        given=given_text(question, choices, answer.value) if answer else "",
        is_correct=answer.is_correct if answer else None,
        # The label the reveal shows, so the take-away says it the same way.
        correct=results.tally_of(question, choices, []).correct_label,
    )


def given_text(question: Question, choices: list[Choice], value: Any) -> str:
    """An answer in stored form (choice ids, SDG numbers...) as people read it."""
    if question.is_choice:
        return ", ".join(c.text for c in choices if c.pk in value)
    if question.kind == Question.Kind.SDG:
        return ", ".join(
            gettext("SDG {n}: {name}").format(n=n, name=sdg_tiles.tile(n).short_name)
            for n in sorted(value)
        )
    if question.kind == Question.Kind.NUMBER:
        return f"{results.format_number(value)} {question.unit}".strip()
    if question.kind == Question.Kind.RANKING:
        by_id = {c.pk: c.text for c in choices}
        return ", ".join(f"{n}. {by_id[c]}" for n, c in enumerate(value, 1) if c in by_id)
    if question.kind == Question.Kind.POINTS:
        # In the choices' order: PostgreSQL's jsonb keeps its keys in an order of its own.
        return ", ".join(f"{c.text}: {value[str(c.pk)]}" for c in choices if value.get(str(c.pk)))
    return str(value)


def register() -> None:
    registry.register_takeaway_section("quiz", "quizzes/takeaway.html", my_answers, order=30)
