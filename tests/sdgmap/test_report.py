import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sdgmap import services
from sdgmap.models import CardEdit, GroupCard
from workshop import services as room
from workshop.models import WorkshopSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(on_exercise, facilitator, members):
    services.start_exercise(on_exercise, facilitator, allocation="all", minutes=0)
    amina, _ = members["Group 1"]
    chloe, _ = members["Group 2"]
    services.edit_card(amina, sdg=10, field="rating", value="strong")
    services.edit_card(amina, sdg=10, field="target", value={"code": "10.7", "on": True})
    services.edit_card(amina, sdg=10, field="reasoning", value="Safe pathways save lives.")
    services.edit_card(chloe, sdg=10, field="target", value={"code": "10.2", "on": True})
    services.reveal_reference(on_exercise, facilitator)
    return on_exercise


def test_the_report_shows_the_sdg_map_next_to_the_reference(facilitator_client, mapped):
    html = facilitator_client.get(reverse("reports:report", args=[mapped.public_id])).content
    html = html.decode()
    assert "SDG map: Map the SDGs" in html
    assert "10.7 ✓, 10.c" in html  # reference targets, the named one ticked
    assert "Safe pathways save lives." in html
    assert "Amina" not in html


def test_the_cards_export_as_csv(facilitator_client, mapped):
    response = facilitator_client.get(
        reverse("reports:export", args=[mapped.public_id, "sdg-cards"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["exercise", "group", "SDG", "rating"]
    expected = ["Map the SDGs", "Group 1", "10", "strong", "10.7", "Safe pathways save lives."]
    assert rows[1][:6] == expected


def test_the_purge_deletes_the_cards_history_and_keeps_the_cards(mapped):
    assert CardEdit.objects.filter(card__run__session=mapped).exists()
    room.end_session(mapped, mapped.facilitator)
    WorkshopSession.objects.filter(pk=mapped.pk).update(
        ended_at=timezone.now() - timedelta(days=400)
    )
    call_command("purge_participants")
    assert not CardEdit.objects.filter(card__run__session=mapped).exists()
    card = GroupCard.objects.get(run__session=mapped, group__name="Group 1", goal__number=10)
    assert card.reasoning == "Safe pathways save lives."
