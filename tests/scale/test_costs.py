"""What keeps a step change fast in a room of 1,000: the behaviour behind the
benchmark's figures (bench/run.py prints the figures; nothing here times)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from live import hub as hub_module
from live import presence
from live.audiences import CONTROL, PARTICIPANT, SCREEN, Audience
from live.regions import render_regions
from sdgmap import services as sdgmap_services
from workshop import services
from workshop.models import Step

from ..factories import StepFactory


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
    # The room summary (it counts the participants) is never built for these regions.
    assert not [sql for sql in small if "workshop_participant" in sql]


@pytest.mark.django_db
def test_the_people_list_offers_each_member_a_move_with_their_group_selected(
    facilitator_client, session
):
    _join_many(session, 3)
    people_url = reverse("workshop:room_people", kwargs={"public_id": session.public_id})
    html = facilitator_client.get(people_url).content.decode()
    move_url = reverse("workshop:participant_move", kwargs={"public_id": session.public_id})
    assert html.count(f'action="{move_url}"') == 3
    for group in session.groups.all():
        members = group.members.count()
        assert html.count(f'<option value="{group.pk}" selected>') == members


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
    assert hub.delay_for((1, "presence")) == 1.0
    assert hub.delay_for((1, "room")) == 1.0  # a burst of joins: one render a second
    hub._cost[(1, "step")] = 0.5
    hub._cost[(1, "presence")] = 0.5
    assert hub.delay_for((1, "step")) == 0.0  # a step change is never held back
    assert hub.delay_for((1, "presence")) == pytest.approx(1.5)
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


def _spy_renders(monkeypatch) -> list[Audience]:
    """The audiences the hub actually renders for (it still renders them)."""
    rendered: list[Audience] = []
    real = hub_module.render_regions

    def spy(session, audience, names=None, participant=None):
        rendered.append(audience)
        return real(session, audience, names, participant)

    monkeypatch.setattr(hub_module, "render_regions", spy)
    return rendered


@pytest.mark.django_db
def test_participants_of_every_group_share_one_render_of_a_content_step(
    session, facilitator, monkeypatch
):
    services.move_by(session, 1, facilitator)  # "Who is IOM?", a content step
    first, second = session.groups.all()
    audiences = [
        Audience(PARTICIPANT, session.pk, first.pk, "en"),
        Audience(PARTICIPANT, session.pk, second.pk, "en"),
        Audience(PARTICIPANT, session.pk, first.pk, "fr"),
        Audience(PARTICIPANT, session.pk, None, "en"),  # no group yet: may be asked to pick one
    ]
    rendered = _spy_renders(monkeypatch)
    payloads = hub_module._render_for_audiences(session.pk, audiences, [(PARTICIPANT, "stage")])

    assert set(payloads) == set(audiences)
    assert "Who is IOM?" in payloads[audiences[0]]
    assert payloads[audiences[0]] == payloads[audiences[1]]
    # One render per language, and one for the phones with no group.
    assert sorted((a.language, a.group_id is None) for a in rendered) == [
        ("en", False),
        ("en", True),
        ("fr", False),
    ]


@pytest.mark.django_db
def test_each_group_gets_its_own_render_of_the_exercise(
    template, session, facilitator, monkeypatch
):
    exercise = StepFactory(template=template, position=4, kind=Step.Kind.EXERCISE, title="Map")
    services.go_to_step(session, exercise.pk, facilitator)
    session.refresh_from_db()
    sdgmap_services.start_exercise(session, facilitator, allocation="all", minutes=10)
    groups = list(session.groups.all())
    audiences = [Audience(PARTICIPANT, session.pk, g.pk, "en") for g in groups]
    rendered = _spy_renders(monkeypatch)
    payloads = hub_module._render_for_audiences(session.pk, audiences, [(PARTICIPANT, "stage")])

    assert sorted(a.group_id for a in rendered) == sorted(g.pk for g in groups)
    for group, audience in zip(groups, audiences, strict=True):
        [stage] = json.loads(payloads[audience])["regions"]
        chip = f'<span class="chip" dir="auto" data-ptext title="{group.name}">{group.name}</span>'
        assert chip in stage["html"]
