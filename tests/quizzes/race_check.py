"""Truly parallel transactions, from threads with their own database
connections: 50 participants each answer twice at the same moment, and
eight server processes' timers close one question at its deadline at once.

Not collected by default (its name does not start with ``test_``):
test_concurrency.py runs it in a subprocess against SQLite (a file) and
PostgreSQL, with tests/quizzes/race_settings.py.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

import live
from quizzes import services
from quizzes.models import Answer, QuestionRun
from workshop import services as workshop_services
from workshop.errors import DomainError

from .conftest import go_to_question

PARTICIPANTS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_participants_answering_twice_at_once_store_fifty_answers(quiz_session, facilitator):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    run = services.open_question(session, facilitator)
    people = [
        workshop_services.join_session(session.code, nickname=f"N{n}") for n in range(PARTICIPANTS)
    ]
    # The two answers of each participant start together; ten participants
    # at a time (20 connections: PostgreSQL's 100 are shared with other runs).
    together = {p.pk: threading.Barrier(2) for p in people}

    def answer(person, attempt: int):
        # Two phones of one participant: the same answer, or a changed one.
        value = [10] if attempt == 0 or person.pk % 2 else [person.pk % 17 + 1]
        try:
            together[person.pk].wait(timeout=30)
            return services.submit_answer(
                person.pk, session.pk, run.pk, value, f"{person.pk}-{attempt}"
            )
        except DomainError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(answer, p, a) for p in people for a in (0, 1)]
        outcomes = [f.result(timeout=120) for f in futures]

    assert not [o for o in outcomes if isinstance(o, DomainError)], outcomes
    assert sum(1 for o in outcomes if o.created) == PARTICIPANTS
    assert Answer.objects.filter(run=run).count() == PARTICIPANTS
    print(f"parallel answers on {connection.vendor}: {PARTICIPANTS} stored")  # noqa: T201


CLOSERS = 8


@pytest.mark.django_db(transaction=True)
def test_closers_racing_at_a_deadline_close_it_once_and_announce_it_once(
    quiz_session, facilitator, monkeypatch
):
    """Every server process's timer fires at the same deadline: of the
    processes that call expire_question at once, exactly one closes the run
    and only that one announces it."""
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    run = services.open_question(session, facilitator, timer_seconds=60)
    QuestionRun.objects.filter(pk=run.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    announced = []
    monkeypatch.setattr(live, "changed", lambda session_id, *topics, **_: announced.append(topics))
    together = threading.Barrier(CLOSERS)

    def close():
        try:
            together.wait(timeout=30)
            return services.expire_question(run.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=CLOSERS) as pool:
        closed = [f.result(timeout=60) for f in [pool.submit(close) for _ in range(CLOSERS)]]

    assert closed.count(True) == 1, closed
    assert announced == [(services.TOPIC_QUIZ,)]
    assert QuestionRun.objects.get(pk=run.pk).state == QuestionRun.State.CLOSED
    print(f"racing closers on {connection.vendor}: closed once")  # noqa: T201
