"""Django's HTTP requests on threads the process owns, not on a thread each.

Django's ``ASGIHandler`` gives every request a thread of its own
(``ThreadSensitiveContext``) and, with sync-only middleware in the chain,
crosses between that thread and the event loop a dozen times a request.
Measured in a join storm (every phone of a room joining within 10 s,
docs/performance.md), that made hundreds of threads at once: on SQLite they
queued for its one write lock by polling it, joins waited tens of seconds and
some failed with "database is locked", and each thread's connection and stack
stayed in memory until its request ended.

Here the whole sync chain (middleware and view) runs in one call, on:

- SQLite (``HTTP_THREADS=0``, the default there): the process's one database
  thread, the same that the sockets' ``database_sync_to_async`` uses. One
  connection, kept open; nothing ever waits for SQLite's lock.
- PostgreSQL: a fixed pool of ``HTTP_THREADS`` threads, each returning its
  connection to the connection pool after every request.

Requests beyond that wait their turn in the event loop, which costs nothing
but their place in the queue: the same work, done one after another instead
of all at once, finishes sooner for nearly everyone.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections
from django.http import FileResponse, HttpRequest, HttpResponse


class OwnThreadsASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        # The sync chain: no adapter between middleware, one thread hop a request.
        self.load_middleware(is_async=False)
        threads = settings.HTTP_THREADS
        self._pool = (
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")
            if threads > 0
            else None
        )

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: it is what gave each request a thread.
        await self.handle(scope, receive, send)

    async def listen_for_disconnect(self, receive) -> None:
        """Django's, but a disconnect ends the task instead of raising
        RequestAborted. ``handle`` re-raises a finished task's exception
        in its own frame, which then holds the task that holds the
        exception: a cycle through the whole request (its headers, body,
        session, response), freed only by a full garbage collection. In a
        join storm that was every request (docs/performance.md). ``handle``
        ignores RequestAborted from this task, so nothing else changes."""
        message = await receive()
        if message["type"] != "http.disconnect":
            raise AssertionError(f"Invalid ASGI message after request body: {message['type']}")

    async def run_get_response(self, request: HttpRequest) -> HttpResponse:
        if self._pool is None:
            response = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        else:
            response = await sync_to_async(
                self._get_response_on_pool, thread_sensitive=False, executor=self._pool
            )(request)
        response._handler_class = self.__class__
        # Django's middleware hangs objects on the request that point back
        # at it (its messages, its htmx details, the lazy user): emptied once
        # the response is sent (after request.close, which get_response put
        # first), the request is freed at once, not at a full collection.
        response._resource_closers.append(request.__dict__.clear)
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        return response

    def _get_response_on_pool(self, request: HttpRequest) -> HttpResponse:
        # The request signals run on the database thread, not here: this
        # thread gives its connection back to the pool itself.
        close_old_connections()
        try:
            return self.get_response(request)
        finally:
            close_old_connections()
