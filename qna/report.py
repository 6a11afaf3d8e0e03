"""Q&A in the workshop report, the exports and the retention purge.

The report's section lists every question with its votes, state, reply and
times, and names no one: it is stored as it is when the participants are
purged. The CSV, while the participants exist, also gives the nickname of
a signed question. The purge deletes the authors and voters (their rows
are SET_NULL here, so texts and counts stay) and the nickname snapshots.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from reports import registry
from workshop.models import WorkshopSession

from .board import with_votes
from .models import Question


def _questions(session: WorkshopSession):
    return with_votes(Question.objects.filter(session=session)).order_by("created_at", "id")


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def qna_summary(session: WorkshopSession) -> dict[str, Any]:
    questions = [
        {
            "text": q.text,
            "lang": q.lang,
            "state": q.state,
            "votes": q.n_votes,
            "anonymous": q.anonymous,
            "reply": q.reply,
            "asked_at": _iso(q.created_at),
            "shown_at": _iso(q.shown_at),
            "answered_at": _iso(q.answered_at),
        }
        for q in _questions(session)
    ]
    if not questions:
        return {}
    counts = {state: sum(q["state"] == state for q in questions) for state in Question.State.values}
    return {"questions": questions, "counts": counts, "votes": sum(q["votes"] for q in questions)}


def questions_csv(session: WorkshopSession):
    header = [
        _("question"),
        _("language"),
        _("state"),
        _("votes"),
        _("anonymous"),
        _("nickname"),
        _("reply"),
        _("asked at"),
        _("shown at"),
        _("answered at"),
        _("replied at"),
    ]
    rows = (
        [
            q.text,
            q.lang,
            q.state,
            q.n_votes,
            "yes" if q.anonymous else "",
            "" if q.anonymous else q.nickname,
            q.reply,
            q.created_at,
            q.shown_at or "",
            q.answered_at or "",
            q.replied_at or "",
        ]
        for q in _questions(session)
    )
    return header, rows


def purge_nicknames(session: WorkshopSession) -> None:
    """The nickname snapshot points to a person: gone with the participants.
    Texts, states, replies and vote counts stay."""
    Question.objects.filter(session=session).exclude(nickname="").update(nickname="")


def register() -> None:
    registry.register_purge_hook(purge_nicknames)
    registry.register_summary_section("qna", qna_summary, order=60)
    registry.register_report_section("qna", "qna/report.html", order=60)
    registry.register_export("questions", _("Questions from the room"), questions_csv, order=60)
