"""Q&A operations: the only code that stores questions and votes, moderates
them and changes the Q&A settings, and the only code that announces those
changes to the live room.

Every function checks everything before it writes: a refusal raises a
DomainError and changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import live
from workshop.errors import DomainError, NotFound
from workshop.models import Participant, WorkshopSession
from workshop.services import check_facilitator, check_not_ended
from workshop.text import storable

from .models import QUESTION_MAX_LENGTH, REPLY_MAX_LENGTH, QnaSettings, Question, TemplateQna, Vote

# Topics. "qna": what everyone sees changed (a question shown, answered,
# highlighted, the settings). "qna-queue": only the facilitators' queue
# changed (a question waits for approval). "qna-votes": counts moved;
# coalesced, so a burst of votes costs a few renders a second.
TOPIC_QNA = "qna"
TOPIC_QUEUE = "qna-queue"
TOPIC_VOTES = "qna-votes"
# "qna-ranking": votes brought into the top a question the phones' panel may
# not hold (board.strangers_in_top); the counts alone cannot show it.
TOPIC_RANKING = "qna-ranking"
VOTES_DELAY_SECONDS = 0.25
# A question that climbs into the top 20 shows on the phones within this.
RANKING_DELAY_SECONDS = 3.0

# One question per participant per this many seconds.
ASK_INTERVAL_SECONDS = 10
CLIENT_ID_MAX_LENGTH = 64


# --- reading -----------------------------------------------------------------------


def settings_for(session: WorkshopSession) -> QnaSettings:
    """The session's Q&A settings; the template's default until changed."""
    found = QnaSettings.objects.filter(session_id=session.pk).first()
    if found is not None:
        return found
    default = TemplateQna.objects.filter(template_id=session.template_id).first()
    return QnaSettings(session_id=session.pk, **(default.options() if default else {}))


# --- checks --------------------------------------------------------------------------


def clean_text(raw: Any, *, max_length: int, too_long: Any, multiline: bool = False) -> str:
    """Text a person typed, stripped; refused when PostgreSQL could not store
    it (NUL, a lone surrogate) or when it is empty or too long."""
    if not isinstance(raw, str):
        raise DomainError("bad_text", _("Send the text as text."))
    if not storable(raw):
        raise DomainError("bad_text", _("This text holds characters that cannot be stored."))
    text = raw.strip() if multiline else " ".join(raw.split())
    if len(text) > max_length:
        raise DomainError("text_too_long", too_long)
    return text


def _open_settings(session: WorkshopSession) -> QnaSettings:
    check_not_ended(session)
    options = settings_for(session)
    if not options.enabled:
        raise DomainError("qna_off", _("Questions are closed for now."))
    return options


def _question_id(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise NotFound("unknown_question", _("No such question.")) from None


def _question_for_update(session: WorkshopSession, question_id: Any) -> Question:
    question = (
        Question.objects.select_for_update()
        .filter(session_id=session.pk, pk=_question_id(question_id))
        .first()
    )
    if question is None:
        raise NotFound("unknown_question", _("No such question."))
    return question


# --- participants ------------------------------------------------------------------


@transaction.atomic
def ask_question(
    participant: Participant, text: Any, *, anonymous: bool = False, client_id: str = ""
) -> Question:
    """Store a participant's question: waiting for approval under moderation,
    shown at once otherwise. One per ASK_INTERVAL_SECONDS per participant,
    checked under the participant's row lock so two at once cannot both pass.

    The same ``client_id`` again (the outbox resending after a reconnect)
    gives back the question already stored, not a second one.
    """
    # Locked first: the session's state and the last question are read under it.
    participant = (
        Participant.objects.select_for_update().select_related("session").get(pk=participant.pk)
    )
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise DomainError("bad_client_id", _("This question has no valid id; reload the page."))
    if client_id:
        already = Question.objects.filter(author=participant, client_id=client_id).first()
        if already is not None:
            return already
    session = participant.session
    options = _open_settings(session)
    text = clean_text(
        text,
        max_length=QUESTION_MAX_LENGTH,
        too_long=_("A question has at most 280 characters."),
    )
    if not text:
        raise DomainError("empty_question", _("Write your question first."))
    anonymous = bool(anonymous)
    if anonymous and not options.anonymous_allowed:
        raise DomainError(
            "anonymous_off", _("The facilitator asks for questions under your nickname.")
        )
    now = timezone.now()
    recent = Question.objects.filter(
        author=participant, created_at__gt=now - timedelta(seconds=ASK_INTERVAL_SECONDS)
    )
    if recent.exists():
        raise DomainError(
            "too_fast",
            _("One question every 10 seconds: wait a moment, then send it again."),
        )
    shown = not options.moderated
    question = Question.objects.create(
        session=session,
        text=text,
        lang=participant.language,
        anonymous=anonymous,
        author=participant,
        nickname="" if anonymous else participant.nickname,
        state=Question.State.SHOWN if shown else Question.State.PENDING,
        shown_at=now if shown else None,
        client_id=client_id,
    )
    live.changed(session.pk, TOPIC_QNA if shown else TOPIC_QUEUE)
    return question


@dataclass(frozen=True)
class VoteIn:
    """One vote as a phone sent it: ``voted`` False takes it back."""

    participant_id: int | None
    question_id: Any
    voted: bool
    client_id: str


def vote(
    participant: Participant, question_id: Any, *, voted: bool = True, client_id: str = ""
) -> dict[str, Any]:
    """Upvote a shown question (``voted``) or take the vote back.

    Returns ``{"question", "voted", "votes"}`` once committed. Sending the same
    vote again (same ``client_id``: the phone's outbox after a reconnect) is
    harmless: it is recognised, not counted twice. A vote from another
    message while one is stored is a second vote, refused. Taking back a
    vote that is not there changes nothing.
    """
    outcome = cast_votes([VoteIn(participant.pk, question_id, voted, client_id)])[0]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def cast_votes(items: list[VoteIn]) -> list[dict[str, Any] | DomainError]:
    """Store many phones' votes in one transaction, one outcome per vote, in
    order: the result of :func:`vote` or the DomainError that refused it.

    Why together: each commit waits for the disk, and a room voting at once
    sent hundreds a second to the one database thread (live/batcher.py
    batches answers the same way). Each vote is checked before it writes, so a
    refused one changes nothing. Two processes storing the same vote at once
    (PostgreSQL) fail the whole batch on the unique constraint: then it is
    stored again vote by vote, where the other's vote is now seen.
    """
    try:
        return _cast_together(items)
    except IntegrityError:
        if len(items) == 1:
            return _cast_together(items)
        return [outcome for item in items for outcome in cast_votes([item])]


@transaction.atomic
def _cast_together(items: list[VoteIn]) -> list[dict[str, Any] | DomainError]:
    """A constant number of queries for the whole batch: the participants, their
    sessions' settings, the questions (locked), the votes already there, then
    one delete, one insert and one count. A vote used to cost four queries of
    its own, and 500 votes a second kept the database thread busy for most
    of each second, so every acknowledgement waited behind the others."""
    batch = _VoteBatch(items)
    outcomes = [batch.apply(item) for item in items]
    batch.write()
    counts = batch.counts()
    for outcome in outcomes:
        if isinstance(outcome, dict):
            outcome["votes"] = counts.get(outcome["question"], 0)
    for session_id, moved in batch.moved().items():
        live.changed(session_id, *_vote_topics(session_id, moved))
    return outcomes


class _VoteBatch:
    """The votes of one batch, checked in order against what is stored and
    what the earlier votes of the batch did, then written together."""

    def __init__(self, items: list[VoteIn]) -> None:
        participant_ids = {i.participant_id for i in items if i.participant_id}
        self.participants = Participant.objects.only("id", "session_id").in_bulk(participant_ids)
        self.session_errors = _session_errors({p.session_id for p in self.participants.values()})
        question_ids = {q for q in map(_question_id_or_none, (i.question_id for i in items)) if q}
        self.questions = (
            Question.objects.select_for_update()
            .only("id", "session_id", "state")
            .in_bulk(question_ids)
        )
        # (question id, participant id) -> the stored vote's client id
        self.stored = {
            (question_id, participant_id): client_id
            for question_id, participant_id, client_id in Vote.objects.filter(
                question_id__in=self.questions, participant_id__in=self.participants
            ).values_list("question_id", "participant_id", "client_id")
        }
        self.now = dict(self.stored)  # as the batch's votes so far leave it

    def apply(self, item: VoteIn) -> dict[str, Any] | DomainError:
        try:
            return self._apply(item)
        except DomainError as error:
            return error

    def _apply(self, item: VoteIn) -> dict[str, Any]:
        participant = self.participants.get(item.participant_id)
        if participant is None:
            raise NotFound("not_joined", _("Join the workshop first."))
        error = self.session_errors.get(participant.session_id)
        if error is not None:
            raise error
        client_id = item.client_id
        if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_LENGTH:
            raise DomainError("bad_client_id", _("This vote has no valid id; reload the page."))
        question = self.questions.get(_question_id(item.question_id))
        if question is None or question.session_id != participant.session_id:
            raise NotFound("unknown_question", _("No such question."))
        if question.state != Question.State.SHOWN:
            raise DomainError("not_votable", _("Votes are closed on this question."))
        pair = (question.pk, participant.pk)
        existing = self.now.get(pair)
        if item.voted:
            if existing is not None:
                if not client_id or existing != client_id:
                    raise DomainError("already_voted", _("You already voted for this question."))
                return {"question": question.pk, "voted": True}  # a resend: already counted
            self.now[pair] = client_id
        elif existing is None:
            return {"question": question.pk, "voted": False}
        else:
            del self.now[pair]
        return {"question": question.pk, "voted": item.voted}

    def write(self) -> None:
        gone = [pair for pair, client in self.stored.items() if self.now.get(pair) != client]
        new = [pair for pair, client in self.now.items() if self.stored.get(pair) != client]
        if gone:
            condition = Q()
            for question_id, participant_id in gone:
                condition |= Q(question_id=question_id, participant_id=participant_id)
            Vote.objects.filter(condition).delete()
        Vote.objects.bulk_create(
            Vote(question_id=q, participant_id=p, client_id=self.now[(q, p)]) for q, p in new
        )

    def moved(self) -> dict[int, dict[int, int]]:
        """Session id -> question id -> votes this batch added (or took back: < 0)."""
        delta: dict[int, int] = {}
        for question_id, _participant in self.now.keys() - self.stored.keys():
            delta[question_id] = delta.get(question_id, 0) + 1
        for question_id, _participant in self.stored.keys() - self.now.keys():
            delta[question_id] = delta.get(question_id, 0) - 1
        by_session: dict[int, dict[int, int]] = {}
        for question_id, change in delta.items():
            if change:
                session_id = self.questions[question_id].session_id
                by_session.setdefault(session_id, {})[question_id] = change
        return by_session

    def counts(self) -> dict[int, int]:
        """Each question's votes as this batch leaves them, from the database."""
        return dict(
            Vote.objects.filter(question_id__in=self.questions)
            .values_list("question_id")
            .annotate(n=Count("id"))
            .values_list("question_id", "n")
        )


def _vote_topics(session_id: int, moved: dict[int, int]) -> tuple[str, ...]:
    """The counts; and the phones' whole panel when the votes brought into
    the top a question it may lack.

    Once this process has announced a climb, the panel's push waits
    RANKING_DELAY_SECONDS and then reads the top as it is: a climb in the
    meantime is covered by it, so it is not looked for (the check is a few
    queries in every batch's transaction: 11 % of the server's time in the
    benchmark's burst, where the top gains a question in one batch of two).
    A margin keeps a climb committed just before the push from being skipped.
    """
    from .board import strangers_in_top  # board reads the settings from here

    now = time.monotonic()
    covered_until = _climb_covered_until.get(session_id, 0.0)
    if now < covered_until:
        return (TOPIC_VOTES,)
    if strangers_in_top(session_id, moved):
        _climb_covered_until[session_id] = now + RANKING_DELAY_SECONDS - CLIMB_MARGIN_SECONDS
        return (TOPIC_VOTES, TOPIC_RANKING)
    return (TOPIC_VOTES,)


# Session id -> until when this process's last announced climb covers new ones.
_climb_covered_until: dict[int, float] = {}
CLIMB_MARGIN_SECONDS = 0.5


def _session_errors(session_ids: set[int]) -> dict[int, DomainError]:
    """Why each session refuses votes now (ended, Q&A off); absent when open.

    One query for all: whether Q&A is on is read as settings_for reads it
    (the session's own setting, else its template's default), in SQL."""
    own = QnaSettings.objects.filter(session_id=OuterRef("pk")).values("enabled")[:1]
    default = TemplateQna.objects.filter(template_id=OuterRef("template_id")).values("enabled")[:1]
    sessions = (
        WorkshopSession.objects.filter(pk__in=session_ids)
        .annotate(
            qna_enabled=Coalesce(Subquery(own), Subquery(default), Value(_ENABLED_BY_DEFAULT))
        )
        .values_list("pk", "status", "qna_enabled")
    )
    errors: dict[int, DomainError] = {}
    for pk, status, enabled in sessions:
        try:
            check_not_ended(WorkshopSession(pk=pk, status=status))
            if not enabled:
                raise DomainError("qna_off", _("Questions are closed for now."))
        except DomainError as error:
            errors[pk] = error
    return errors


_ENABLED_BY_DEFAULT = QnaSettings._meta.get_field("enabled").default


def _question_id_or_none(raw: Any) -> int | None:
    try:
        return _question_id(raw)
    except NotFound:
        return None


# --- the facilitator -----------------------------------------------------------------


def _facilitated(session: WorkshopSession, by) -> WorkshopSession:
    check_facilitator(session, by)
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    check_not_ended(session)
    return session


@transaction.atomic
def set_options(
    session: WorkshopSession,
    by,
    *,
    enabled: bool | None = None,
    moderated: bool | None = None,
    anonymous_allowed: bool | None = None,
) -> QnaSettings:
    """Turn Q&A, moderation or anonymous questions on or off (None: as it was)."""
    session = _facilitated(session, by)
    options = settings_for(session)
    for name, value in (
        ("enabled", enabled),
        ("moderated", moderated),
        ("anonymous_allowed", anonymous_allowed),
    ):
        if value is not None:
            setattr(options, name, bool(value))
    options.save()
    live.changed(session.pk, TOPIC_QNA)
    return options


@transaction.atomic
def approve(session: WorkshopSession, by, question_id: Any) -> Question:
    session = _facilitated(session, by)
    question = _question_for_update(session, question_id)
    if question.state not in (Question.State.PENDING, Question.State.REJECTED):
        raise DomainError("not_waiting", _("This question is not waiting for approval."))
    question.state = Question.State.SHOWN
    question.shown_at = timezone.now()
    question.save(update_fields=["state", "shown_at"])
    live.changed(session.pk, TOPIC_QNA)
    return question


@transaction.atomic
def reject(session: WorkshopSession, by, question_id: Any) -> Question:
    session = _facilitated(session, by)
    question = _question_for_update(session, question_id)
    if question.state not in (Question.State.PENDING, Question.State.SHOWN):
        raise DomainError("not_rejectable", _("Only a waiting or shown question can be hidden."))
    question.state = Question.State.REJECTED
    question.highlighted = False
    question.save(update_fields=["state", "highlighted"])
    live.changed(session.pk, TOPIC_QNA)
    return question


@transaction.atomic
def highlight(session: WorkshopSession, by, question_id: Any) -> Question:
    """Show one question over every step on the projector, in place of any other."""
    session = _facilitated(session, by)
    question = _question_for_update(session, question_id)
    if not question.is_public:
        raise DomainError("not_shown", _("Approve the question before highlighting it."))
    Question.objects.filter(session_id=session.pk, highlighted=True).exclude(pk=question.pk).update(
        highlighted=False
    )
    question.highlighted = True
    question.highlighted_at = timezone.now()
    question.save(update_fields=["highlighted", "highlighted_at"])
    live.changed(session.pk, TOPIC_QNA)
    return question


@transaction.atomic
def dismiss_highlight(session: WorkshopSession, by) -> None:
    session = _facilitated(session, by)
    Question.objects.filter(session_id=session.pk, highlighted=True).update(highlighted=False)
    live.changed(session.pk, TOPIC_QNA)


@transaction.atomic
def mark_answered(session: WorkshopSession, by, question_id: Any) -> Question:
    """Move a shown question to the archive, which everyone can still read."""
    session = _facilitated(session, by)
    question = _question_for_update(session, question_id)
    if question.state != Question.State.SHOWN:
        raise DomainError("not_shown", _("Only a shown question can be marked answered."))
    question.state = Question.State.ANSWERED
    question.answered_at = timezone.now()
    question.save(update_fields=["state", "answered_at"])
    live.changed(session.pk, TOPIC_QNA)
    return question


@transaction.atomic
def set_reply(session: WorkshopSession, by, question_id: Any, text: Any) -> Question:
    """The facilitator's written reply; an empty one removes it."""
    session = _facilitated(session, by)
    question = _question_for_update(session, question_id)
    if question.state == Question.State.REJECTED:
        raise DomainError("rejected", _("Approve the question before replying to it."))
    question.reply = clean_text(
        text,
        max_length=REPLY_MAX_LENGTH,
        too_long=_("A reply has at most 1000 characters."),
        multiline=True,
    )
    question.replied_at = timezone.now() if question.reply else None
    question.save(update_fields=["reply", "replied_at"])
    live.changed(session.pk, TOPIC_QNA if question.is_public else TOPIC_QUEUE)
    return question


@transaction.atomic
def delete_question(session: WorkshopSession, by, question_id: Any) -> None:
    session = _facilitated(session, by)
    question = _question_for_update(session, question_id)
    question.delete()
    live.changed(session.pk, TOPIC_QNA)
