"""Rendered slides and step images served in the event loop, before Django.

On SQLite every Django request runs on the process's one database thread
(workshop/http_threads.py): 1,000 phones fetching a slide through it queued
behind each other at about 90 requests a second in the benchmark. An image
needs neither the database nor the middleware, so files the media view
would serve (slides.views.SERVED) are read here, with the same headers;
anything else, and any other storage than the local disk, goes to Django.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage

from .views import CACHE_CONTROL, CONTENT_TYPES, SERVED


class MediaFiles:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        found = self._file_for(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        path, content_type = found
        try:
            body = path.read_bytes()  # tens of KiB from the page cache
        except OSError:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", b"default-src 'none'"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        head = scope["method"] == "HEAD"
        await send({"type": "http.response.body", "body": b"" if head else body})

    def _file_for(self, scope) -> tuple[Path, str] | None:
        prefix = settings.MEDIA_URL
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not prefix.startswith("/")
            or not scope["path"].startswith(prefix)
            or not isinstance(default_storage, FileSystemStorage)
        ):
            return None
        name = scope["path"][len(prefix) :]
        match = SERVED.fullmatch(name)
        if match is None:
            return None
        return Path(default_storage.path(name)), CONTENT_TYPES[match.group(1)]
