"""Deck uploads rendered in the background, with their progress.

An upload's request must not wait for the rendering: on the embedded default
(SQLite) every request and every socket's database call runs on the
process's one database thread, which a 60-page deck would hold for seconds
while a room answers. The upload page starts a job instead: a thread of its
own waits for the worker processes (slides.rendering), stores the deck with
a database connection of its own, and reports its pages as they come back;
the page polls the job's state (kept in the cache, which Redis shares
between processes in the scale-out set-up).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from typing import Any

from asgiref.sync import SyncToAsync
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from live.changes import _server_loop
from workshop.errors import DomainError
from workshop.models import WorkshopTemplate

from . import services

log = logging.getLogger(__name__)
# A job's state outlives the page that polls it by an hour.
JOB_SECONDS = 3600


def _key(job: str) -> str:
    return f"slides:job:{job}"


def state(job: str) -> dict[str, Any] | None:
    return cache.get(_key(job))


def _set(job: str, **values: Any) -> None:
    cache.set(_key(job), {**(state(job) or {}), **values}, JOB_SECONDS)


def start_upload(template: WorkshopTemplate, language: str, data: bytes, *, user) -> str:
    """Check what can be checked at once, then render and store in the
    background; the job's id. DomainError for a refusal known now."""
    services.check_may_upload(user, template)
    services.check_upload(language, data)
    job = uuid.uuid4().hex
    _set(job, state="rendering", done=0, total=0, template=template.slug, message="")
    # The server's event loop, for the announcements the thread makes
    # (live.changes hands them to it, as from the database thread).
    loop = _server_loop()
    thread = threading.Thread(
        target=_run,
        args=(job, template.pk, language, data, translation.get_language(), loop),
        name=f"deck-upload-{job[:8]}",
        daemon=True,
    )
    thread.start()
    return job


def _run(job: str, template_id: int, language: str, data: bytes, speaks: str, loop) -> None:
    if loop is not None:
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
    try:
        with translation.override(speaks):
            template = WorkshopTemplate.objects.get(pk=template_id)
            rendered = services.render_pdf(
                data, progress=lambda done, total: _set(job, done=done, total=total)
            )
            summary = services.upload_deck(template, language, data, rendered=rendered)
            from .admin import describe

            _set(job, state="done", message=str(describe(summary)))
    except DomainError as error:
        _set(job, state="error", message=str(error.message))
    except Exception:
        log.exception("the upload %s failed", job)
        with translation.override(speaks):
            _set(job, state="error", message=str(services.failed_message()))
    finally:
        connection.close()
