"""The welcome step's facts: what a pack gives them, the projector, the
phones and the control view show, as content steps do."""

import copy
import re

import pytest
from django.urls import reverse

from live.regions import audience_for_participant, render_regions
from workshop import packs, services

from ..conftest import participant_client

pytestmark = pytest.mark.django_db

WELCOME_PACK = {
    "format": 1,
    "template": {
        "slug": "welcome-facts",
        "title": {"en": "Welcome facts"},
        "steps": [
            {
                "kind": "lobby",
                "title": {"en": "Welcome!"},
                "body": {"en": "Join on your phone."},
                "facts": [
                    {
                        "value": "1 in 8",
                        "label": {"en": "people is a migrant", "fr": "personnes est migrante"},
                    },
                    {"value": 281, "label": {"en": "million migrants"}},
                ],
            },
            {"kind": "content", "title": {"en": "Next"}},
        ],
    },
}


def _facts(html: str) -> list[str]:
    """Each fact's value and label, as the page shows them."""
    items = re.findall(r'<li class="fact">(.*?)</li>', html, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


@pytest.fixture
def welcome(facilitator):
    template = packs.import_pack(copy.deepcopy(WELCOME_PACK))
    session = services.create_session(template, facilitator, base_url="http://testserver")
    assert session.current_step.kind == "lobby"
    return session


def test_the_projector_shows_the_welcome_steps_facts(client, welcome):
    response = client.get(reverse("workshop:screen", kwargs={"public_id": welcome.public_id}))
    html = response.content.decode()
    assert _facts(html) == ["1 in 8 people is a migrant", "281 million migrants"]
    assert 'class="facts facts-2"' in html
    assert welcome.code in html  # next to the join code, which stays


def test_a_phone_shows_them_in_its_language(welcome):
    amina = services.join_session(welcome.code, nickname="Amina", language="fr")
    url = reverse("workshop:participant", kwargs={"code": welcome.code})
    html = participant_client(amina).get(url).content.decode()
    # French where the pack has it, English where it does not.
    assert _facts(html) == ["1 in 8 personnes est migrante", "281 million migrants"]


def test_the_pushed_stage_carries_them_too(welcome):
    amina = services.join_session(welcome.code, nickname="Amina")
    stage = render_regions(welcome, audience_for_participant(amina), ["stage"], amina)[0]["html"]
    assert _facts(stage) == ["1 in 8 people is a migrant", "281 million migrants"]


def test_the_control_view_shows_them(facilitator_client, welcome):
    url = reverse("workshop:control", kwargs={"public_id": welcome.public_id})
    html = facilitator_client.get(url).content.decode()
    assert "1 in 8 people is a migrant" in _facts(html)


def test_a_welcome_step_without_facts_shows_no_empty_list(client, facilitator):
    data = copy.deepcopy(WELCOME_PACK)
    del data["template"]["steps"][0]["facts"]
    session = services.create_session(packs.import_pack(data), facilitator)
    html = client.get(reverse("workshop:screen", kwargs={"public_id": session.public_id}))
    assert 'class="facts' not in html.content.decode()


def test_the_facts_round_trip_through_a_pack(welcome):
    exported = packs.export_pack(welcome.template)["template"]["steps"][0]["facts"]
    assert exported == [
        {
            "value": {"en": "1 in 8"},
            "label": {"en": "people is a migrant", "fr": "personnes est migrante"},
        },
        {"value": {"en": "281"}, "label": {"en": "million migrants"}},
    ]
