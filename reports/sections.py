"""The core's parts of the report and the exports: the session's facts,
participants per group and per language; participants and groups as CSV.
And of a participant's take-away: the workshop's content, to read again."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from workshop.models import Fact, Participant, Step, WorkshopSession

from . import registry
from .services import pseudonyms


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def session_summary(session: WorkshopSession) -> dict[str, Any]:
    duration = None
    if session.started_at and session.ended_at:
        duration = round((session.ended_at - session.started_at).total_seconds() / 60)
    return {
        "title": session.title,
        "template": session.template.title,
        "code": session.code,
        "status": session.status,
        "created_at": _iso(session.created_at),
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.ended_at),
        "duration_minutes": duration,
        "steps": session.template.steps.count(),
        "participants": session.participants.count(),
    }


def groups_summary(session: WorkshopSession) -> dict[str, Any]:
    groups = [
        {"name": g.name, "participants": g.size}
        for g in session.groups.annotate(size=Count("members")).order_by("position", "id")
    ]
    languages = dict(
        session.participants.values_list("language").annotate(n=Count("id")).order_by("language")
    )
    return {
        "groups": groups,
        "without_group": session.participants.filter(group__isnull=True).count(),
        "languages": languages,
    }


def participants_csv(session: WorkshopSession):
    names = pseudonyms(session)
    header = [_("participant"), _("nickname"), _("group"), _("language"), _("joined at")]
    rows = (
        [names[p.pk], p.nickname, p.group.name if p.group else "", p.language, p.joined_at]
        for p in session.participants.select_related("group").order_by("joined_at", "id")
    )
    return header, rows


def groups_csv(session: WorkshopSession):
    names = pseudonyms(session)
    header = [_("group"), _("participants"), _("members")]
    rows = []
    for group in session.groups.prefetch_related("members").order_by("position", "id"):
        members = sorted(names[m.pk] for m in group.members.all())
        rows.append([group.name, len(members), " ".join(members)])
    return header, rows


def workshop_content(participant: Participant) -> dict[str, Any]:
    """The welcome and content steps with their key figures: what the room
    saw, its resources included. Facilitators' notes stay on the control view."""
    steps = (
        participant.session.ordered_steps()
        .filter(kind__in=[Step.Kind.LOBBY, Step.Kind.CONTENT])
        .prefetch_related(Prefetch("facts", queryset=Fact.objects.order_by("position", "id")))
    )
    return {"steps": list(steps)} if steps else {}


registry.register_summary_section("session", session_summary, order=0)
registry.register_summary_section("groups", groups_summary, order=10)
registry.register_report_section("session", "reports/sections/session.html", order=0)
registry.register_report_section("groups", "reports/sections/groups.html", order=10)
registry.register_export("participants", _("Participants"), participants_csv, order=0)
registry.register_export("groups", _("Groups"), groups_csv, order=10)
registry.register_takeaway_section(
    "content", "reports/takeaway/content.html", workshop_content, order=90
)
