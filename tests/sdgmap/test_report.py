import csv
import io

import pytest
from django.urls import reverse

from sdgmap import services

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
