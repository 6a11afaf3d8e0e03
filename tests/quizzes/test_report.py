"""The quiz in the workshop report (SVG charts, in any language, after the
purge too) and the answers export."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Choice
from workshop import services as room
from workshop.models import WorkshopSession

from .conftest import go_to_question, question

pytestmark = pytest.mark.django_db


def _answer(player, run, value, n=0):
    services.submit_answer(player.pk, player.session_id, run.pk, value, f"c-{player.pk}-{n}")


@pytest.fixture
def answered(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-founded", facilitator)
    run = services.open_question(session, facilitator)
    choices = {c.text: c.pk for c in question("t-founded").choices.all()}
    # One participant reads French, the others English: the answers add up per choice.
    room.set_participant_language(players[0], "fr")
    for player, year in zip(players, ["1951", "1951", "1919", "1951"], strict=True):
        _answer(player, run, [choices[year]])
    services.close_question(session, facilitator)
    services.reveal_question(session, facilitator)
    session = go_to_question(session, "t-word", facilitator)
    run = services.open_question(session, facilitator)
    _answer(players[0], run, "Skills")
    _answer(players[1], run, "=cmd|' /C calc'!A0")
    return session


def test_the_report_charts_every_question(facilitator_client, answered):
    html = facilitator_client.get(reverse("reports:report", args=[answered.public_id]))
    html = html.content.decode()
    assert "Quiz results" in html
    assert "Since which year has IOM been supporting migrants?" in html
    assert "4 answers · 3 right" in html
    assert "1919 1; 1951 3; 1990 0" in html  # the chart's text for screen readers
    assert "chart-bar-highlight" in html and "1951 ✓" in html
    assert "Skills" in html


def test_choices_are_labelled_in_the_reports_language(facilitator_client, answered):
    Choice.objects.filter(question__key="t-founded", text_en="1919").update(text_fr="en 1919")
    room.set_languages(answered, answered.facilitator, screen="en", control="fr")
    html = facilitator_client.get(reverse("reports:report", args=[answered.public_id]))
    assert "en 1919 1" in html.content.decode()


def test_the_answers_export_counts_choices_not_strings(facilitator_client, answered):
    response = facilitator_client.get(
        reverse("reports:export", args=[answered.public_id, "answers"])
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8")[1:])))
    founded = [r for r in rows if r["question"] == "t-founded"]
    assert [r["participant"] for r in founded] == ["P001", "P002", "P003", "P004"]
    assert [r["choice numbers"] for r in founded] == ["2", "2", "1", "2"]
    assert [r["correct"] for r in founded] == ["yes", "yes", "no", "yes"]
    words = [r["answer given"] for r in rows if r["question"] == "t-word"]
    assert words == ["Skills", "'=cmd|' /C calc'!A0"]


def test_the_results_survive_the_purge(facilitator_client, answered, settings):
    settings.RETENTION_DAYS = 30
    room.end_session(answered, answered.facilitator)
    WorkshopSession.objects.filter(pk=answered.pk).update(
        ended_at=timezone.now() - timedelta(days=31)
    )
    call_command("purge_participants")
    assert not answered.participants.exists()
    html = facilitator_client.get(reverse("reports:report", args=[answered.public_id]))
    html = html.content.decode()
    assert "4 answers · 3 right" in html and "1919 1; 1951 3; 1990 0" in html
