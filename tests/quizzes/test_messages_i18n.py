"""Texts that were still English only: the range refusals, a text too long,
the no-JavaScript form's confirmation, the correct-answer label of SDG
questions, and the groups a session makes up."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from quizzes import results, services
from workshop import services as room
from workshop.errors import DomainError

from ..conftest import participant_client
from .conftest import go_to_question, question


def _refusal(key: str, raw, language: str) -> str:
    asked = question(key)
    with pytest.raises(DomainError) as error:
        services.clean_value(asked, list(asked.choices.all()), raw)
    with translation.override(language):
        return str(error.value.message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "number", "scale"),
    [
        ("en", "Give a number between 1 and 100.", "Pick a value from 1 to 5."),
        ("fr", "Donnez un nombre entre 1 et 100.", "Choisissez une valeur de 1 à 5."),
        ("nl", "Geef een getal tussen 1 en 100.", "Kies een waarde van 1 tot 5."),
    ],
)
def test_range_refusals_come_in_the_readers_language(quiz_template, language, number, scale):
    assert _refusal("t-one-in", 500, language) == number
    assert _refusal("t-scale", 9, language) == scale


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "one", "all_of_them"),
    [
        ("en", "SDG 10: ", "All 17 SDGs"),
        ("fr", "ODD 10 : ", "Les 17 ODD"),
        ("nl", "SDG 10: ", "Alle 17 SDG's"),
    ],
)
def test_the_correct_sdgs_are_named_in_the_audiences_language(
    quiz_template, language, one, all_of_them
):
    with translation.override(language):
        labels = [
            results.tally_of(question(key), [], []).correct_label for key in ("t-sdg", "t-all-sdgs")
        ]
    assert labels[0].startswith(one)
    assert labels[1] == all_of_them


@pytest.mark.django_db
def test_made_up_groups_are_named_in_the_language_of_who_sets_them_up(template, facilitator):
    with translation.override("fr"):
        session = room.create_session(template, facilitator, group_count=2, base_url="http://x")
    assert [g.name for g in session.groups.all()] == ["Groupe 1", "Groupe 2"]
    with translation.override("nl"):
        assert room.default_group_names(3) == ["Groep 1", "Groep 2", "Groep 3"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "too_long"),
    [
        ("en", "Keep it short: at most 20 characters."),
        ("fr", "Restez bref : 20 caractères au plus."),
        ("nl", "Hou het kort: hoogstens 20 tekens."),
    ],
)
def test_a_text_too_long_is_refused_in_the_readers_language(quiz_template, language, too_long):
    assert _refusal("t-word", "x" * 21, language) == too_long


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "stored"),
    [
        ("en", "Your answer is in."),
        ("fr", "Votre réponse est enregistrée."),
        ("nl", "Je antwoord is binnen."),
    ],
)
def test_the_no_javascript_form_says_the_answer_is_in_in_the_phones_language(
    quiz_session, facilitator, players, language, stored
):
    session = go_to_question(quiz_session, "t-word", facilitator)
    run = services.open_question(session, facilitator)
    client = participant_client(players[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("quizzes:answer", args=[session.code]),
        {"run": run.pk, "value": "hope"},
        follow=True,
    )
    assert stored in response.content.decode()
