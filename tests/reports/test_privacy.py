"""Privacy: no IP addresses in the app's tables; participants purged after
the retention period while the aggregated results stay."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from reports import registry
from reports.models import SessionSummary
from workshop import services
from workshop.models import Connection, Participant, WorkshopSession

pytestmark = pytest.mark.django_db

OUR_APPS = {"live", "workshop", "quizzes", "sdgmap", "qna", "reports"}
SUSPICIOUS = ("ip", "addr", "address", "remote", "user_agent", "useragent", "forwarded")


def test_no_table_of_ours_can_hold_an_ip_address():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field):
                continue
            assert not isinstance(field, models.GenericIPAddressField), field
            name = field.name.lower()
            parts = set(name.split("_"))
            assert not parts & set(SUSPICIOUS), f"{model.__name__}.{field.name}"


def test_joining_stores_no_address(client, session):
    client.post(
        reverse("workshop:join"),
        {"code": session.code, "nickname": "Amina"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    participant = Participant.objects.get(nickname="Amina")
    stored = " ".join(
        str(getattr(participant, f.attname)) for f in Participant._meta.concrete_fields
    )
    assert "203.0.113.7" not in stored and "198.51.100.1" not in stored


def _ended(session, days_ago):
    services.end_session(session, session.facilitator)
    WorkshopSession.objects.filter(pk=session.pk).update(
        ended_at=timezone.now() - timedelta(days=days_ago)
    )
    session.refresh_from_db()
    return session


@pytest.fixture
def old_session(session):
    for name in ("Amina", "Bruno", "Chloé"):
        services.join_session(session.code, nickname=name, language="fr")
    return session


def test_the_purge_deletes_participants_of_old_sessions_and_keeps_the_results(
    old_session, template, facilitator, settings, facilitator_client
):
    settings.RETENTION_DAYS = 30
    recent = services.create_session(template, facilitator, group_count=1)
    services.join_session(recent.code, nickname="Dora")
    _ended(recent, days_ago=29)
    still_live = services.create_session(template, facilitator)
    services.join_session(still_live.code, nickname="Eli")
    _ended(old_session, days_ago=31)

    call_command("purge_participants")

    assert not old_session.participants.exists()
    assert not Connection.objects.filter(session=old_session).exists()
    assert recent.participants.count() == 1 and still_live.participants.count() == 1
    summary = SessionSummary.objects.get(session=old_session)
    assert summary.purged_at is not None
    assert summary.data["session"]["participants"] == 3
    assert summary.data["groups"]["groups"] == [
        {"name": "Group 1", "participants": 2},
        {"name": "Group 2", "participants": 1},
    ]
    assert summary.data["groups"]["languages"] == {"fr": 3}
    assert "Amina" not in str(summary.data)

    # The report still shows the results, from the summary.
    html = facilitator_client.get(reverse("reports:report", args=[old_session.public_id]))
    html = html.content.decode()
    assert "deleted on" in html and "Group 1 2; Group 2 1" in html
    assert "/export/participants.csv" not in html  # nothing personal left to export


def test_a_second_purge_changes_nothing(old_session):
    _ended(old_session, days_ago=40)
    call_command("purge_participants")
    before = SessionSummary.objects.get(session=old_session).data
    call_command("purge_participants")
    assert SessionSummary.objects.get(session=old_session).data == before


def test_a_dry_run_lists_and_keeps(old_session, capsys):
    _ended(old_session, days_ago=31)
    call_command("purge_participants", "--dry-run")
    assert "3 participants" in capsys.readouterr().out
    assert old_session.participants.count() == 3


def test_the_retention_period_is_a_setting(old_session, settings):
    _ended(old_session, days_ago=5)
    settings.RETENTION_DAYS = 7
    call_command("purge_participants")
    assert old_session.participants.count() == 3
    settings.RETENTION_DAYS = 3
    call_command("purge_participants")
    assert old_session.participants.count() == 0


def test_apps_purge_their_own_personal_data(old_session, monkeypatch):
    seen = []
    monkeypatch.setattr(registry, "PURGE_HOOKS", [lambda s: seen.append(s.pk)])
    _ended(old_session, days_ago=31)
    call_command("purge_participants")
    assert seen == [old_session.pk]


def test_the_join_page_tells_how_long_we_keep_data(client, settings):
    settings.RETENTION_DAYS = 14
    html = client.get(reverse("workshop:home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "nous les supprimons 14 jours après l'atelier" in html


def _idle_since(session, days_ago):
    """Make the session look made, started and joined that many days ago."""
    then = timezone.now() - timedelta(days=days_ago)
    WorkshopSession.objects.filter(pk=session.pk).update(created_at=then, started_at=then)
    Participant.objects.filter(session=session).update(joined_at=then)


@pytest.mark.parametrize("status", ["draft", "live"])
def test_a_session_never_ended_is_ended_and_purged_after_the_retention_period(
    old_session, facilitator_client, settings, status
):
    settings.RETENTION_DAYS = 30
    WorkshopSession.objects.filter(pk=old_session.pk).update(status=status)
    _idle_since(old_session, days_ago=31)
    call_command("purge_participants")
    old_session.refresh_from_db()
    assert old_session.status == WorkshopSession.Status.ENDED
    assert old_session.participants.count() == 0
    html = facilitator_client.get(reverse("reports:report", args=[old_session.public_id]))
    assert "Nobody had used this session for more than 30 days" in html.content.decode()
    assert "The participants' data was deleted" in html.content.decode()


def test_a_session_in_use_is_left_running(old_session, settings):
    settings.RETENTION_DAYS = 30
    services.start_session(old_session, old_session.facilitator)
    _idle_since(old_session, days_ago=40)
    services.join_session(old_session.code, nickname="Late")  # activity today
    call_command("purge_participants")
    old_session.refresh_from_db()
    assert old_session.status == WorkshopSession.Status.LIVE
    assert old_session.participants.count() == 4
