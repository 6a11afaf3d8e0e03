"""The projector: the Questions step with live counts from the database, and
the highlight over every step."""

from __future__ import annotations

import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from live.audiences import SCREEN, Audience
from live.regions import render_regions
from qna import services as qna
from qna.models import Vote
from tests.factories import StepFactory
from workshop import services
from workshop.asgi import application
from workshop.models import Step

from ..live.test_consumers import HOST, ORIGIN


@pytest.fixture
def questions_step(live_session, template, facilitator):
    step = StepFactory(
        template=template, position=8, kind=Step.Kind.QUESTIONS, title="Your questions"
    )
    services.go_to_step(live_session, step.pk, facilitator)
    live_session.refresh_from_db()
    return step


def _screen_page(client, session) -> str:
    return client.get(
        reverse("workshop:screen", kwargs={"public_id": session.public_id})
    ).content.decode()


@pytest.mark.django_db
def test_the_questions_step_shows_approved_questions_by_votes(
    client, live_session, facilitator, asker, voter, shown, questions_step
):
    second = qna.approve(live_session, facilitator, qna.ask_question(voter, "Most voted?").pk)
    qna.ask_question(
        services.join_session(live_session.code, nickname="Chloé"), "Not approved yet?"
    )
    qna.vote(asker, second.pk, client_id="a")
    qna.vote(voter, shown.pk, client_id="b")
    Vote.objects.create(question=second, participant=None)  # a purged voter still counts
    html = _screen_page(client, live_session)
    assert 'id="qna-top"' in html and "Not approved yet?" not in html
    assert html.index("Most voted?") < html.index("Why do people migrate?")
    votes = re.findall(
        r'data-testid="qna-screen-votes"><span aria-hidden="true">▲</span> (\d+)', html
    )
    assert votes == ["2", "1"]


@pytest.mark.django_db
def test_an_answered_question_leaves_the_projectors_list(
    client, live_session, facilitator, shown, questions_step
):
    qna.mark_answered(live_session, facilitator, shown.pk)
    assert "Why do people migrate?" not in _screen_page(client, live_session)


@pytest.mark.django_db
def test_the_highlight_shows_over_any_step(client, live_session, facilitator, shown):
    assert live_session.current_step.kind != "questions"
    html = _screen_page(client, live_session)
    assert re.search(r'<aside id="qna-highlight"[^>]* hidden>', html)
    qna.highlight(live_session, facilitator, shown.pk)
    qna.set_reply(live_session, facilitator, shown.pk, "A reply on the screen")
    html = _screen_page(client, live_session)
    overlay = html.split('id="qna-highlight"')[1].split("</aside>")[0]
    assert "Why do people migrate?" in overlay and "A reply on the screen" in overlay
    assert 'lang="fr"' in overlay and "hidden" not in overlay.split(">")[0]
    qna.dismiss_highlight(live_session, facilitator)
    assert re.search(r'<aside id="qna-highlight"[^>]* hidden>', _screen_page(client, live_session))


@pytest.mark.django_db
def test_the_phone_and_control_show_the_step(
    live_session, facilitator_client, asker, questions_step
):
    from ..conftest import participant_client

    phone = participant_client(asker).get(reverse("workshop:participant", args=[live_session.code]))
    assert 'href="#qna-panel" data-qna-open' in phone.content.decode()
    control = facilitator_client.get(
        reverse("workshop:control", kwargs={"public_id": live_session.public_id})
    )
    assert "Your questions" in control.content.decode()


async def _receive_region(socket, name):
    while True:
        message = await socket.receive_json_from(timeout=15)
        for region in message.get("regions", []):
            if region["id"] == name:
                return region


@pytest.mark.django_db(transaction=True)
async def test_a_vote_reaches_the_projector_as_the_database_counts_it(
    live_session, voter, shown, questions_step
):
    screen = WebsocketCommunicator(
        application, f"/ws/screen/{live_session.public_id}/", headers=[ORIGIN, HOST]
    )
    assert (await screen.connect(timeout=10))[0]
    await screen.receive_json_from(timeout=10)  # snapshot
    await database_sync_to_async(qna.vote)(voter, shown.pk, client_id="v")
    region = await _receive_region(screen, "qna-top")
    assert "▲</span> 1" in region["html"]
    fresh = await database_sync_to_async(render_regions)(
        live_session, Audience(SCREEN, live_session.pk), ["qna-top"]
    )
    assert re.sub(r'data-v="\d+"', "", region["html"]) == re.sub(
        r'data-v="\d+"', "", fresh[0]["html"]
    )
    await screen.disconnect()


@pytest.mark.django_db
def test_a_pack_may_hold_a_questions_step():
    from workshop import packs

    data = {
        "format": 1,
        "template": {
            "slug": "with-questions",
            "title": {"en": "With questions"},
            "steps": [{"kind": "questions", "title": {"en": "Your questions"}}],
        },
    }
    data["format"] = packs.PACK_FORMAT
    template = packs.import_pack(data)
    assert template.steps.get().kind == "questions"
    assert json.dumps(packs.export_pack(template))  # and back out
