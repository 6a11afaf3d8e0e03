"""The workshop report: during and after a session, sections apps contribute."""

import pytest
from django.test import Client
from django.urls import reverse

from reports import registry
from reports.charts import Bar, bar_chart
from workshop import services

pytestmark = pytest.mark.django_db


def test_the_report_shows_the_session_and_its_groups_while_it_runs(facilitator_client, session):
    for name in ("Amina", "Bruno", "Chloé"):
        services.join_session(session.code, nickname=name)
    services.start_session(session, session.facilitator)
    html = facilitator_client.get(reverse("reports:report", args=[session.public_id])).content
    html = html.decode()
    assert "Workshop report" in html and session.title in html
    assert "still running" in html
    assert "Participants per group" in html
    assert '<svg class="chart"' in html and "Group 1 2; Group 2 1" in html
    assert html.count('class="chart-bar') == 2
    assert "Amina" not in html  # the report is about the room, not persons
    assert reverse("reports:export", args=[session.public_id, "participants"]) in html
    assert "media print" not in html  # the print stylesheet is in app.css, not inline


def test_the_report_is_in_the_control_language(facilitator_client, session):
    services.set_languages(session, session.facilitator, screen="en", control="nl")
    html = facilitator_client.get(reverse("reports:report", args=[session.public_id]))
    assert "Workshopverslag" in html.content.decode()


def test_the_report_is_for_the_sessions_facilitators_only(session, other_facilitator):
    url = reverse("reports:report", args=[session.public_id])
    assert Client().get(url).status_code == 302
    client = Client()
    client.force_login(other_facilitator)
    assert client.get(url).status_code == 403


def test_apps_contribute_report_sections(facilitator_client, session, monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "SUMMARY_SECTIONS", dict(registry.SUMMARY_SECTIONS))
    monkeypatch.setattr(registry, "REPORT_SECTIONS", dict(registry.REPORT_SECTIONS))
    registry.register_summary_section("quiz", lambda s: {"answered": 7}, order=20)
    registry.register_report_section("quiz", "reports/sections/session.html", order=20)
    registry.register_summary_section("empty", lambda s: {}, order=30)
    registry.register_report_section("empty", "no/such/template.html", order=30)
    html = facilitator_client.get(reverse("reports:report", args=[session.public_id]))
    assert html.status_code == 200  # an empty section is skipped, not rendered


def test_bar_charts_carry_their_numbers_as_text():
    svg = bar_chart([Bar("1951", 12, highlight=True), Bar("1919", 3)], title="Since when?")
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert "<title" in svg and "Since when?: 1951 12; 1919 3" in svg
    assert "12 (80 %)" in svg and "3 (20 %)" in svg
    assert "chart-bar-highlight" in svg and "1951 ✓" in svg


def test_an_empty_chart_still_renders():
    assert "<svg" in bar_chart([], title="Nothing yet")


def test_chart_coordinates_are_never_localised():
    from django.utils import translation

    with translation.override("fr"):
        svg = bar_chart([Bar("a", 1), Bar("b", 3)], title="t")
    assert 'width="140.0"' in svg and "," not in svg.split("<title")[0]
