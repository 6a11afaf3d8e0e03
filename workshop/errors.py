"""Domain errors: a stable ``code`` for programs and a message for people."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A request that breaks a rule. Nothing was changed."""

    status = 400

    # ``message`` may be a lazy translation: it is turned into text in the
    # language of whoever reads it (the page's, or the socket's audience's).
    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404
