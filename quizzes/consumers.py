"""The "answer" socket action: a phone's answer, acknowledged once stored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from live import PARTICIPANT, register_action
from workshop.errors import DomainError

from .batcher import get_batcher
from .services import AnswerIn

if TYPE_CHECKING:
    from live.sockets import Socket


@register_action("answer", roles={PARTICIPANT})
async def answer(consumer: Socket, message: dict[str, Any]) -> dict[str, Any]:
    """{"type": "answer", "id": <client id>, "run": <run id>, "value": ...}.

    The message id doubles as the answer's client id: the outbox resends the
    same id after a reconnect, which the service recognises.
    """
    client_id = message.get("id")
    if not isinstance(client_id, str) or not client_id:
        raise DomainError("bad_client_id", "This answer has no id; reload the page.")
    # Batched with the answers of other phones: one write for a burst.
    submitted = await get_batcher().submit(
        AnswerIn(
            consumer.participant_id,
            consumer.session_id,
            message.get("run"),
            message.get("value"),
            client_id,
        )
    )
    return {"answer": submitted.answer_id, "run": submitted.run_id, "changed": submitted.changed}
