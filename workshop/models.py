"""The live workshop room: templates and their run of show, sessions,
participants, groups and who is connected."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Digits and capitals without the look-alikes 0/O, 1/I/L: 31 symbols, so a
# 6-character code has 31**6 (about 887 million) values.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6


class WorkshopTemplate(models.Model):
    """A reusable workshop: its title and its ordered run of show."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("workshop template")

    def __str__(self) -> str:
        return self.title

    def ordered_steps(self) -> models.QuerySet[Step]:
        return self.steps.order_by("position", "id")


# Step images: formats every browser shows; never SVG, which can carry script.
STEP_IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "gif"]


def step_image_name(step: Step, filename: str) -> str:
    """images/t<template>/<hash of the bytes>.<ext>: the name changes
    whenever the image does, so it is served with a year's cache lifetime."""
    digest = hashlib.sha256()
    for chunk in step.image.chunks():
        digest.update(chunk)
    step.image.seek(0)
    extension = PurePosixPath(filename).suffix.lower()
    return f"images/t{step.template_id}/{digest.hexdigest()[:20]}{extension}"


class Step(models.Model):
    """One item of a run of show: shown on the projector and on every phone."""

    class Kind(models.TextChoices):
        LOBBY = "lobby", _("Lobby (join code)")
        CONTENT = "content", _("Content")
        QUESTION = "question", _("Quiz question")
        EXERCISE = "exercise", _("SDG-mapping exercise")
        QUESTIONS = "questions", _("Questions from the room")
        SLIDE = "slide", _("Slide")

    template = models.ForeignKey(WorkshopTemplate, on_delete=models.CASCADE, related_name="steps")
    # 1..n within the template, kept dense by workshop.run_of_show.
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONTENT)
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    # Plain text: a blank line starts a paragraph, a line starting "- " is a bullet.
    body = models.TextField(blank=True)
    facilitator_notes = models.TextField(blank=True, help_text=_("Shown on the control view only."))
    # Quiz steps ask this question; the same question may serve many templates.
    question = models.ForeignKey(
        "quizzes.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )
    # Slide steps show this page of the template's deck in each audience's
    # language (slides app); it may point past a new, shorter deck's end.
    slide_number = models.PositiveIntegerField(null=True, blank=True)
    # Any content step may show an image; its alt text is required (clean).
    image = models.ImageField(
        upload_to=step_image_name,
        blank=True,
        max_length=300,
        validators=[FileExtensionValidator(STEP_IMAGE_EXTENSIONS)],
    )
    image_alt = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )

    class Meta:
        ordering = ["template", "position", "id"]
        indexes = [models.Index(fields=["template", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="step_position_unique_in_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def clean(self) -> None:
        # English is the fallback every language shows when its own is empty.
        alt = getattr(self, f"image_alt_{settings.LANGUAGE_CODE}", None) or self.image_alt
        if self.image and not (alt or "").strip():
            # Not tied to a field: forms without the alt text field (the
            # template's inline) must show the error too, not fail on it.
            raise ValidationError(
                _("Describe the image in its alt text (English at least): required with an image."),
                code="image_alt_required",
            )


class Fact(models.Model):
    """A key figure of a content step, shown big on the projector."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="facts")
    position = models.PositiveIntegerField(default=0)
    value = models.CharField(max_length=40, help_text=_("The figure, e.g. “1 in 8”."))
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["step", "position", "id"]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class WorkshopSession(models.Model):
    """One live run of a workshop template, joined with a code."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    class GroupMode(models.TextChoices):
        BALANCED = "balanced", _("Balance participants across groups")
        CHOOSE = "choose", _("Participants pick their group")

    class JoinDisplay(models.TextChoices):
        CORNER = "corner", _("In a corner")
        BIG = "big", _("Big")
        HIDDEN = "hidden", _("Hidden")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True)
    title = models.CharField(max_length=200)
    template = models.ForeignKey(
        WorkshopTemplate, on_delete=models.PROTECT, related_name="sessions"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_facilitated_sessions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joining_locked = models.BooleanField(default=False)
    # How the projector shows the join code on steps other than the lobby.
    join_display = models.CharField(
        max_length=8, choices=JoinDisplay.choices, default=JoinDisplay.CORNER
    )
    group_mode = models.CharField(
        max_length=10, choices=GroupMode.choices, default=GroupMode.BALANCED
    )
    # The address phones open, e.g. "http://192.168.1.20:8000"; fixed when the
    # session is created so that pushes rendered without a request can show it.
    base_url = models.CharField(max_length=200, blank=True)
    screen_language = models.CharField(max_length=8, default="en")
    control_language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("workshop session")

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    def ordered_steps(self) -> models.QuerySet[Step]:
        return self.template.ordered_steps()

    @property
    def join_url(self) -> str:
        return f"{self.base_url}/j/{self.code}"

    @property
    def base_url_display(self) -> str:
        """The address without its scheme, as people type it."""
        return self.base_url.split("://", 1)[-1]

    def is_facilitated_by(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_staff:
            return False
        if user.pk == self.facilitator_id or user.is_superuser:
            return True
        return self.co_facilitators.filter(pk=user.pk).exists()


class Group(models.Model):
    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=60)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"], name="group_name_unique_in_session")
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """Someone on a phone. Anonymous: a nickname, a group, a language."""

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="participants"
    )
    # The signed participant cookie carries this, never the primary key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nickname = models.CharField(max_length=40)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    language = models.CharField(max_length=8, default="en")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "nickname"], name="nickname_unique_in_session"
            )
        ]

    def __str__(self) -> str:
        return self.nickname

    @property
    def shuffle_seed(self) -> str:
        """Seeds the orders shown to this participant alone (a ranking's
        options, quizzes/shuffle.py): stable, and telling nothing of the id."""
        digest = hashlib.blake2s(str(self.public_id).encode(), digest_size=4, person=b"shuffle")
        return digest.hexdigest()


class ServerProcess(models.Model):
    """A running server process. Its heartbeat tells live connections from
    those a crashed or restarted process left behind."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.id)


class Connection(models.Model):
    """An open websocket of a participant, for the "connected" counts."""

    process = models.ForeignKey(ServerProcess, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="connections"
    )
    connected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["session", "participant"])]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.process_id}"
