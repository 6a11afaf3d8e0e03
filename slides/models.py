"""Slide decks: a PDF per workshop template and language, rendered to images.

Only the rendered images are ever served. The uploaded PDF is kept (under
``decks/``, which the media view refuses) so that packs can carry it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshop.models import WorkshopTemplate


class Deck(models.Model):
    template = models.ForeignKey(WorkshopTemplate, on_delete=models.CASCADE, related_name="decks")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    # The PDF's storage name: never served, kept for packs.
    source = models.CharField(max_length=300)
    source_sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(default=0)
    render_seconds = models.FloatField(default=0)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["template", "language"]
        verbose_name = _("slide deck")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"], name="deck_language_unique_in_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.language})"

    def file_names(self) -> set[str]:
        """Every storage name this deck owns: its PDF and its images."""
        names = {self.source} if self.source else set()
        for slide in self.slides.all():
            names |= slide.file_names()
        return names


class Slide(models.Model):
    """One page of a deck: its images at three sizes and its text."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="slides")
    number = models.PositiveIntegerField()  # the page number, from 1
    text = models.TextField(blank=True)
    # Storage names; each carries a hash of its bytes, so it never changes
    # content and is served with a year's cache lifetime.
    projector = models.CharField(max_length=300)
    phone = models.CharField(max_length=300)
    thumbnail = models.CharField(max_length=300)
    projector_width = models.PositiveIntegerField(default=0)
    projector_height = models.PositiveIntegerField(default=0)
    phone_width = models.PositiveIntegerField(default=0)
    phone_height = models.PositiveIntegerField(default=0)
    thumbnail_width = models.PositiveIntegerField(default=0)
    thumbnail_height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["deck", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "number"], name="slide_number_unique_in_deck")
        ]

    def __str__(self) -> str:
        return f"{self.deck} p.{self.number}"

    def file_names(self) -> set[str]:
        return {self.projector, self.phone, self.thumbnail}

    @property
    def heading(self) -> str:
        """The page's first line of text: its title, on most slides."""
        return self.text.split("\n", 1)[0]

    @property
    def body(self) -> str:
        return self.text.split("\n", 1)[1] if "\n" in self.text else ""

    @property
    def projector_url(self) -> str:
        return default_storage.url(self.projector)

    @property
    def phone_url(self) -> str:
        return default_storage.url(self.phone)

    @property
    def thumbnail_url(self) -> str:
        return default_storage.url(self.thumbnail)


class DeckUpload(models.Model):
    """One upload of a deck, rendered in the background (slides.jobs).

    Kept in the database, not in a cache, so that a job outlives a
    restart as a record: a server that dies mid-job leaves a row whose
    heartbeat stops, and the row is then shown as failed instead of being
    polled forever. At most one upload renders per template and language.
    """

    class State(models.TextChoices):
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # In the progress page's address: never the primary key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.ForeignKey(
        WorkshopTemplate, on_delete=models.CASCADE, related_name="deck_uploads"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.RENDERING)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    # Why it failed, in the uploader's language.
    error = models.TextField(blank=True)
    # What a finished upload changed (UploadSummary.as_result()).
    result = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Moved on as pages come back from the workers: a job whose heartbeat
    # stopped has lost its server.
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("deck upload")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"],
                condition=models.Q(state="rendering"),
                name="one_rendering_upload_per_deck",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.language}) {self.state}"

    @staticmethod
    def stale_before(now: datetime | None = None) -> datetime:
        """A rendering job with an older heartbeat has lost its server."""
        limit = timedelta(seconds=settings.SLIDES_UPLOAD_STALE_SECONDS)
        return (now or timezone.now()) - limit

    @property
    def is_stale(self) -> bool:
        return self.state == self.State.RENDERING and self.heartbeat_at < self.stale_before()

    @property
    def shown_state(self) -> str:
        """The state to show: a stale job has failed, whatever its row says."""
        return self.State.FAILED if self.is_stale else self.state

    @property
    def shown_error(self) -> str:
        if self.is_stale:
            return str(STOPPED_MESSAGE)
        return self.error


STOPPED_MESSAGE = _("The server stopped while rendering this deck; upload it again.")
