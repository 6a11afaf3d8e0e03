"""Truly parallel votes, from threads with their own database connections:
many participants voting for one question at once, and participants voting
twice at once from two phones (or one phone's outbox resending).

Not collected by default (its name does not start with ``test_``):
test_vote_race.py runs it in a subprocess against PostgreSQL (and a SQLite
file), with tests/quizzes/race_settings.py.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from qna import services as qna
from qna.models import Vote
from workshop import services as workshop_services
from workshop.errors import DomainError

THREADS = 20  # at once; PostgreSQL's connections are shared with other runs
VOTERS = 40
TWICE = 10


def _in_parallel(calls) -> list:
    """Run the calls THREADS at a time, each batch released by one barrier."""
    outcomes = []
    for start in range(0, len(calls), THREADS):
        batch = calls[start : start + THREADS]
        barrier = threading.Barrier(len(batch))

        def run(call, barrier=barrier):
            try:
                barrier.wait(timeout=30)
                return call()
            except DomainError as error:
                return error
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            outcomes += [f.result(timeout=120) for f in [pool.submit(run, c) for c in batch]]
    return outcomes


def _voting(person, question, client_id):
    return lambda: qna.vote(person, question.pk, client_id=client_id)


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_are_stored_once_with_exact_counts(live_session, facilitator, shown):
    people = [
        workshop_services.join_session(live_session.code, nickname=f"V{n}")
        for n in range(VOTERS + TWICE)
    ]
    voters, doubles = people[:VOTERS], people[VOTERS:]

    # Many participants, one question, the same moment: each vote once, and
    # each acknowledgement's count is the count just after its own commit.
    outcomes = _in_parallel([_voting(p, shown, f"one-{p.pk}") for p in voters])
    assert not [o for o in outcomes if isinstance(o, DomainError)], outcomes
    assert sorted(o["votes"] for o in outcomes) == list(range(1, VOTERS + 1))
    assert Vote.objects.filter(question=shown).count() == VOTERS

    # Each of these participants votes from two phones at once: one is
    # stored, the other refused cleanly as a second vote.
    calls = [_voting(p, shown, f"phone{n}-{p.pk}") for p in doubles for n in (1, 2)]
    outcomes = _in_parallel(calls)
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == TWICE and {e.code for e in refused} == {"already_voted"}
    assert Vote.objects.filter(question=shown).count() == VOTERS + TWICE
    for person in doubles:
        assert Vote.objects.filter(question=shown, participant=person).count() == 1

    # One phone's outbox sending the same vote twice at once: both
    # acknowledged as voted, counted once.
    outcomes = _in_parallel([_voting(p, shown, f"one-{p.pk}") for p in voters[:10] for _ in (1, 2)])
    assert not [o for o in outcomes if isinstance(o, DomainError)], outcomes
    assert all(o["voted"] for o in outcomes)
    assert Vote.objects.filter(question=shown).count() == VOTERS + TWICE
    print(f"parallel votes on {connection.vendor}: {VOTERS + TWICE} stored, {TWICE} refused")  # noqa: T201
