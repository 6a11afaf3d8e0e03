"""Q&A's socket actions: a phone asks or votes, a control view moderates.

Each is acknowledged once its transaction committed: the phone's outbox keeps
a vote until then and resends it after a reconnect, and the service
recognises the resend by the message id, so a vote is never counted twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from live import CONTROL, PARTICIPANT, register_action
from workshop.errors import DomainError
from workshop.models import Participant, WorkshopSession

from . import services, views
from .batcher import get_batcher
from .services import VoteIn

if TYPE_CHECKING:
    from live.sockets import Socket


def _client_id(message: dict[str, Any]) -> str:
    client_id = message.get("id")
    if not isinstance(client_id, str) or not client_id:
        raise DomainError("bad_client_id", "This message has no id; reload the page.")
    return client_id


@register_action("qna.vote", roles={PARTICIPANT})
async def vote(consumer: Socket, message: dict[str, Any]) -> dict[str, Any]:
    """{"type": "qna.vote", "id": <client id>, "question": 12, "voted": true}
    -> {"question", "voted", "votes"} once stored. Batched with the votes of
    other phones: one transaction for a burst."""
    item = VoteIn(
        consumer.participant_id,
        message.get("question"),
        message.get("voted", True) is not False,
        _client_id(message),
    )
    return {"vote": await get_batcher().submit(item)}


@register_action("qna.ask", roles={PARTICIPANT})
async def ask(consumer: Socket, message: dict[str, Any]) -> dict[str, Any]:
    """{"type": "qna.ask", "id": <client id>, "text": "...", "anonymous": true}."""
    client_id = _client_id(message)

    def store() -> dict[str, Any]:
        participant = Participant.objects.get(pk=consumer.participant_id)
        question = services.ask_question(
            participant,
            message.get("text"),
            anonymous=message.get("anonymous") is True,
            client_id=client_id,
        )
        return {"id": question.pk, "state": question.state}

    return {"question": await database_sync_to_async(store)()}


@register_action("qna.moderate", roles={CONTROL})
async def moderate(consumer: Socket, message: dict[str, Any]) -> dict[str, Any]:
    """{"type": "qna.moderate", "do": "approve" | ..., "question": 12, ...}.

    The socket's role is checked before this runs; the service checks again
    that its user facilitates the session."""
    user = consumer.scope.get("user")  # type: ignore[attr-defined]

    def act() -> None:
        session = WorkshopSession.objects.get(pk=consumer.session_id)
        views.moderate_with(session, user, message)

    await database_sync_to_async(act)()
    return {}
