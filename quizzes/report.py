"""The quiz in the workshop report and the exports: every question's
results, counted per choice (not per string, so languages add up), with
labels in English, French and Dutch so the report reads in any of them,
also after the participants are purged."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reports import registry
from reports.services import pseudonyms
from workshop.models import WorkshopSession
from workshop.packs import text_of

from . import results, sdg_tiles
from .models import Answer, Question, QuestionRun

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def asked_runs(session: WorkshopSession):
    return (
        QuestionRun.objects.filter(session=session)
        .exclude(state=QuestionRun.State.DRAFT)
        .select_related("question", "step")
        .order_by("step__position", "created_at", "id")
    )


def quiz_summary(session: WorkshopSession) -> dict[str, Any]:
    questions = []
    for run in asked_runs(session):
        question = run.question
        choices = list(question.choices.order_by("position", "id"))
        tallies = {}
        for language in LANGUAGES:
            with translation.override(language):
                tallies[language] = results.tally(run, question, choices)
        tally = tallies["en"]
        bars = [
            {
                "label": {lang: tallies[lang].bars[i].label for lang in LANGUAGES},
                "count": bar.count,
                "correct": bar.correct,
            }
            | (
                {"mean": bar.mean, "spread": bar.spread, "right_place": bar.right_place}
                if question.kind == Question.Kind.RANKING
                else {}
            )
            for i, bar in enumerate(tally.bars)
        ]
        questions.append(
            {
                "key": question.key,
                "kind": question.kind,
                "text": text_of(question, "text") or {"en": question.key},
                "state": run.state,
                "answers": tally.total,
                "right": tally.right if question.has_correct_answer(choices) else None,
                "mean": tally.mean,
                "median": tally.median,
                "unit": question.unit,
                "bars": bars,
                "words": [{"label": w.label, "count": w.count} for w in tally.words],
            }
        )
    return {"questions": questions} if questions else {}


def _answer_text(question: Question, choices: dict[int, Any], value: Any) -> tuple[str, str]:
    """The answer as people read it, and as language-free keys (choice
    positions, SDG numbers)."""
    if question.is_choice:
        picked = [choices[c] for c in value if c in choices]
        return "; ".join(c.text for c in picked), " ".join(str(c.position) for c in picked)
    if question.kind == Question.Kind.SDG:
        names = [f"{n} {sdg_tiles.tile(n).short_name}" for n in value]
        return "; ".join(names), " ".join(str(n) for n in value)
    if question.kind == Question.Kind.RANKING:
        # "1. Data; 2. Rights", and the choice numbers in the order given.
        ranked = [choices[c] for c in value if c in choices]
        text = "; ".join(f"{place}. {c.text}" for place, c in enumerate(ranked, start=1))
        return text, " ".join(str(c.position) for c in ranked)
    if question.kind == Question.Kind.POINTS:
        # "Data: 60; Rights: 40", and "choice number:points" for every choice.
        # In the choices' order: PostgreSQL's jsonb keeps its keys in an order of its own.
        ordered = sorted(choices.values(), key=lambda c: (c.position, c.pk))
        shares = [(c, value[str(c.pk)]) for c in ordered if str(c.pk) in value]
        text = "; ".join(f"{c.text}: {points}" for c, points in shares if points)
        return text, " ".join(f"{c.position}:{points}" for c, points in shares)
    return str(value), ""


def answers_csv(session: WorkshopSession):
    names = pseudonyms(session)
    header = [
        _("question"),
        _("question text"),
        _("participant"),
        _("group"),
        _("answer given"),
        _("choice numbers"),
        _("correct"),
        _("points"),
        _("answered at"),
    ]
    rows = []
    for run in asked_runs(session):
        question = run.question
        choices = {c.pk: c for c in question.choices.all()}
        answers = (
            Answer.objects.filter(run=run)
            .select_related("participant__group")
            .order_by("created_at", "id")
        )
        for answer in answers:
            text, keys = _answer_text(question, choices, answer.value)
            group = answer.participant.group
            rows.append(
                [
                    question.key,
                    question.text,
                    names.get(answer.participant_id, ""),
                    group.name if group else "",
                    text,
                    keys,
                    "" if answer.is_correct is None else answer.is_correct,
                    answer.points,
                    answer.created_at,
                ]
            )
    return header, rows


def register() -> None:
    registry.register_summary_section("quiz", quiz_summary, order=30)
    registry.register_report_section("quiz", "quizzes/report.html", order=30)
    registry.register_export("answers", _("Answers per question"), answers_csv, order=30)
