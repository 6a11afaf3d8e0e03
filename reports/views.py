"""The workshop report and the CSV exports, for the session's facilitators,
during the session and after it; and each participant's take-away, theirs
alone, once it has ended."""

from __future__ import annotations

from uuid import UUID

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET

from workshop import identity
from workshop.models import Participant, WorkshopSession

from . import registry, services
from .csv import to_csv


def _get_session_for_facilitator(request: HttpRequest, public_id: UUID) -> WorkshopSession:
    session = get_object_or_404(
        WorkshopSession.objects.select_related("template"), public_id=public_id
    )
    if not session.is_facilitated_by(request.user):
        raise PermissionDenied("Only the session's facilitators can see its report.")
    return session


def _get_participant(request: HttpRequest, code: str) -> Participant | None:
    """The participant this session's signed cookie names; None otherwise
    (a cookie is salted per session: another session's means nothing here)."""
    public_id = identity.participant_id_from_request(request, code)
    if public_id is None:
        return None
    return (
        Participant.objects.select_related("session__template", "group")
        .filter(session__code=code, public_id=public_id)
        .first()
    )


@staff_member_required
@require_GET
def report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    session = _get_session_for_facilitator(request, public_id)
    with translation.override(session.control_language):
        summary, stored = services.report_data(session)
        sections = [
            {"key": s.key, "template": s.template, "data": summary[s.key]}
            for s in registry.report_sections()
            if summary.get(s.key)
        ]
        return render(
            request,
            "reports/report.html",
            {
                "session": session,
                "summary": summary,
                "stored": stored,
                "sections": sections,
                "exports": registry.exports() if stored is None else [],
            },
        )


@staff_member_required
@require_GET
def export(request: HttpRequest, public_id: UUID, key: str) -> HttpResponse:
    session = _get_session_for_facilitator(request, public_id)
    spec = registry.EXPORTS.get(key)
    if spec is None:
        raise Http404("No such export.")
    with translation.override(session.control_language):
        header, rows = spec.fn(session)
        text = to_csv([str(h) for h in header], rows)
    response = HttpResponse(
        # A byte-order mark: spreadsheets then read the accents as UTF-8.
        "\ufeff" + text,
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{session.code}-{key}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def takeaway(request: HttpRequest, code: str) -> HttpResponse:
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    if not participant.session.is_ended:
        # It shows the right answers: not while the room still answers.
        return redirect("workshop:participant", code=code)
    with translation.override(participant.language):
        sections = [
            {"key": s.key, "template": s.template, "data": data}
            for s in registry.takeaway_sections()
            if (data := s.fn(participant))
        ]
        context = {"session": participant.session, "participant": participant}
        response = render(request, "reports/takeaway.html", {**context, "sections": sections})
        response["Content-Language"] = participant.language
    response["Cache-Control"] = "private, no-store"  # one person's answers
    return response
