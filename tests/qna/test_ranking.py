"""A vote that brings into the top a question the phones do not hold pushes
the phones' whole panel; a vote that only moves counts pushes the counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async

from live.hub import get_hub
from qna import board
from qna import services as qna
from qna.models import Question, Vote
from workshop import services
from workshop.models import Participant

from .test_phone import _ack, _phone

pytestmark = pytest.mark.django_db(transaction=True)

# Below 40th: out of both lists a phone's panel holds (top and newest).
CROWD = 2 * board.PUSH_TOP + 5


def _crowd(session) -> Question:
    """CROWD shown questions with two votes each, and one more, the oldest,
    with none: last by votes, out of the newest. Returns that one."""
    voters = Participant.objects.bulk_create(
        Participant(session=session, nickname=f"Early {n}") for n in range(2)
    )
    start = session.started_at or session.created_at
    questions = Question.objects.bulk_create(
        Question(
            session=session,
            text=f"Question {n:02d}",
            state=Question.State.SHOWN,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(CROWD + 1)
    )
    for n, question in enumerate(questions):
        question.created_at = start + timedelta(minutes=n)
    Question.objects.bulk_update(questions, ["created_at"])
    climber, others = questions[0], questions[1:]
    Vote.objects.bulk_create(
        Vote(question=q, participant=v, client_id=f"early-{q.pk}-{v.pk}")
        for q in others
        for v in voters
    )
    return climber


def _rank_by_votes(session, question: Question) -> int:
    shown = Question.objects.filter(session=session, state=Question.State.SHOWN)
    return list(board.by_votes(shown).values_list("pk", flat=True)).index(question.pk) + 1


async def _pushes_until(phone, done) -> list[dict]:
    """The region pushes the phone receives until ``done(regions)`` holds."""
    seen: list[dict] = []
    while True:
        message = await phone.receive_json_from(timeout=15)
        if message.get("t") != "regions":
            continue
        seen.append({region["id"]: region["html"] for region in message["regions"]})
        if done(seen[-1]):
            return seen


def _holds(html: str | None, question_id: int) -> bool:
    return html is not None and f'data-qid="{question_id}"' in html


async def _vote_over(phone, message_id: str, question_id: int) -> None:
    message = {"type": "qna.vote", "id": message_id, "question": question_id}
    await phone.send_to(text_data=json.dumps(message))
    assert (await _ack(phone, message_id))["ok"]


async def test_a_question_climbing_from_below_40th_reaches_the_phones(live_session, asker):
    climber = await database_sync_to_async(_crowd)(live_session)
    assert await database_sync_to_async(_rank_by_votes)(live_session, climber) > 40
    watcher = await _phone(live_session, asker)
    panel = await database_sync_to_async(_panel_now)(live_session, asker)
    assert not _holds(panel, climber.pk)  # what the watcher holds: not the climber
    for n in range(3):
        voter = await database_sync_to_async(services.join_session)(
            live_session.code, nickname=f"Climber fan {n}"
        )
        phone = await _phone(live_session, voter)
        await _vote_over(phone, f"fan-{n}", climber.pk)
        await phone.disconnect()
    assert await database_sync_to_async(_rank_by_votes)(live_session, climber) == 1
    # Waits for it: the test fails on the timeout when no panel brings it.
    await _pushes_until(watcher, lambda regions: _holds(regions.get("qna"), climber.pk))
    await watcher.disconnect()


async def test_a_vote_inside_the_top_pushes_the_counts_alone(live_session, asker, voter):
    await database_sync_to_async(_crowd)(live_session)
    top = await database_sync_to_async(_first_by_votes)(live_session)
    watcher = await _phone(live_session, asker)
    phone = await _phone(live_session, voter)
    await _vote_over(phone, "inside", top.pk)
    pushes = await _pushes_until(watcher, lambda regions: "qna-counts" in regions)
    await (await get_hub()).settle()  # every render this vote caused has been pushed
    assert await watcher.receive_nothing(timeout=0.2)
    assert all("qna" not in regions for regions in pushes)
    assert f"&quot;{top.pk}&quot;:3" in pushes[-1]["qna-counts"]
    await phone.disconnect()
    await watcher.disconnect()


def test_the_service_names_the_panel_only_when_the_top_gains_a_stranger(live_session, monkeypatch):
    climber = _crowd(live_session)
    fans = [services.join_session(live_session.code, nickname=f"Fan {n}") for n in range(3)]
    announced: list[tuple[str, ...]] = []
    monkeypatch.setattr(qna.live, "changed", lambda _session, *topics: announced.append(topics))
    top = _first_by_votes(live_session)
    qna.vote(fans[0], top.pk, client_id="a")  # the first gets a third vote
    qna.vote(fans[0], climber.pk, client_id="b")  # 1 vote: still last
    qna.vote(fans[1], climber.pk, client_id="c")  # 2: the oldest of a tie, so into the top
    qna.vote(fans[2], climber.pk, client_id="d")  # 3: only its place in the top moves
    assert announced == [
        (qna.TOPIC_VOTES,),
        (qna.TOPIC_VOTES,),
        (qna.TOPIC_VOTES, qna.TOPIC_RANKING),
        (qna.TOPIC_VOTES,),
    ]


def test_a_vote_taken_back_that_lets_a_stranger_in_names_the_panel(live_session, monkeypatch):
    _crowd(live_session)
    shown = Question.objects.filter(session=live_session, state="shown")
    ranked = list(board.by_votes(shown))
    first, twenty_first = ranked[0], ranked[board.PUSH_TOP]
    newest = list(shown.order_by("-created_at")[: board.PUSH_TOP])
    assert twenty_first not in newest  # no phone holds it
    announced: list[tuple[str, ...]] = []
    monkeypatch.setattr(qna.live, "changed", lambda _session, *topics: announced.append(topics))
    early = Participant.objects.get(session=live_session, nickname="Early 0")
    qna.vote(early, first.pk, voted=False, client_id="back")
    assert twenty_first.pk in {q.pk for q in board.by_votes(shown)[: board.PUSH_TOP]}
    assert announced == [(qna.TOPIC_VOTES, qna.TOPIC_RANKING)]


def _first_by_votes(session) -> Question:
    return board.by_votes(Question.objects.filter(session=session, state="shown")).first()


def _panel_now(session, participant) -> str:
    from live.regions import audience_for_participant, render_regions

    [panel] = render_regions(session, audience_for_participant(participant), ["qna"], participant)
    return panel["html"]


def test_a_climb_while_the_panel_push_is_pending_is_not_looked_for(live_session, monkeypatch):
    climber = _crowd(live_session)
    fans = [services.join_session(live_session.code, nickname=f"Fan {n}") for n in range(4)]
    announced: list[tuple[str, ...]] = []
    monkeypatch.setattr(qna.live, "changed", lambda _session, *topics: announced.append(topics))
    clock = [1000.0]
    monkeypatch.setattr(qna.time, "monotonic", lambda: clock[0])
    looked: list[int] = []
    real_check = board.strangers_in_top
    monkeypatch.setattr(
        board, "strangers_in_top", lambda *args: looked.append(1) or real_check(*args)
    )
    qna.vote(fans[0], climber.pk, client_id="a")
    qna.vote(fans[1], climber.pk, client_id="b")  # into the top: the panel is announced
    assert announced[-1] == (qna.TOPIC_VOTES, qna.TOPIC_RANKING) and len(looked) == 2
    clock[0] += qna.RANKING_DELAY_SECONDS - qna.CLIMB_MARGIN_SECONDS - 0.01
    qna.vote(fans[2], climber.pk, client_id="c")  # the pending push will read it
    assert announced[-1] == (qna.TOPIC_VOTES,) and len(looked) == 2
    clock[0] += 0.02
    qna.vote(fans[3], climber.pk, client_id="d")
    assert len(looked) == 3  # looked for again once the push has gone
