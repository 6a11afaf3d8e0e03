"""The facilitator's Q&A controls on the control view, over HTTP and over the
socket, and who may use them."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from qna import services as qna
from qna.models import QnaSettings, Question
from workshop.asgi import application

from ..conftest import participant_client
from ..live.test_consumers import HOST, ORIGIN, _cookie_header


def _moderate(client, session, **data):
    url = reverse("qna:moderate", kwargs={"public_id": session.public_id})
    return client.post(url, data, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_the_control_view_shows_the_queue_and_counts(
    live_session, facilitator_client, asker, voter, shown
):
    qna.ask_question(voter, "Waiting in the queue?", anonymous=True)
    html = facilitator_client.get(
        reverse("workshop:control", kwargs={"public_id": live_session.public_id})
    ).content.decode()
    assert (
        'id="qna"' in html and "Waiting in the queue?" in html and "Why do people migrate?" in html
    )
    waiting = html.split('data-testid="qna-waiting"')[1].split("</span>")[0]
    shown_count = html.split('data-testid="qna-shown"')[1].split("</span>")[0]
    assert "<strong>1</strong>" in waiting and "<strong>1</strong>" in shown_count


@pytest.mark.django_db
def test_the_facilitator_moderates_over_http(live_session, facilitator_client, asker, voter):
    first = qna.ask_question(asker, "First?")
    second = qna.ask_question(voter, "Second?")
    assert (
        _moderate(facilitator_client, live_session, do="approve", question=first.pk).status_code
        == 200
    )
    _moderate(facilitator_client, live_session, do="reject", question=second.pk)
    _moderate(facilitator_client, live_session, do="highlight", question=first.pk)
    _moderate(facilitator_client, live_session, do="reply", question=first.pk, text="Because.")
    response = _moderate(facilitator_client, live_session, do="answer", question=first.pk)
    assert response.status_code == 200 and "Because." in response.content.decode()
    first.refresh_from_db()
    assert (first.state, first.highlighted, first.reply) == ("answered", True, "Because.")
    _moderate(facilitator_client, live_session, do="dismiss")
    _moderate(facilitator_client, live_session, do="delete", question=second.pk)
    assert list(Question.objects.values_list("text", "highlighted")) == [("First?", False)]


@pytest.mark.django_db
def test_the_switches(live_session, facilitator_client):
    _moderate(facilitator_client, live_session, do="options", enabled="0")
    _moderate(facilitator_client, live_session, do="options", moderated="0")
    _moderate(facilitator_client, live_session, do="options", anonymous_allowed="0")
    options = QnaSettings.objects.get(session=live_session)
    assert (options.enabled, options.moderated, options.anonymous_allowed) == (False, False, False)
    _moderate(facilitator_client, live_session, do="options", enabled="1")
    options.refresh_from_db()
    assert (options.enabled, options.moderated) == (True, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"do": "approve", "question": "nope"}, 404),
        ({"do": "approve", "question": 10**9}, 404),
        ({"do": "explode"}, 400),
        ({"do": "answer"}, 404),
    ],
)
def test_bad_requests_get_a_clear_error(live_session, facilitator_client, asker, data, status):
    qna.ask_question(asker, "Untouched?")
    before = list(Question.objects.values())
    response = _moderate(facilitator_client, live_session, **data)
    assert response.status_code == status and response.content.decode().strip()
    assert list(Question.objects.values()) == before


@pytest.mark.django_db
def test_a_participant_cannot_moderate_over_http(live_session, asker):
    question = qna.ask_question(asker, "Approve myself?")
    response = _moderate(
        participant_client(asker), live_session, do="approve", question=question.pk
    )
    assert response.status_code in (302, 403)
    question.refresh_from_db()
    assert question.state == "pending"


async def _control(session, user):
    socket = WebsocketCommunicator(
        application, f"/ws/control/{session.public_id}/", headers=[ORIGIN, HOST]
    )
    socket.scope["user"] = user
    assert (await socket.connect(timeout=10))[0]
    await socket.receive_json_from(timeout=10)
    return socket


async def _ack(socket, message_id):
    while True:
        message = await socket.receive_json_from(timeout=15)
        if message.get("t") == "ack" and message.get("id") == message_id:
            return message


@pytest.mark.django_db(transaction=True)
async def test_the_facilitator_moderates_over_the_socket(live_session, facilitator, asker):
    question = await database_sync_to_async(qna.ask_question)(asker, "Over the socket?")
    control = await _control(live_session, facilitator)
    message = {"type": "qna.moderate", "id": "m1", "do": "approve", "question": question.pk}
    await control.send_to(text_data=json.dumps(message))
    assert (await _ack(control, "m1"))["ok"]
    await control.send_to(
        text_data=json.dumps({**message, "id": "m2", "do": "options", "enabled": False})
    )
    assert (await _ack(control, "m2"))["ok"]
    await control.send_to(text_data=json.dumps({**message, "id": "m3"}))
    refused = await _ack(control, "m3")
    assert (refused["ok"], refused["code"]) == (False, "not_waiting")
    await question.arefresh_from_db()
    assert question.state == "shown"
    options = await QnaSettings.objects.aget(session=live_session)
    assert options.enabled is False
    await control.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_phone_cannot_moderate_over_its_socket(live_session, asker):
    question = await database_sync_to_async(qna.ask_question)(asker, "Approve myself?")
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{live_session.code}/",
        headers=[ORIGIN, HOST, _cookie_header(asker)],
    )
    assert (await phone.connect(timeout=10))[0]
    await phone.receive_json_from(timeout=10)
    for do in ("approve", "highlight", "delete", "options"):
        await phone.send_to(
            text_data=json.dumps(
                {
                    "type": "qna.moderate",
                    "id": do,
                    "do": do,
                    "question": question.pk,
                    "enabled": False,
                }
            )
        )
        reply = await _ack(phone, do)
        assert (reply["ok"], reply["code"]) == (False, "not_allowed")
    await question.arefresh_from_db()
    assert question.state == "pending"
    assert not await QnaSettings.objects.filter(session=live_session).aexists()
    await phone.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_co_facilitator_removed_meanwhile_is_refused_by_the_service(
    live_session, co_facilitator, asker
):
    await live_session.co_facilitators.aadd(co_facilitator)
    question = await database_sync_to_async(qna.ask_question)(asker, "Still allowed?")
    control = await _control(live_session, co_facilitator)
    await live_session.co_facilitators.aremove(co_facilitator)
    await control.send_to(
        text_data=json.dumps(
            {"type": "qna.moderate", "id": "m", "do": "approve", "question": question.pk}
        )
    )
    reply = await _ack(control, "m")
    assert (reply["ok"], reply["code"]) == (False, "not_facilitator")
    await question.arefresh_from_db()
    assert question.state == "pending"
    await control.disconnect()


# --- from a paged list, without script ---------------------------------------------


def _waiting_list(session, client, **query):
    url = reverse("qna:control_list", kwargs={"public_id": session.public_id})
    response = client.get(url, {"state": "pending", **query})
    return response, response.content.decode()


def _form_field(html: str, question_id: int, name: str) -> str:
    """The value of a hidden field in the first form of a question's item."""
    item = html.split(f'data-qid="{question_id}"')[1]
    return item.split(f'name="{name}" value="')[1].split('"')[0].replace("&amp;", "&")


def _many_waiting(session, count: int) -> list[Question]:
    """``count`` questions waiting for approval, one participant each (one
    question per 10 s each), oldest first: the list's order."""
    from workshop import services

    return [
        qna.ask_question(services.join_session(session.code, nickname=f"Asker {n}"), f"Q{n:02d}?")
        for n in range(count)
    ]


@pytest.mark.django_db
def test_moderating_from_a_page_of_a_list_returns_to_that_page(live_session, facilitator_client):
    waiting = _many_waiting(live_session, 45)
    on_page_two = waiting[25]
    _response, html = _waiting_list(live_session, facilitator_client, page=2, qna_sort="newest")
    back = _form_field(html, on_page_two.pk, "next")
    assert "page=2" in back and "qna_sort=newest" in back and "state=pending" in back
    response = facilitator_client.post(
        reverse("qna:moderate", kwargs={"public_id": live_session.public_id}),
        {"do": "approve", "question": on_page_two.pk, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    on_page_two.refresh_from_db()
    assert on_page_two.state == "shown"
    after = facilitator_client.get(back).content.decode()
    assert "Page 2 of 3" in after and f'data-qid="{on_page_two.pk}"' not in after


@pytest.mark.django_db
def test_a_reply_from_a_list_and_a_refusal_return_to_it_with_the_reason(
    live_session, facilitator, facilitator_client, asker
):
    question = qna.approve(live_session, facilitator, qna.ask_question(asker, "Reply here?").pk)
    url = reverse("qna:control_list", kwargs={"public_id": live_session.public_id})
    html = facilitator_client.get(url, {"state": "shown", "qna_sort": "newest"}).content.decode()
    reply_form = html.split('name="do" value="reply"')[0].rsplit("<form", 1)[1]
    back = reply_form.split('name="next" value="')[1].split('"')[0].replace("&amp;", "&")
    assert "qna_sort=newest" in back
    moderate = reverse("qna:moderate", kwargs={"public_id": live_session.public_id})
    data = {"do": "reply", "question": question.pk, "text": "Here.", "next": back}
    assert facilitator_client.post(moderate, data)["Location"] == back
    refused = facilitator_client.post(
        moderate, {"do": "approve", "question": question.pk, "next": back}, follow=True
    )
    assert refused.redirect_chain == [(back, 302)]
    assert "not waiting for approval" in refused.content.decode()
    question.refresh_from_db()
    assert (question.state, question.reply) == ("shown", "Here.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "foreign",
    [
        "https://elsewhere.example/facilitate/",
        "//elsewhere.example/facilitate/",
        "http:///elsewhere.example/",
        "javascript:alert(1)",
    ],
)
def test_a_next_to_another_site_is_ignored(live_session, facilitator_client, asker, foreign):
    question = qna.ask_question(asker, "Where to?")
    moderate = reverse("qna:moderate", kwargs={"public_id": live_session.public_id})
    control = reverse("workshop:control", kwargs={"public_id": live_session.public_id})
    for data in (
        {"do": "approve", "question": question.pk, "next": foreign},
        {"do": "approve", "question": question.pk, "next": foreign},  # now refused
    ):
        response = facilitator_client.post(moderate, data)
        assert response.status_code == 302 and response["Location"] == control
    question.refresh_from_db()
    assert question.state == "shown"


@pytest.mark.django_db
def test_the_control_view_forms_carry_no_next(live_session, facilitator_client, asker):
    qna.ask_question(asker, "From the control view?")
    html = facilitator_client.get(
        reverse("workshop:control", kwargs={"public_id": live_session.public_id})
    ).content.decode()
    assert 'name="next"' not in html.split('id="qna"')[1]
