"""What the hub and the socket actions know of a socket.

The consumer is one implementation (``live.consumers.LiveConsumer``); the
hub and the action handlers are written against this protocol, so neither
imports the consumer, and a test can stand in for a socket.
"""

from __future__ import annotations

from typing import Protocol


class Socket(Protocol):
    session_id: int | None
    participant_id: int | None  # None: the projector or a control view

    async def push_text(self, text: str) -> None:
        """Send one frame, as it is, to this socket's screen."""

    async def resync(self) -> None:
        """Re-subscribe to the socket's audiences and send a fresh snapshot."""
