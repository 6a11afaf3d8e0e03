"""Deck uploads rendered in the background, with their progress.

An upload's request must not wait for the rendering: on the embedded default
(SQLite) every request and every socket's database call runs on the
process's one database thread, which a 60-page deck would hold for seconds
while a room answers. Both upload pages (the admin's and the run-of-show
side's) start a job instead: a thread of its own waits for the worker
processes (slides.rendering), stores the deck with a database connection of
its own, and reports its pages as they come back.

The job's state is a DeckUpload row, which every server process of a
scale-out set-up reads alike, and which outlives the process that ran it:
the row's heartbeat moves on as pages come back, and a row whose heartbeat
stopped is shown as failed (the server died mid-job) and blocks nothing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from live.changes import _server_loop
from workshop import run_of_show
from workshop.errors import DomainError
from workshop.models import WorkshopTemplate

from . import services
from .models import STOPPED_MESSAGE, DeckUpload

log = logging.getLogger(__name__)
T = TypeVar("T")
# Finished uploads are kept this long, for their progress pages' links.
KEEP_FINISHED = timedelta(days=7)
# Progress is written at most this often: on SQLite each write takes the
# database's one write lock, which the room's answers need too.
HEARTBEAT_EVERY_S = 0.5

RENDERING = DeckUpload.State.RENDERING
RUNNING_MESSAGE = _(
    "A deck in this language is being rendered now: wait until it is done, then upload again."
)


def find(public_id: object) -> DeckUpload | None:
    """The upload with that public id, or None."""
    try:
        return DeckUpload.objects.select_related("template").get(public_id=public_id)
    except (DeckUpload.DoesNotExist, ValidationError):  # ValidationError: not a UUID
        return None


def check_not_rendering(template: WorkshopTemplate, language: str) -> None:
    """DomainError while a live upload renders that template's language.
    One whose heartbeat stopped does not count."""
    running = DeckUpload.objects.filter(
        template=template,
        language=language,
        state=RENDERING,
        heartbeat_at__gte=DeckUpload.stale_before(),
    )
    if running.exists():
        raise DomainError("upload_running", RUNNING_MESSAGE)


def start_upload(template: WorkshopTemplate, language: str, data: bytes, *, user) -> DeckUpload:
    """Check what can be checked at once, then render and store in the
    background. DomainError, having changed nothing, for a refusal known
    now. The rendering starts once the caller's transaction commits (the
    job's thread reads the row with a connection of its own)."""
    services.check_may_upload(user, template)
    services.check_upload(language, data)
    upload = _claim(template, language, user)
    # The server's event loop, for the announcements the thread makes
    # (live.changes hands them to it, as from the database thread).
    loop = _server_loop()
    speaks = translation.get_language()
    transaction.on_commit(lambda: _start_thread(upload, data, speaks, loop))
    return upload


@transaction.atomic
def _claim(template: WorkshopTemplate, language: str, user) -> DeckUpload:
    """The new upload's row; refused while another renders the same deck.
    Under the template's lock, so two uploads cannot both pass the check."""
    run_of_show.lock_template(template)
    now = timezone.now()
    DeckUpload.objects.filter(
        template=template,
        language=language,
        state=RENDERING,
        heartbeat_at__lt=DeckUpload.stale_before(now),
    ).update(state=DeckUpload.State.FAILED, error=str(STOPPED_MESSAGE), finished_at=now)
    check_not_rendering(template, language)
    DeckUpload.objects.filter(template=template, finished_at__lt=now - KEEP_FINISHED).delete()
    return DeckUpload.objects.create(
        template=template,
        language=language,
        uploaded_by=user if getattr(user, "pk", None) else None,
        started_at=now,
        heartbeat_at=now,
    )


def _start_thread(upload: DeckUpload, data: bytes, speaks: str | None, loop) -> None:
    thread = threading.Thread(
        target=_run,
        args=(upload.pk, data, speaks or "en", loop),
        name=f"deck-upload-{upload.pk}",
        daemon=True,
    )
    thread.start()


class _Heartbeat:
    """Writes the pages done and the heartbeat, at most every HEARTBEAT_EVERY_S."""

    def __init__(self, upload_id: int) -> None:
        self.rows = DeckUpload.objects.filter(pk=upload_id, state=RENDERING)
        self.written_at = 0.0

    def pages(self, done: int, total: int) -> None:
        if done < total and time.monotonic() - self.written_at < HEARTBEAT_EVERY_S:
            return
        self.written_at = time.monotonic()
        try:
            _while_locked(
                lambda: self.rows.update(
                    pages_done=done, pages_total=total, heartbeat_at=timezone.now()
                )
            )
        except OperationalError:  # progress only: the next page writes it again
            log.warning("could not write the progress of an upload; going on", exc_info=True)

    def is_alive(self) -> bool:
        """False once the row was given up as stale: another upload may run."""
        return _while_locked(lambda: self.rows.update(heartbeat_at=timezone.now())) == 1


# A write that meets a table another connection holds (SQLite's shared-cache
# test database raises at once, whatever its busy timeout; so may a file
# under load) tries again this often, this many times, before it fails.
LOCKED_RETRY_SECONDS = 0.05
LOCKED_TRIES = 40


def _while_locked(write: Callable[[], T]) -> T:
    for attempt in range(LOCKED_TRIES):
        try:
            return write()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == LOCKED_TRIES - 1:
                raise
            time.sleep(LOCKED_RETRY_SECONDS)
    raise AssertionError("unreachable")


def _run(upload_id: int, data: bytes, speaks: str, loop) -> None:
    if loop is not None:
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
    try:
        with translation.override(speaks):
            _render_and_store(upload_id, data)
    finally:
        connection.close()


def _render_and_store(upload_id: int, data: bytes) -> None:
    upload = DeckUpload.objects.select_related("template").get(pk=upload_id)
    beat = _Heartbeat(upload_id)
    try:
        rendered = services.render_pdf(data, progress=beat.pages)
        if not beat.is_alive():
            log.warning("the upload %s was given up while it rendered; not stored", upload_id)
            return
        summary = services.upload_deck(upload.template, upload.language, data, rendered=rendered)
    except DomainError as error:
        _finish(upload_id, DeckUpload.State.FAILED, error=str(error.message))
    except Exception:
        log.exception("the upload %s failed", upload_id)
        _finish(upload_id, DeckUpload.State.FAILED, error=services.failed_message())
    else:
        _finish(upload_id, DeckUpload.State.DONE, result=summary.as_result())


def _finish(upload_id: int, state: str, **values: Any) -> None:
    # Only a row still rendering: one given up as stale stays failed.
    _while_locked(
        lambda: DeckUpload.objects.filter(pk=upload_id, state=RENDERING).update(
            state=state, finished_at=timezone.now(), heartbeat_at=timezone.now(), **values
        )
    )


# --- saying what an upload did ------------------------------------------------------


def describe(result: dict[str, Any]) -> SafeString:
    """What a finished upload did (UploadSummary.as_result()), in a
    sentence or four, in the reader's language."""
    parts = [
        format_html(
            gettext("Rendered {pages} pages in {seconds} s."),
            pages=result.get("pages", 0),
            seconds=f"{result.get('seconds', 0):.1f}",
        )
    ]
    if result.get("replaced"):
        parts.append(
            format_html(
                gettext("Pages added: {added}. Pages removed: {removed}."),
                added=_numbers(result.get("pages_added", [])),
                removed=_numbers(result.get("pages_removed", [])),
            )
        )
    if result.get("steps_added"):
        parts.append(
            format_html(
                gettext("{n} slide steps added to the run of show."), n=result["steps_added"]
            )
        )
    if result.get("steps_without_page"):
        steps = format_html_join(", ", "{}", ((s,) for s in result["steps_without_page"]))
        parts.append(
            format_html(
                gettext("These steps show a page this deck no longer has: {steps}."), steps=steps
            )
        )
    return format_html_join(" ", "{}", ((p,) for p in parts))


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) if numbers else gettext("none")
