"""Django's HTTP requests on threads the process owns, not on a thread each.

Django's ``ASGIHandler`` gives every request a thread of its own
(``ThreadSensitiveContext``) and, with sync-only middleware in the chain,
crosses between that thread and the event loop a dozen times a request.
Measured in a join storm (every phone of a room joining within 10 s,
docs/performance.md), that made hundreds of threads at once: on SQLite they
queued for its one write lock by polling it, joins waited tens of seconds and
some failed with "database is locked", and each thread's connection and stack
stayed in memory until its request ended.

Here the whole sync chain (the request signals, middleware and view, the
response's close) runs in one call, on:

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
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix


class OwnThreadsASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        # The sync chain: no adapter between middleware.
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

    async def handle(self, scope, receive, send) -> None:
        """Django's ``handle``, with a request's sync work in one trip to its
        thread: Django's took three (the request_started signal, the
        response, its close with request_finished), each in the queue
        behind every socket's database work on SQLite, and a task per
        request listening for the client to go away, to cancel a view that,
        being sync, runs to its end anyway. A reply to a client gone is
        dropped by the server.

        Two kinds of garbage are avoided as well: Django re-raised that
        listener's RequestAborted in its own frame, so frame, task and
        exception kept each other and the request alive until a full
        collection; and the middleware hangs objects on the request that
        point back at it, so the request is emptied once its response is
        closed. Every request of a join storm waited for a full collection
        before (docs/performance.md).
        """
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await self._on_own_thread(self._respond, scope, body_file)
            await self.send_response(response, send)
            if response.streaming:  # its content was read just now, on the loop
                await self._on_own_thread(response.close)
        finally:
            body_file.close()

    def _respond(self, scope, body_file) -> HttpResponseBase:
        """The response, closed unless it streams (on the request's thread)."""
        # Its receivers include close_old_connections, for a pooled thread's
        # connection; request_finished, sent by response.close(), too.
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            response._resource_closers.append(request.__dict__.clear)  # after request.close
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        elif self._pool is not None:  # closed on another thread: give this one's back now
            close_old_connections()
        return response

    async def _on_own_thread(self, function, *args):
        if self._pool is None:
            return await sync_to_async(function, thread_sensitive=True)(*args)
        return await sync_to_async(function, thread_sensitive=False, executor=self._pool)(*args)
