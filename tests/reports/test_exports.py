"""CSV exports: facilitators only, pseudonymous, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from reports.csv import neutralise, to_csv
from workshop import services

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Amina", "Amina"),
        ("a=b", "a=b"),
        (-3, -3),
        (2.5, 2.5),
        (None, ""),
    ],
)
def test_it_neutralises_cells_a_spreadsheet_would_run(cell, expected):
    assert neutralise(cell) == expected


def test_a_whole_file_is_neutralised_header_included():
    text = to_csv(["=name"], [["@x", "ok"], ["-1", 5]])
    assert list(csv.reader(io.StringIO(text))) == [["'=name"], ["'@x", "ok"], ["'-1", "5"]]


def test_the_participants_export_is_pseudonymous_and_safe(facilitator_client, session):
    services.join_session(session.code, nickname="Amina", language="fr")
    services.join_session(session.code, nickname="=cmd|' /C calc'!A0")
    url = reverse("reports:export", args=[session.public_id, "participants"])
    response = facilitator_client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{session.code}-participants.csv"' in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == ["participant", "nickname", "group", "language", "joined at"]
    assert [r[0] for r in rows] == ["P001", "P002"]
    assert rows[0][1:4] == ["Amina", "Group 1", "fr"]
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][2] == "Group 2"


def test_the_groups_export_lists_members_by_pseudonym(facilitator_client, session):
    for name in ("Amina", "Bruno", "Chloé"):
        services.join_session(session.code, nickname=name)
    response = facilitator_client.get(reverse("reports:export", args=[session.public_id, "groups"]))
    assert _rows(response) == [
        ["group", "participants", "members"],
        ["Group 1", "2", "P001 P003"],
        ["Group 2", "1", "P002"],
    ]


def test_headers_follow_the_control_language(facilitator_client, session):
    services.set_languages(session, session.facilitator, screen="en", control="fr")
    response = facilitator_client.get(reverse("reports:export", args=[session.public_id, "groups"]))
    assert _rows(response)[0] == ["groupe", "participants", "membres"]


def test_exports_are_for_the_sessions_facilitators_only(
    session, other_facilitator, plain_user, co_facilitator
):
    url = reverse("reports:export", args=[session.public_id, "participants"])
    assert Client().get(url).status_code == 302  # to the login page
    for user, status in ((other_facilitator, 403), (plain_user, 302)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status
    session.co_facilitators.add(co_facilitator)
    client = Client()
    client.force_login(co_facilitator)
    assert client.get(url).status_code == 200


def test_an_unknown_export_is_not_found(facilitator_client, session):
    url = reverse("reports:export", args=[session.public_id, "nope"])
    assert facilitator_client.get(url).status_code == 404
