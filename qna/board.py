"""What each screen shows of the questions: read-only, counts from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from workshop.models import Participant, WorkshopSession

from .models import QnaSettings, Question
from .services import settings_for

# How many questions the projector's Questions step shows: readable from the back.
SCREEN_TOP = 6
LANGUAGE_NAMES = {"en": _("English"), "fr": _("French"), "nl": _("Dutch")}


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000) if moment else 0


def with_votes(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.annotate(n_votes=Count("votes"))


def by_votes(questions: QuerySet[Question]) -> QuerySet[Question]:
    return with_votes(questions).order_by("-n_votes", "created_at", "id")


@dataclass
class PhoneBoard:
    """The room's public questions, the same for every phone of a language."""

    options: QnaSettings
    shown: list[Question] = field(default_factory=list)
    answered: list[Question] = field(default_factory=list)

    @property
    def news(self) -> int:
        """When the last reply or highlight came, for the phones' badge."""
        stamps = [_ms(q.replied_at) for q in [*self.shown, *self.answered] if q.reply]
        stamps += [_ms(q.highlighted_at) for q in self.shown + self.answered if q.highlighted]
        return max(stamps, default=0)


def phone_board(session: WorkshopSession) -> PhoneBoard:
    options = settings_for(session)
    board = PhoneBoard(options)
    public = session.room_questions.filter(
        state__in=[Question.State.SHOWN, Question.State.ANSWERED]
    )
    for question in by_votes(public):
        question.created_ms = _ms(question.created_at)
        (board.shown if question.state == Question.State.SHOWN else board.answered).append(question)
    return board


def shown_counts(session: WorkshopSession) -> dict[int, int]:
    """Each shown question's votes: all a phone needs after a vote."""
    shown = session.room_questions.filter(state=Question.State.SHOWN)
    return dict(with_votes(shown).order_by().values_list("pk", "n_votes"))


def mine(participant: Participant) -> dict[str, Any]:
    """A participant's own questions, whatever their state, and their votes."""
    questions = list(with_votes(participant.questions.all()).order_by("-created_at", "-id"))
    voted = list(participant.qna_votes.values_list("question_id", flat=True))
    active = any(q.state in (Question.State.PENDING, Question.State.SHOWN) for q in questions)
    return {"questions": questions, "voted": sorted(voted), "active": active}


def control_board(session: WorkshopSession) -> dict[str, Any]:
    """Everything the facilitators moderate, with counts."""
    lists: dict[str, list[Question]] = {state: [] for state in Question.State.values}
    for question in by_votes(session.room_questions.all()):
        lists[question.state].append(question)
    # The queue reads oldest first: who asked first is answered first.
    lists["pending"].sort(key=lambda q: (q.created_at, q.pk))
    return {
        "options": settings_for(session),
        **lists,
        "counts": {state: len(items) for state, items in lists.items()},
    }


def screen_top(session: WorkshopSession) -> list[Question]:
    shown = session.room_questions.filter(state=Question.State.SHOWN)
    return list(by_votes(shown)[:SCREEN_TOP])


def highlighted(session: WorkshopSession) -> Question | None:
    return with_votes(session.room_questions.filter(highlighted=True)).first()
