"""Domain errors: a stable ``code`` for programs and a message for people."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a rule. Nothing was changed."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404
