"""Questions from the room: what participants ask, their upvotes, and the
Q&A settings of a session (with a default per workshop template)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workshop.models import Participant, WorkshopSession, WorkshopTemplate

QUESTION_MAX_LENGTH = 280
REPLY_MAX_LENGTH = 1000


class QnaOptions(models.Model):
    """The three switches a facilitator has; a template holds their default."""

    enabled = models.BooleanField(_("questions from the room"), default=True)
    moderated = models.BooleanField(
        _("moderation"), default=True, help_text=_("Questions wait for approval.")
    )
    anonymous_allowed = models.BooleanField(_("anonymous questions allowed"), default=True)

    class Meta:
        abstract = True

    def options(self) -> dict[str, bool]:
        return {
            "enabled": self.enabled,
            "moderated": self.moderated,
            "anonymous_allowed": self.anonymous_allowed,
        }


class TemplateQna(QnaOptions):
    """A template's default, copied into each new session's QnaSettings."""

    template = models.OneToOneField(
        WorkshopTemplate, on_delete=models.CASCADE, related_name="qna_default"
    )

    class Meta:
        verbose_name = _("Q&A default")

    def __str__(self) -> str:
        return f"Q&A default of {self.template}"


class QnaSettings(QnaOptions):
    """A session's Q&A switches; created from the template's default on first use."""

    session = models.OneToOneField(WorkshopSession, on_delete=models.CASCADE, related_name="qna")

    class Meta:
        verbose_name = _("Q&A settings")
        verbose_name_plural = _("Q&A settings")

    def __str__(self) -> str:
        return f"Q&A of {self.session}"


class Question(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        SHOWN = "shown", _("Shown")
        ANSWERED = "answered", _("Answered")
        REJECTED = "rejected", _("Not shown")

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="room_questions"
    )
    text = models.CharField(max_length=QUESTION_MAX_LENGTH)
    # The language the question was written in: shown as such on every phone.
    lang = models.CharField(max_length=8, default="en")
    anonymous = models.BooleanField(default=False)
    # SET_NULL: the retention purge deletes participants, the question stays.
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    # The author's nickname when asked (empty when anonymous or purged): a
    # later nickname change must not re-sign an old question.
    nickname = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reply = models.TextField(blank=True, max_length=REPLY_MAX_LENGTH)
    highlighted = models.BooleanField(default=False)
    # The phone's message id: a resent question is recognised, not stored twice.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shown_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    highlighted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        indexes = [models.Index(fields=["session", "state"])]
        constraints = [
            # The projector shows one highlighted question at a time.
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(highlighted=True),
                name="one_highlighted_question_per_session",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.SHOWN, self.State.ANSWERED)


class Vote(models.Model):
    """One participant's upvote of one question, stored once."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    # SET_NULL: the purge deletes the voter, the count stays.
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="qna_votes"
    )
    # The phone's message id: a resend of the same vote is recognised as such.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "participant"], name="one_vote_per_participant_and_question"
            )
        ]

    def __str__(self) -> str:
        return f"vote {self.participant_id} → {self.question_id}"
