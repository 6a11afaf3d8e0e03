"""The socket action of the exercise: a group member edits a card."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from live import PARTICIPANT, register_action
from workshop.models import Participant

from . import services

if TYPE_CHECKING:
    from live.sockets import Socket


@register_action("card", roles={PARTICIPANT})
async def card(consumer: Socket, message: dict[str, Any]) -> dict[str, Any]:
    """{"type": "card", "id": "<client id>", "sdg": 8, "field": "rating" | "target"
    | "reasoning", "value": ..., "base_version": 3, "step": <step id>}.

    ok=true means stored. The ack's ``card`` has the new versions and the
    outcome: "applied", or "conflict" when a teammate changed the reasoning
    since ``base_version``: then the text is kept in the history, not applied,
    and ``changed_by`` and ``current_text`` tell the member what is there now.
    Refusals (not a member, closed, unknown SDG or target, too long) come
    back as ok=false with a code and a message, and change nothing.
    """
    result = await database_sync_to_async(_edit)(consumer.participant_id, message)
    return {"card": result}


def _edit(participant_id: int | None, message: dict[str, Any]) -> dict[str, Any]:
    participant = Participant.objects.select_related("session").get(pk=participant_id)
    return services.edit_card(
        participant,
        sdg=message.get("sdg"),
        field=str(message.get("field", "")),
        value=message.get("value"),
        base_version=message.get("base_version"),
        client_id=message.get("id") or "",
        step_id=message.get("step"),
    )
