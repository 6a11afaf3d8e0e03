"""Inserting a slide step by hand in the run-of-show editor: a page of the
template's deck, refused for a page it does not have or with no deck."""

from __future__ import annotations

import pytest
from django.urls import reverse

from slides import services
from workshop.models import Step

from .uploads import editor_client

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def insert(client, template, extra=None, **data):
    url = reverse("workshop:ros_insert", kwargs={"slug": template.slug})
    return client.post(url, {"after": "", "kind": "slide", **data}, **(extra or {}))


def first_step(template) -> Step:
    return template.ordered_steps().first()


def test_the_insert_form_offers_a_slide_step_with_the_decks_pages(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    page = reverse("workshop:run_of_show", kwargs={"slug": template.slug})
    html = editor_client().get(page).content.decode()
    assert '<option value="slide">Slide</option>' in html
    assert 'name="slide_number" inputmode="numeric" min="1" max="5"' in html
    assert "The deck has 5 pages." in html


def test_it_inserts_a_slide_step_titled_by_its_page(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    response = insert(editor_client(), template, slide_number="4")
    assert response.status_code == 302
    step = first_step(template)
    assert (step.kind, step.slide_number, step.title_en) == ("slide", 4, "Slide 4")
    positions = list(template.ordered_steps().values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


@pytest.mark.parametrize("number", ["6", "0", "-1", "two", ""])
def test_a_page_the_deck_does_not_have_is_refused(template, decks, number):
    services.upload_deck(template, "en", decks.en_5)
    before = list(template.ordered_steps().values_list("id", flat=True))
    for extra in ({}, HTMX):
        response = insert(
            editor_client(f"eda{len(extra)}"), template, slide_number=number, extra=extra
        )
        assert response.status_code == 400
        assert "The deck has no such page: choose a page from 1 to 5." in response.content.decode()
    assert list(template.ordered_steps().values_list("id", flat=True)) == before


def test_a_typed_title_is_kept_and_the_page_still_checked(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    refused = insert(editor_client(), template, slide_number="7", title="Recap")
    assert refused.status_code == 400 and not template.steps.filter(title_en="Recap").exists()
    insert(editor_client("eda2"), template, slide_number="2", title="Recap")
    step = first_step(template)
    assert (step.slide_number, step.title_en) == (2, "Recap")


def test_a_refused_slide_insert_comes_back_filled_in(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    html = insert(editor_client(), template, slide_number="9").content.decode()
    assert 'value="9" aria-describedby="slide-number-help-start"' in html
    assert '<details class="ros-insert" open>' in html


def test_a_slide_step_needs_a_deck(template):
    before = template.steps.count()
    response = insert(editor_client(), template, slide_number="1")
    assert response.status_code == 400
    assert "This workshop has no slide deck yet" in response.content.decode()
    assert template.steps.count() == before


def test_only_editors_insert_slide_steps(client, template, decks, facilitator):
    services.upload_deck(template, "en", decks.en_5)
    before = template.steps.count()
    client.force_login(facilitator)  # staff, but may not edit templates
    assert insert(client, template, slide_number="1").status_code == 403
    assert template.steps.count() == before
