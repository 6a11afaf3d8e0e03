"""What each screen shows of the questions: read-only, counts from the database."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from workshop.models import Participant, WorkshopSession

from .models import QnaSettings, Question, Vote
from .services import settings_for

# How many questions the projector's Questions step shows: readable from the back.
SCREEN_TOP = 6
# How many questions of each list a push carries, whatever the room asked:
# the phones' panel and the control view's queue stay a few dozen KB at
# 1,000 questions (uncapped, the queue passed daphne's 1 MiB message limit
# at about 400). The rest is read a page at a time over HTTP.
PUSH_TOP = 20
# The phones' archive shows the latest few answered: each may carry a long reply.
PHONE_ANSWERED = 5
PAGE_SIZE = 20
SORTS = ("votes", "newest")
LANGUAGE_NAMES = {"en": _("English"), "fr": _("French"), "nl": _("Dutch")}


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000) if moment else 0


def with_votes(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.annotate(n_votes=Count("votes"))


def by_votes(questions: QuerySet[Question]) -> QuerySet[Question]:
    return with_votes(questions).order_by("-n_votes", "created_at", "id")


def newest_first(questions: QuerySet[Question]) -> QuerySet[Question]:
    return with_votes(questions).order_by("-created_at", "-id")


def sort_from(raw: Any) -> str:
    """A sort a link asked for (``?qna_sort=``); by votes otherwise."""
    return raw if raw in SORTS else "votes"


def sorted_by(questions: QuerySet[Question], sort: str) -> QuerySet[Question]:
    return newest_first(questions) if sort == "newest" else by_votes(questions)


def _sort_key(sort: str):
    if sort == "newest":
        return lambda q: (-q.created_at.timestamp(), -q.pk)
    return lambda q: (-q.n_votes, q.created_at, q.pk)


def top_of_both_sorts(questions: QuerySet[Question], sort: str) -> list[Question]:
    """The PUSH_TOP first by votes and the PUSH_TOP newest, in ``sort``'s order.

    One render serves every phone whatever its sort, so it carries the top
    of both; the items past PUSH_TOP in ``sort`` are marked ``capped`` (the
    page hides them; the script re-sorts and re-hides for the phone's own
    sort). At most 2 x PUSH_TOP questions, however many there are.
    """
    found = {q.pk: q for q in by_votes(questions)[:PUSH_TOP]}
    for question in newest_first(questions)[:PUSH_TOP]:
        found.setdefault(question.pk, question)
    ordered = sorted(found.values(), key=_sort_key(sort))
    for rank, question in enumerate(ordered):
        question.created_ms = _ms(question.created_at)
        question.capped = rank >= PUSH_TOP
    return ordered


@dataclass
class PhoneBoard:
    """The room's public questions, the same for every phone of a language."""

    options: QnaSettings
    sort: str = "votes"
    shown: list[Question] = field(default_factory=list)
    answered: list[Question] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    push_top: int = PUSH_TOP

    @property
    def news(self) -> int:
        """When the last reply or highlight came, for the phones' badge."""
        stamps = [_ms(q.replied_at) for q in [*self.shown, *self.answered] if q.reply]
        stamps += [_ms(q.highlighted_at) for q in self.shown + self.answered if q.highlighted]
        return max(stamps, default=0)


def _in_state(session: WorkshopSession, state: str) -> QuerySet[Question]:
    return session.room_questions.filter(state=state)


def _latest_answered(questions: QuerySet[Question]) -> list[Question]:
    latest = list(latest_first(questions)[:PHONE_ANSWERED])
    for question in latest:
        question.created_ms = _ms(question.created_at)
    return latest


def public_list(session: WorkshopSession, state: str, sort: str) -> QuerySet[Question]:
    """The room's shown questions in ``sort``'s order, or the answered latest first."""
    if state == Question.State.ANSWERED:
        return latest_first(_in_state(session, state))
    return sorted_by(_in_state(session, Question.State.SHOWN), sort)


def phone_board(session: WorkshopSession, sort: str = "votes") -> PhoneBoard:
    """The top of the room's questions; the rest is on the pages of
    :func:`page_of`."""
    board = PhoneBoard(settings_for(session), sort_from(sort))
    board.shown = top_of_both_sorts(_in_state(session, Question.State.SHOWN), board.sort)
    board.answered = _latest_answered(_in_state(session, Question.State.ANSWERED))
    board.counts = {
        state: _in_state(session, state).count()
        for state in (Question.State.SHOWN, Question.State.ANSWERED)
    }
    return board


def shown_counts(session: WorkshopSession) -> dict[int, int]:
    """The votes of the shown questions a phone holds (the top of both
    sorts, twice PUSH_TOP wide so that one climbing into the top is counted):
    all a phone needs after a vote, a bounded size whatever the room asked."""
    shown = _in_state(session, Question.State.SHOWN)
    ids = set(by_votes(shown).values_list("pk", flat=True)[: 2 * PUSH_TOP])
    ids |= set(newest_first(shown).values_list("pk", flat=True)[:PUSH_TOP])
    return dict(with_votes(shown.filter(pk__in=ids)).order_by().values_list("pk", "n_votes"))


def _shown_in(session_id: int) -> QuerySet[Question]:
    return Question.objects.filter(session_id=session_id, state=Question.State.SHOWN)


def strangers_in_top(session_id: int, moved: dict[int, int]) -> set[int]:
    """The questions that ``moved`` (votes just added, or taken back when
    negative, per question) brought into the PUSH_TOP by votes from outside
    what every phone's panel holds: the top before them and the newest
    (top_of_both_sorts). The counts pushed after a vote cover only those;
    a question from further down needs the panel pushed again.

    It runs in the transaction of every batch of votes, so it reads the
    counts of the few questions that can matter, not of all of them twice:
    ranking all before and after took about 13 ms a batch on PostgreSQL at
    100 questions and 5,000 votes, this about 6.
    """
    if not moved:
        return set()
    # What was in the top before, if not moved, is now at most this far down:
    # only the questions that gained votes can have passed it.
    reach = PUSH_TOP + sum(1 for delta in moved.values() if delta > 0)
    shown = _shown_in(session_id)
    fields = ("pk", "n_votes", "created_at")
    rows = list(by_votes(shown).values_list(*fields)[:reach])
    rest = set(moved) - {pk for pk, _n, _created in rows}
    if rest:
        rows += with_votes(shown.filter(pk__in=rest)).values_list(*fields)
    now = {pk: (n, created, pk) for pk, n, created in rows}
    before = {pk: (n - moved.get(pk, 0), created, pk) for pk, (n, created, _pk) in now.items()}
    climbed = _top(now) - _top(before)
    if not climbed:
        return set()
    newest = _shown_in(session_id).order_by("-created_at", "-id").values_list("pk", flat=True)
    return climbed - set(newest[:PUSH_TOP])


def _top(keys: dict[int, tuple]) -> set[int]:
    """The PUSH_TOP first of (votes, created, id) keys, in :func:`by_votes`'s order."""
    ranked = heapq.nsmallest(PUSH_TOP, keys.values(), key=lambda k: (-k[0], k[1], k[2]))
    return {pk for _n, _created, pk in ranked}


def mine(participant: Participant) -> dict[str, Any]:
    """A participant's own questions, whatever their state, and their votes."""
    questions = list(with_votes(participant.questions.all()).order_by("-created_at", "-id"))
    voted = list(participant.qna_votes.values_list("question_id", flat=True))
    active = any(q.state in (Question.State.PENDING, Question.State.SHOWN) for q in questions)
    return {"questions": questions, "voted": sorted(voted), "active": active}


def oldest_first(questions: QuerySet[Question]) -> QuerySet[Question]:
    return with_votes(questions).order_by("created_at", "id")


def latest_first(questions: QuerySet[Question]) -> QuerySet[Question]:
    return with_votes(questions).order_by("-answered_at", "-created_at", "-id")


def control_list(session: WorkshopSession, state: str, sort: str = "votes") -> QuerySet[Question]:
    """One of the control view's lists, whole, in its order: the queue oldest
    first (who asked first is answered first), the shown ones by ``sort``,
    the answered and hidden ones latest first."""
    questions = _in_state(session, state)
    if state == Question.State.PENDING:
        return oldest_first(questions)
    if state == Question.State.SHOWN:
        return sorted_by(questions, sort)
    return latest_first(questions)


def control_board(session: WorkshopSession, sort: str = "votes") -> dict[str, Any]:
    """What the facilitators moderate: each list's first PUSH_TOP (the rest on
    the pages of :func:`page_of`), and every list's count."""
    sort = sort_from(sort)
    counts = dict(session.room_questions.order_by().values_list("state").annotate(n=Count("id")))
    lists = {
        state: list(control_list(session, state)[:PUSH_TOP])
        for state in (Question.State.PENDING, Question.State.ANSWERED, Question.State.REJECTED)
    }
    lists["shown"] = top_of_both_sorts(_in_state(session, Question.State.SHOWN), sort)
    return {
        "options": settings_for(session),
        "sort": sort,
        **lists,
        "counts": {state: counts.get(state, 0) for state in Question.State.values},
        # Every vote of the room, from the database: the lists show only the
        # first questions, the facilitator (and the benchmark) reads the total.
        "votes": Vote.objects.filter(question__session_id=session.pk).count(),
        "push_top": PUSH_TOP,
    }


@dataclass
class Page:
    """One page of a list: its questions and where the others are."""

    questions: list[Question]
    number: int
    pages: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def page_number(raw: Any) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def page_of(questions: QuerySet[Question], number: Any) -> Page:
    """A page of PAGE_SIZE; a number past the end gives the last page."""
    total = questions.count()
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(page_number(number), pages)
    items = list(questions[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    for question in items:
        question.created_ms = _ms(question.created_at)
    return Page(items, number, pages, total)


def screen_top(session: WorkshopSession) -> list[Question]:
    shown = session.room_questions.filter(state=Question.State.SHOWN)
    return list(by_votes(shown)[:SCREEN_TOP])


def highlighted(session: WorkshopSession) -> Question | None:
    return with_votes(session.room_questions.filter(highlighted=True)).first()
