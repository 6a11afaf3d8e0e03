"""Pacing is the facilitators' alone: adding time, pausing, closing and
locking a question, and showing or hiding the join code, refused to anyone
else over HTTP and over every socket, changing nothing."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from quizzes import services as quiz_services
from quizzes.models import QuestionRun
from workshop.asgi import application
from workshop.models import WorkshopSession

from ..conftest import participant_client
from ..live.test_consumers import HOST, ORIGIN, WS_TIMEOUT, _cookie_header
from ..quizzes.conftest import go_to_question, quiz_session, quiz_template  # noqa: F401

QUIZ_ACTIONS = ["add-time", "pause", "resume", "lock", "unlock", "close"]
JOIN_DISPLAYS = ["big", "hidden", "corner"]


def _state(session) -> dict:
    return {
        "session": WorkshopSession.objects.values().get(pk=session.pk),
        "runs": list(QuestionRun.objects.filter(session=session).values()),
    }


@pytest.fixture
def timed(quiz_session, facilitator):  # noqa: F811
    """A question open with a running countdown, and one participant."""
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    quiz_services.open_question(session, facilitator, timer_seconds=600)
    return session


@pytest.fixture
def outsiders(timed, other_facilitator, plain_user):
    from workshop import services

    staff_elsewhere = Client()
    staff_elsewhere.force_login(other_facilitator)
    not_staff = Client()
    not_staff.force_login(plain_user)
    return {
        "participant": participant_client(services.join_session(timed.code, nickname="Amina")),
        "anonymous": Client(),
        "another facilitator": staff_elsewhere,
        "signed-in non-staff": not_staff,
    }


def _requests(session):
    quiz = reverse("quizzes:control", kwargs={"public_id": session.public_id})
    join = reverse("workshop:join_display", kwargs={"public_id": session.public_id})
    return [(quiz, {"do": action}) for action in QUIZ_ACTIONS] + [
        (join, {"display": display}) for display in JOIN_DISPLAYS
    ]


@pytest.mark.django_db
def test_outsiders_cannot_pace_the_room_over_http(timed, outsiders):
    before = _state(timed)
    for url, data in _requests(timed):
        for who, client in outsiders.items():
            for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.post(url, data, **htmx)
                assert response.status_code in (302, 403, 404), (who, url, data)
                if response.status_code == 302:
                    assert response["Location"].startswith("/admin/login/"), (who, url)
    assert _state(timed) == before


@pytest.mark.django_db
def test_the_facilitator_may_so_the_refusals_above_mean_something(timed, facilitator):
    client = Client()
    client.force_login(facilitator)
    before = _state(timed)
    for url, data in _requests(timed):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (url, data, response.content[:300])
    after = _state(timed)
    assert after["runs"][0]["state"] == "closed" != before["runs"][0]["state"]
    assert after["session"]["join_display"] == "corner"


@pytest.mark.django_db
def test_a_bad_join_display_is_refused_and_changes_nothing(timed, facilitator):
    client = Client()
    client.force_login(facilitator)
    before = _state(timed)
    url = reverse("workshop:join_display", kwargs={"public_id": timed.public_id})
    response = client.post(url, {"display": "everywhere"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert _state(timed) == before


@pytest.mark.django_db(transaction=True)
async def test_no_socket_can_pace_the_room(timed, facilitator):
    """Pacing goes through the control view's HTTP actions only: no socket,
    not even the control's, takes a pacing message."""
    from workshop import services

    participant = await database_sync_to_async(services.join_session)(timed.code, nickname="B")
    before = await database_sync_to_async(_state)(timed)
    for path, headers, user in (
        (f"/ws/participant/{timed.code}/", [_cookie_header(participant)], None),
        (f"/ws/screen/{timed.public_id}/", [], None),
        (f"/ws/control/{timed.public_id}/", [], facilitator),
    ):
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, *headers])
        if user is not None:
            communicator.scope["user"] = user
        assert (await communicator.connect(timeout=WS_TIMEOUT))[0]
        await communicator.receive_json_from(timeout=WS_TIMEOUT)
        for kind in [*QUIZ_ACTIONS, "quiz", "join-display", "join_display"]:
            message = {"type": kind, "do": kind, "display": "big", "id": "x"}
            await communicator.send_to(text_data=json.dumps(message))
            reply = await _ack(communicator)
            assert reply["ok"] is False and reply["code"] in ("unknown_type", "not_allowed")
        await communicator.disconnect()
    assert await database_sync_to_async(_state)(timed) == before


async def _ack(communicator):
    while True:
        message = await communicator.receive_json_from(timeout=10)
        if message.get("t") == "ack":
            return message
