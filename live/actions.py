"""What a socket may ask the server to do, by message type and by role.

Every message is validated before it reaches a handler; a handler calls a
service, which re-checks authorisation and rules. Apps register their own
actions (answers, SDG cards) the same way the core registers its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .sockets import Socket

Handler = Callable[[Socket, dict[str, Any]], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    roles: frozenset[str]


ACTIONS: dict[str, Action] = {}


def register_action(name: str, roles: set[str]) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        ACTIONS[name] = Action(name, handler, frozenset(roles))
        return handler

    return decorator
