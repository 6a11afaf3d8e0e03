"""The phone's Questions panel: its page, its own list, its forms, and votes
over the socket, acknowledged once stored and never counted twice."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from live.audiences import PARTICIPANT
from live.regions import audience_for_participant, render_regions
from qna import services as qna
from qna.models import Question, Vote
from workshop import services
from workshop.asgi import application

from ..conftest import participant_client
from ..live.test_consumers import HOST, ORIGIN, _cookie_header


def _region(session, participant, name="qna") -> str:
    regions = render_regions(session, audience_for_participant(participant), [name], participant)
    return regions[0]["html"]


@pytest.mark.django_db
def test_the_panel_is_on_the_phone_on_any_step(live_session, facilitator, asker, shown):
    for _ in range(2):
        page = participant_client(asker).get(
            reverse("workshop:participant", args=[asker.session.code])
        )
        html = page.content.decode()
        assert 'id="qna-panel"' in html and "Why do people migrate?" in html
        services.move_by(live_session, 1, facilitator)


@pytest.mark.django_db
def test_the_list_shows_shown_and_answered_with_counts_language_and_reply(
    live_session, facilitator, asker, voter, shown
):
    qna.vote(voter, shown.pk, client_id="v")
    hidden = qna.ask_question(voter, "Still waiting?")
    qna.set_reply(live_session, facilitator, shown.pk, "Many reasons.")
    html = _region(live_session, voter)
    assert "Why do people migrate?" in html and "Still waiting?" not in html
    assert 'lang="fr"' in html and "Many reasons." in html and 'data-votes="1"' in html
    assert "Amina" in html  # asked under her nickname
    qna.mark_answered(live_session, facilitator, shown.pk)
    html = _region(live_session, voter)
    assert "qna-archive" in html and "data-qna-vote" not in html
    assert hidden.state == "pending"


@pytest.mark.django_db
def test_an_anonymous_question_shows_no_nickname(live_session, facilitator, asker):
    question = qna.ask_question(asker, "Anonymous one?", anonymous=True)
    qna.approve(live_session, facilitator, question.pk)
    html = _region(live_session, asker)
    assert "Anonymous one?" in html and "Amina" not in html


@pytest.mark.django_db
def test_the_news_stamp_moves_with_a_reply_or_a_highlight(live_session, facilitator, asker, shown):
    def news():
        html = _region(live_session, asker)
        return int(html.split('data-news="')[1].split('"')[0])

    assert news() == 0
    qna.set_reply(live_session, facilitator, shown.pk, "Yes.")
    after_reply = news()
    qna.highlight(live_session, facilitator, shown.pk)
    assert after_reply > 0 and news() >= after_reply


@pytest.mark.django_db
def test_mine_lists_own_questions_with_states_and_votes(live_session, facilitator, asker, voter):
    first = qna.ask_question(asker, "Mine, waiting")
    other = qna.approve(live_session, facilitator, qna.ask_question(voter, "Theirs").pk)
    qna.vote(asker, other.pk, client_id="v")
    response = participant_client(asker).get(reverse("qna:mine", args=[live_session.code]))
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "Mine, waiting" in html and "Theirs" not in html
    assert f'data-voted="[{other.pk}]"' in html and 'data-active="1"' in html
    # The phone is French: its own list is too.
    assert "En attente" in html or "Waiting for approval" not in html
    qna.reject(live_session, facilitator, first.pk)
    html = participant_client(asker).get(reverse("qna:mine", args=[live_session.code])).content
    assert 'data-active="0"' in html.decode()


@pytest.mark.django_db
def test_mine_needs_a_participant(client, live_session):
    assert client.get(reverse("qna:mine", args=[live_session.code])).status_code == 403


@pytest.mark.django_db
def test_the_forms_work_without_javascript(live_session, facilitator, asker, voter, shown):
    phone = participant_client(voter)
    response = phone.post(reverse("qna:ask", args=[live_session.code]), {"text": "By form?"})
    assert response.status_code == 302 and response["Location"].endswith("#qna-panel")
    assert Question.objects.filter(text="By form?", author=voter, anonymous=False).exists()
    phone.post(reverse("qna:vote", args=[live_session.code]), {"question": shown.pk, "voted": "1"})
    assert Vote.objects.filter(question=shown, participant=voter).count() == 1
    # Too soon after the first: refused with the reason, nothing stored.
    again = phone.post(
        reverse("qna:ask", args=[live_session.code]), {"text": "Again?"}, follow=True
    )
    assert "10 seconds" in again.content.decode()
    assert not Question.objects.filter(text="Again?").exists()


# --- over the socket ----------------------------------------------------------------


async def _phone(session, participant):
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{session.code}/",
        headers=[ORIGIN, HOST, _cookie_header(participant)],
    )
    connected, _ = await phone.connect(timeout=10)
    assert connected
    await phone.receive_json_from(timeout=10)  # snapshot
    return phone


async def _ack(phone, message_id):
    while True:
        message = await phone.receive_json_from(timeout=15)
        if message.get("t") == "ack" and message.get("id") == message_id:
            return message


async def _region_push(phone, name):
    while True:
        message = await phone.receive_json_from(timeout=15)
        if message.get("t") == "regions":
            found = [r for r in message["regions"] if r["id"] == name]
            if found:
                return found[0]


@pytest.mark.django_db(transaction=True)
async def test_a_vote_is_acknowledged_after_commit_and_a_resend_counts_once(
    live_session, voter, shown
):
    phone = await _phone(live_session, voter)
    vote = {"type": "qna.vote", "id": "v-1", "question": shown.pk, "voted": True}
    await phone.send_to(text_data=json.dumps(vote))
    ack = await _ack(phone, "v-1")
    assert ack["ok"] and ack["vote"] == {"question": shown.pk, "voted": True, "votes": 1}
    assert await database_sync_to_async(Vote.objects.count)() == 1  # stored before the ack
    await phone.send_to(text_data=json.dumps(vote))  # the outbox after a reconnect
    again = await _ack(phone, "v-1")
    assert again["ok"] and again["vote"]["votes"] == 1
    # Another message voting again is a second vote: refused with a reason.
    await phone.send_to(text_data=json.dumps({**vote, "id": "v-2"}))
    second = await _ack(phone, "v-2")
    assert (second["ok"], second["code"]) == (False, "already_voted") and second["error"]
    assert await database_sync_to_async(Vote.objects.count)() == 1
    await phone.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_room_sees_the_count_from_the_database(live_session, asker, voter, shown):
    watcher = await _phone(live_session, asker)
    phone = await _phone(live_session, voter)
    await phone.send_to(text_data=json.dumps({"type": "qna.vote", "id": "v", "question": shown.pk}))
    await _ack(phone, "v")
    # A vote pushes the counts alone, a few bytes, not the whole list.
    region = await _region_push(watcher, "qna-counts")
    assert f'data-counts="{{&quot;{shown.pk}&quot;:1}}"' in region["html"]
    assert len(region["html"]) < 200
    expected = await database_sync_to_async(_region)(live_session, asker, "qna-counts")
    # The push is what a fresh page load renders (but for its version).
    assert _unversioned(region["html"]) == _unversioned(expected)
    await watcher.disconnect()
    await phone.disconnect()


def _unversioned(html: str) -> str:
    import re

    return re.sub(r'data-v="\d+"', "", html)


@pytest.mark.django_db(transaction=True)
async def test_a_question_over_the_socket_and_the_rate_limit_explained(live_session, asker):
    phone = await _phone(live_session, asker)
    ask = {"type": "qna.ask", "id": "q-1", "text": "Over the socket?", "anonymous": True}
    await phone.send_to(text_data=json.dumps(ask))
    ack = await _ack(phone, "q-1")
    assert ack["ok"] and ack["question"]["state"] == "pending"
    await phone.send_to(text_data=json.dumps(ask))  # resent: the same question
    assert (await _ack(phone, "q-1"))["question"]["id"] == ack["question"]["id"]
    await phone.send_to(text_data=json.dumps({**ask, "id": "q-2", "text": "Another"}))
    refused = await _ack(phone, "q-2")
    assert refused["code"] == "too_fast"
    assert "10" in refused["error"]  # in French: the phone's language
    assert await database_sync_to_async(Question.objects.count)() == 1
    await phone.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_vote_without_an_id_is_refused(live_session, voter, shown):
    phone = await _phone(live_session, voter)
    await phone.send_to(text_data=json.dumps({"type": "qna.vote", "question": shown.pk}))
    reply = await phone.receive_json_from(timeout=10)
    while reply.get("t") != "ack":
        reply = await phone.receive_json_from(timeout=10)
    assert (reply["ok"], reply["code"]) == (False, "bad_client_id")
    assert await database_sync_to_async(Vote.objects.count)() == 0
    await phone.disconnect()


def test_the_panel_region_is_shared_by_the_room():
    from live.audiences import REGION_TEMPLATES
    from live.hub import PERSONAL_REGIONS

    # Shared: it holds nothing of one phone (that is #qna-mine, fetched).
    assert (PARTICIPANT, "qna") in REGION_TEMPLATES and "qna" not in PERSONAL_REGIONS


@pytest.mark.django_db
def test_phones_of_every_group_share_one_render_of_the_panel(
    live_session, facilitator, shown, monkeypatch
):
    from ..scale.test_join_storm import _count_renders, _hub_hearing, _regions_of

    phones = [services.join_session(live_session.code, nickname=f"p{n}") for n in range(4)]
    assert len({p.group_id for p in phones}) == 2  # balanced over the two groups
    hub = _hub_hearing(live_session)
    rendered = _count_renders(monkeypatch)
    panels = {_regions_of(hub, phone)["qna"] for phone in phones}
    assert len(panels) == 1
    shared = [names for names in rendered if "qna" in names]
    assert len(shared) == 1  # one render for the four phones of both groups
