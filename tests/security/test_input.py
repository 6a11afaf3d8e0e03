"""Text that no database stores must be refused where it comes in, not fail
where it is saved (PostgreSQL refuses NUL characters)."""

import pytest
from django.urls import reverse

from sdgmap import services as sdg
from sdgmap.models import GroupCard
from tests.factories import StepFactory
from workshop import services
from workshop.models import Step

from ..conftest import participant_client

pytestmark = pytest.mark.django_db


def test_a_card_form_with_a_nul_character_is_refused(session, template, facilitator, participant):
    step = StepFactory(template=template, position=9, kind=Step.Kind.EXERCISE, title="Map")
    services.go_to_step(session, step.pk, facilitator)
    sdg.start_exercise(session, facilitator, allocation="all", minutes=0)
    phone = participant_client(participant)
    response = phone.post(
        reverse("sdgmap:card_save", kwargs={"code": session.code}),
        {"sdg": "10", "rating": "", "reasoning": "safe\x00migration", "step": step.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "The reasoning must be text." in response.content.decode()
    # (Checked in Python: SQLite's LIKE stops at a NUL and would match anything.)
    assert not any("\x00" in c.reasoning for c in GroupCard.objects.all())


def test_a_nickname_or_group_name_with_a_nul_character_is_refused(
    client, session, facilitator_client
):
    response = client.post(reverse("workshop:join"), {"code": session.code, "nickname": "a\x00b"})
    assert response.status_code == 400
    assert session.participants.count() == 0
    response = facilitator_client.post(
        reverse("workshop:groups_configure", kwargs={"public_id": session.public_id}),
        {"groups": "Red\x00\nBlue", "mode": "balanced"},
    )
    assert not any("\x00" in g.name for g in session.groups.all())
