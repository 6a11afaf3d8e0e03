"""What a push carries of the questions keeps its size whatever the room
asked: the top of each list, the counts, and pages over HTTP for the rest."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from live.audiences import CONTROL, SCREEN, Audience
from live.regions import audience_for_participant, render_regions
from qna import board
from qna.models import Question, Vote
from workshop.models import Participant

from ..conftest import participant_client

pytestmark = pytest.mark.django_db

# Each push under a quarter of daphne's 1 MiB websocket message limit, and the
# phones' under 64 KiB (about the whole panel at 100 questions, before the cap).
CONTROL_PUSH_BOUND = 256 * 1024
PHONE_PUSH_BOUND = 64 * 1024
STATES = ["shown"] * 5 + ["pending"] * 2 + ["answered"] * 2 + ["rejected"]
VOTERS = 30


def _fill(session, count: int) -> list[Question]:
    """``count`` questions of the longest text and reply, spread over the
    states, a minute apart, each with between 0 and VOTERS - 1 votes."""
    voters = Participant.objects.bulk_create(
        Participant(session=session, nickname=f"Voter {n:02d}") for n in range(VOTERS)
    )
    start = session.started_at or session.created_at
    questions = Question.objects.bulk_create(
        Question(
            session=session,
            text=f"Q{n:04d} " + "w" * 274,
            lang="fr" if n % 3 else "en",
            nickname=f"Asker {n:04d}",
            state=STATES[n % len(STATES)],
            reply="r" * 1000 if n % 2 else "",
        )
        for n in range(count)
    )
    for n, question in enumerate(questions):
        question.created_at = start + timedelta(minutes=n)
        question.answered_at = question.created_at if question.state == "answered" else None
    Question.objects.bulk_update(questions, ["created_at", "answered_at"])
    Vote.objects.bulk_create(
        Vote(question=q, participant=voters[v], client_id=f"v{q.pk}-{v}")
        for n, q in enumerate(questions)
        for v in range((n * 7) % VOTERS)
    )
    return questions


def _push_bytes(regions) -> int:
    """A regions message as the hub sends it, as JSON."""
    return len(json.dumps({"t": "regions", "regions": regions}).encode())


@pytest.fixture
def crowded(live_session):
    _fill(live_session, 1_000)
    return live_session


def test_every_push_stays_bounded_with_1000_questions(crowded, asker, figures):
    phone = render_regions(crowded, audience_for_participant(asker), ["qna", "qna-counts"], asker)
    control = render_regions(crowded, Audience(CONTROL, crowded.pk), ["qna"])
    screen = render_regions(crowded, Audience(SCREEN, crowded.pk), ["qna-top", "qna-highlight"])
    sizes = {
        "phone_panel": _push_bytes(phone[:1]),
        "phone_counts": _push_bytes(phone[1:]),
        "control_queue": _push_bytes(control),
        "screen": _push_bytes(screen),
    }
    assert sizes["control_queue"] < CONTROL_PUSH_BOUND
    assert max(sizes["phone_panel"], sizes["phone_counts"]) < PHONE_PUSH_BOUND
    for name, size in sizes.items():
        figures(f"qna_push_bytes_{name}_1000_questions", size, "bytes")


def test_the_control_push_counts_everything_but_lists_the_first(crowded, asker):
    [control] = render_regions(crowded, Audience(CONTROL, crowded.pk), ["qna"])
    html = control["html"]
    expected = {s: Question.objects.filter(state=s).count() for s in Question.State.values}
    assert expected == {"shown": 500, "pending": 200, "answered": 200, "rejected": 100}
    waiting = html.split('data-testid="qna-waiting"')[1].split("</span>")[0]
    assert f"<strong>{expected['pending']}</strong>" in waiting
    votes = html.split('data-testid="qna-votes-total"')[1].split("</span>")[0]
    assert f"<strong>{Vote.objects.count()}</strong>" in votes  # all of them, not the lists'
    oldest_waiting = Question.objects.filter(state="pending").order_by("created_at").first()
    newest_waiting = Question.objects.filter(state="pending").order_by("created_at").last()
    assert f'data-qid="{oldest_waiting.pk}"' in html
    assert f'data-qid="{newest_waiting.pk}"' not in html
    shown_list = html.split("data-qna-list")[1].split("</ol>")[0]
    items = shown_list.count("<li ")
    visible = items - shown_list.count(" hidden>")
    assert board.PUSH_TOP < items <= 2 * board.PUSH_TOP and visible == board.PUSH_TOP
    assert "All 500 questions" in html and "All 200 questions" in html


def test_the_phone_push_holds_the_top_of_both_sorts(crowded, asker):
    [panel] = render_regions(crowded, audience_for_participant(asker), ["qna"], asker)
    html = panel["html"]
    shown = Question.objects.filter(state="shown")
    top = list(board.by_votes(shown).values_list("pk", flat=True))
    newest = list(shown.order_by("-created_at").values_list("pk", flat=True))
    for pk in top[: board.PUSH_TOP] + newest[: board.PUSH_TOP]:
        assert f'data-qid="{pk}"' in html
    for pk in set(top[board.PUSH_TOP :]) - set(newest[: board.PUSH_TOP]):
        assert f'data-qid="{pk}"' not in html
    assert "Les 500 questions" in html  # Amina's phone is in French


def test_the_phone_reads_every_question_a_page_at_a_time(crowded, asker):
    client = participant_client(asker)
    url = reverse("qna:questions", kwargs={"code": crowded.code})
    shown = Question.objects.filter(state="shown")
    for sort, expected in (
        ("votes", list(board.by_votes(shown).values_list("pk", flat=True))),
        ("newest", list(shown.order_by("-created_at", "-id").values_list("pk", flat=True))),
    ):
        seen: list[int] = []
        for number in range(1, 500 // board.PAGE_SIZE + 1):
            html = client.get(url, {"state": "shown", "qna_sort": sort, "page": number}).content
            seen += [int(pk) for pk in _qids(html.decode())]
        assert seen == expected


def test_a_page_past_the_end_or_garbled_is_the_last_or_first(crowded, asker):
    client = participant_client(asker)
    url = reverse("qna:questions", kwargs={"code": crowded.code})
    last = client.get(url, {"state": "answered", "page": "9999"}).content.decode()
    first = client.get(url, {"state": "nonsense", "page": "x"}).content.decode()
    assert "Page 10 sur 10" in last and "Page 1 sur 25" in first  # in Amina's French


def test_the_control_reads_each_list_a_page_at_a_time(crowded, facilitator_client):
    url = reverse("qna:control_list", kwargs={"public_id": crowded.public_id})
    pending = list(
        Question.objects.filter(state="pending").order_by("created_at").values_list("pk", flat=True)
    )
    html = facilitator_client.get(url, {"state": "pending", "page": 2}).content.decode()
    assert [int(pk) for pk in _qids(html)] == pending[board.PAGE_SIZE : 2 * board.PAGE_SIZE]
    assert 'name="do" value="approve"' in html and "hx-post" not in html


def test_only_a_facilitator_reads_the_control_pages(crowded, asker, other_facilitator):
    url = reverse("qna:control_list", kwargs={"public_id": crowded.public_id})
    assert participant_client(asker).get(url).status_code in (302, 403)
    other = Client()
    other.force_login(other_facilitator)
    assert other.get(url).status_code == 403


def test_the_phone_pages_need_a_participant(crowded):
    url = reverse("qna:questions", kwargs={"code": crowded.code})
    assert Client().get(url).status_code == 302


def _qids(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('data-qid="')[1:]]


def test_a_vote_renders_nothing_of_the_question_on_screen(db, facilitator):
    """The Q&A regions are stepless: a burst of votes during a quiz question
    must not run the question's queries for every render."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from live.audiences import PARTICIPANT
    from tests.quizzes.conftest import QUIZ_PACK, go_to_question
    from workshop import services
    from workshop.packs import import_pack, read_pack

    template = import_pack(read_pack(QUIZ_PACK))
    session = services.create_session(template, facilitator, base_url="http://testserver")
    services.start_session(session, facilitator)
    session = go_to_question(session, "t-sdg", facilitator)
    with CaptureQueriesContext(connection) as stage_queries:
        render_regions(session, Audience(SCREEN, session.pk), names=["stage"])
    assert any("quizzes_" in q["sql"] for q in stage_queries.captured_queries)  # the control
    for audience, names in [
        (Audience(PARTICIPANT, session.pk, None, "en"), ["qna-counts"]),
        (Audience(CONTROL, session.pk), ["qna"]),
        (Audience(SCREEN, session.pk), ["qna-top", "qna-highlight"]),
    ]:
        with CaptureQueriesContext(connection) as queries:
            regions = render_regions(session, audience, names=names)
        assert [r["id"] for r in regions] == names
        assert not any("quizzes_" in q["sql"] for q in queries.captured_queries), audience
