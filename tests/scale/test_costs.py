"""What keeps a step change fast in a room of 1,000: the behaviour behind the
benchmark's figures (bench/run.py prints the figures; nothing here times)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshop import hub as hub_module
from workshop import presence, services
from workshop.regions import CONTROL, PARTICIPANT, SCREEN, Audience, render_regions


def _join_many(session, count: int, start: int = 0) -> None:
    process = presence.register_process()
    for n in range(start, start + count):
        participant = services.join_session(session.code, nickname=f"p{n}")
        presence.add_connection(process, participant)


@pytest.mark.django_db
def test_the_control_stage_and_agenda_cost_the_same_whatever_the_room_size(session):
    audience = Audience(CONTROL, session.pk)

    def queries() -> list[str]:
        fresh = type(session).objects.get(pk=session.pk)
        with CaptureQueriesContext(connection) as captured:
            render_regions(fresh, audience, ["stage", "agenda"])
        return [q["sql"] for q in captured]

    _join_many(session, 2)
    small = queries()
    _join_many(session, 40, start=2)
    assert len(queries()) == len(small)
    # The room list (every participant) is never built for these regions.
    assert not [sql for sql in small if "workshop_participant" in sql]


@pytest.mark.django_db
def test_the_room_list_offers_each_member_a_move_with_their_group_selected(session):
    _join_many(session, 3)
    [room] = render_regions(session, Audience(CONTROL, session.pk), ["room"])
    move_url = reverse("workshop:participant_move", kwargs={"public_id": session.public_id})
    assert room["html"].count(f'action="{move_url}"') == 3
    for group in session.groups.all():
        members = group.members.count()
        assert room["html"].count(f'<option value="{group.pk}" selected>') == members


@pytest.mark.django_db
def test_a_step_click_answers_with_the_stage_and_agenda_only(facilitator_client, session):
    url = reverse("workshop:step_go", kwargs={"public_id": session.public_id})
    response = facilitator_client.post(url, {"to": "next"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="stage"' in html and 'id="agenda"' in html and 'id="flash"' in html
    assert 'id="room"' not in html


def test_coalesced_topics_wait_longer_when_their_render_is_costly():
    hub = hub_module.Hub()
    assert hub.delay_for((1, "step")) == 0.0
    assert hub.delay_for((1, "presence")) == 0.5
    assert hub.delay_for((1, "room")) == 0.25  # a burst of joins: one render
    hub._cost[(1, "step")] = 0.3
    hub._cost[(1, "presence")] = 0.3
    assert hub.delay_for((1, "step")) == 0.0  # a step change is never held back
    assert hub.delay_for((1, "presence")) == pytest.approx(0.9)
    hub._cost[(1, "presence")] = 10.0
    assert hub.delay_for((1, "presence")) == hub_module.MAX_COALESCE_SECONDS


class FakeSocket:
    def __init__(self, kind: str, log: list[str]) -> None:
        self.kind = kind
        self.log = log
        self.participant_id = None

    async def push_text(self, text: str) -> None:
        self.log.append(self.kind)


@pytest.mark.django_db(transaction=True)
async def test_participants_get_a_step_change_before_the_projector_and_control_view(
    session, participant
):
    hub = hub_module.Hub()
    log: list[str] = []
    audiences = [
        Audience(CONTROL, session.pk),
        Audience(SCREEN, session.pk),
        Audience(PARTICIPANT, session.pk, participant.group_id, "en"),
        Audience(PARTICIPANT, session.pk, None, "fr"),
    ]
    for audience in audiences:
        hub.sockets[session.pk][audience].add(FakeSocket(audience.kind, log))
    await hub._render_and_push(session.pk, "step")
    assert log == [PARTICIPANT, PARTICIPANT, SCREEN, CONTROL] or log == [
        PARTICIPANT,
        PARTICIPANT,
        CONTROL,
        SCREEN,
    ]
    assert hub._cost[(session.pk, "step")] > 0


@pytest.mark.django_db(transaction=True)
async def test_a_render_task_is_kept_until_it_ends(session):
    hub = hub_module.Hub()
    hub.sockets[session.pk][Audience(SCREEN, session.pk)].add(FakeSocket(SCREEN, []))
    hub._start_render((session.pk, "step"))
    assert len(hub._running) == 1
    await database_sync_to_async(lambda: None)()
    for task in list(hub._running):
        await task
    assert not hub._running
