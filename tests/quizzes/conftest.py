"""A small quiz workshop: one step for each kind of question."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.models import Question
from workshop import services
from workshop.packs import import_pack, read_pack

QUIZ_PACK = Path(__file__).resolve().parent.parent / "data" / "quiz-pack.yaml"
# Ranking and points questions, with and without a right order or the default budget.
PRIORITIES_PACK = Path(__file__).resolve().parent.parent / "data" / "priorities-pack.yaml"


@pytest.fixture
def quiz_template(db):
    return import_pack(read_pack(QUIZ_PACK))


@pytest.fixture
def quiz_session(quiz_template, facilitator):
    return services.create_session(
        quiz_template, facilitator, group_count=2, base_url="http://testserver"
    )


def go_to_question(session, key: str, by):
    step = session.ordered_steps().get(question__key=key)
    return services.go_to_step(session, step.pk, by)


@pytest.fixture
def players(quiz_session):
    return [services.join_session(quiz_session.code, nickname=f"P{n}") for n in range(4)]


def question(key: str) -> Question:
    return Question.objects.get(key=key)


@pytest.fixture
def priorities_session(db, facilitator):
    template = import_pack(read_pack(PRIORITIES_PACK))
    return services.create_session(
        template, facilitator, group_count=2, base_url="http://testserver"
    )


@pytest.fixture
def people(priorities_session):
    return [services.join_session(priorities_session.code, nickname=f"P{n}") for n in range(4)]
