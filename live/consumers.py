"""One websocket consumer for the three views: screen, control, participant.

A thin adapter: it authenticates, joins its audience in the process hub, sends
a full snapshot on connect, and hands validated messages to services. It never
writes to the database itself.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation

from workshop import identity, services
from workshop.errors import DomainError
from workshop.models import Participant, WorkshopSession

from . import changes, presence
from .actions import ACTIONS, register_action
from .audiences import CONTROL, PARTICIPANT, SCREEN, Audience
from .hub import Hub, get_hub, load_session, server_now_ms, within_send_limit
from .regions import audience_for_participant, render_regions

logger = logging.getLogger(__name__)

# Close codes the client understands: 4401 not joined (go to the join page),
# 4403 not allowed, 4404 unknown session. The client does not retry these.
CLOSE_NOT_JOINED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
# 4009, frame too big. Not 1009: daphne (autobahn) lets an application close
# only with 1000 or 3000-4999, and raised on 1009 (the client saw 1011).
CLOSE_TOO_BIG = 4009


class LiveConsumer(AsyncWebsocketConsumer):
    # An alias with no layer behind it: sockets get no layer channel of their
    # own. The hub holds a single one for the whole process.
    channel_layer_alias = "hub-only"

    role: str = ""
    session_id: int | None = None
    participant_id: int | None = None
    audience: Audience | None = None
    hub: Hub | None = None
    connection_id: int | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' own dispatch first hops to the database thread to close
        old connections, before every message, connect included: a phone's
        handshake then waited behind every socket's database work, past
        daphne's 5 s limit, in a join storm. Every database call here goes
        through ``database_sync_to_async``, which closes them itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.role = kwargs["role"]
        await self.accept()
        self.hub = await get_hub()
        try:
            session, participant = self._handed_over(kwargs["key"]) or (
                await database_sync_to_async(_authorise)(self.role, kwargs["key"], self.scope)
            )
        except DomainError as error:
            await self._refuse(error)
            return
        self.session_id = session.pk
        self.participant_id = participant.pk if participant else None
        self.hub.handed_over.remember(session.code, session.pk)
        self.audience = (
            audience_for_participant(participant)
            if participant
            else Audience(self.role, session.pk)
        )
        await self.hub.add(self, self.audience)
        if participant is None:
            await self._send_snapshot(session, None)
            return
        # The page just loaded and nothing it shows changed since: no snapshot.
        # Checked after joining the hub, so a change from now on comes as a push.
        fresh = _query_value(self.scope, "fresh")
        page_is_current = bool(fresh) and fresh == self.hub.freshness(session.pk)
        # One trip to the database thread for both: in a join storm every
        # trip waits behind every other phone's.
        self.connection_id, regions = await database_sync_to_async(_connect_participant)(
            self.hub, session, self.audience, participant, not page_is_current
        )
        await self._send_regions(regions)
        await changes.achanged(session.pk, "presence")

    def _handed_over(self, code: str) -> tuple[WorkshopSession, Participant] | None:
        """The participant this phone's page has just read, if that still
        holds (Hub.handed_over): no query, no trip to the database thread."""
        # After a restart no page has left anything: the cookie is checked
        # once, by _authorise, not twice for every phone that comes back.
        if self.role != PARTICIPANT or not self.hub.handed_over.holds_any():
            return None
        public_id = identity.participant_id_from_cookies(self.scope.get("cookies", {}), code)
        if public_id is None:
            return None
        participant = self.hub.handed_over.take(code, public_id, self.hub.freshness)
        return (participant.session, participant) if participant is not None else None

    async def disconnect(self, code: int) -> None:
        if self.hub is not None and self.audience is not None:
            await self.hub.remove(self, self.audience)
        if self.connection_id is not None:
            await database_sync_to_async(presence.remove_connection)(self.connection_id)
            self.connection_id = None
            await changes.achanged(self.session_id, "presence")

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.audience is None:
            return  # refused or closing
        if text_data is None:
            await self._reply(None, error=("bad_frame", "Send JSON text frames."))
            return
        # surrogatepass: a frame handed over in-process may hold lone surrogates.
        if len(text_data.encode("utf-8", "surrogatepass")) > settings.WEBSOCKET_MAX_MESSAGE_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            return
        message = _parse(text_data)
        if message is None:
            await self._reply(None, error=("bad_frame", "Send a JSON object with a type."))
            return
        message_id = message.get("id")
        action = ACTIONS.get(message["type"])
        if action is None:
            await self._reply(message_id, error=("unknown_type", "Unknown message type."))
            return
        if self.role not in action.roles:
            await self._reply(message_id, error=("not_allowed", "You cannot do this."))
            return
        try:
            result = await action.handler(self, message)
        except DomainError as error:
            with translation.override(self._language()):
                text = str(error.message)
            await self._reply(message_id, error=(error.code, text))
            return
        except Exception:
            logger.exception("action %s failed", action.name)
            await self._reply(message_id, error=("server_error", "Something went wrong."))
            return
        await self._reply(message_id, result=result)

    # --- called by the hub -------------------------------------------------------

    async def push_text(self, text: str) -> None:
        try:
            await self.send(text_data=text)
        except Exception:  # the socket closed meanwhile; its disconnect cleans up
            logger.debug("push to a closing socket dropped")

    async def resync(self) -> None:
        """A fresh snapshot, under the audience the database now gives.

        After a move to another group or language the socket changes audience;
        after the channel layer was away, the snapshot brings what changed
        meanwhile.
        """
        if self.participant_id is None:
            try:
                session = await database_sync_to_async(load_session)(self.session_id)
            except WorkshopSession.DoesNotExist:
                await self.close(code=CLOSE_NOT_FOUND)
                return
            await self._send_snapshot(session, None)
            return
        session, participant = await database_sync_to_async(_reload_participant)(
            self.participant_id
        )
        if participant is None or self.hub is None or self.audience is None:
            await self.close(code=CLOSE_NOT_JOINED)
            return
        new_audience = audience_for_participant(participant)
        if new_audience != self.audience:
            await self.hub.add(self, new_audience)
            await self.hub.remove(self, self.audience)
            self.audience = new_audience
        await self._send_snapshot(session, participant)

    # --- helpers ---------------------------------------------------------------

    async def _send_snapshot(
        self, session: WorkshopSession, participant: Participant | None
    ) -> None:
        assert self.audience is not None
        if participant is not None and self.hub is not None:
            regions = await database_sync_to_async(self.hub.participant_regions)(
                session, self.audience, participant
            )
        else:
            regions = await database_sync_to_async(render_regions)(
                session, self.audience, None, participant
            )
        await self._send_regions(regions)

    async def _send_regions(self, regions: list[dict[str, Any]]) -> None:
        assert self.audience is not None
        text = json.dumps(
            {"t": "regions", "regions": regions, "snapshot": True, "now": server_now_ms()}
        )
        await self.send(text_data=within_send_limit(text, self.audience))

    def _language(self) -> str:
        """The language this socket's people read: the participant's own, or
        the session's control or projector language (not known before auth)."""
        if self.audience is not None and self.audience.kind == PARTICIPANT:
            return self.audience.language
        return translation.get_language() or settings.LANGUAGE_CODE

    async def _refuse(self, error: DomainError) -> None:
        code = {
            "not_joined": CLOSE_NOT_JOINED,
            "unknown_session": CLOSE_NOT_FOUND,
        }.get(error.code, CLOSE_FORBIDDEN)
        await self.send(
            text_data=json.dumps({"t": "refused", "code": error.code, "error": str(error.message)})
        )
        await self.close(code=code)

    async def _reply(
        self,
        message_id: Any,
        *,
        result: dict[str, Any] | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        reply: dict[str, Any] = {
            "t": "ack",
            "id": message_id if isinstance(message_id, str) else None,
        }
        if error:
            reply.update(ok=False, code=error[0], error=error[1])
        else:
            reply.update(ok=True, **(result or {}))
        await self.send(text_data=json.dumps(reply))


def _parse(text: str) -> dict[str, Any] | None:
    """A JSON object with a short string ``type`` and an optional string ``id``."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict):
        return None
    kind = message.get("type")
    if not isinstance(kind, str) or not 0 < len(kind) <= 40:
        return None
    message_id = message.get("id")
    if message_id is not None and not (isinstance(message_id, str) and len(message_id) <= 64):
        return None
    if not _storable(message):
        return None
    return message


MAX_MESSAGE_DEPTH = 16


def _storable(message: dict[str, Any]) -> bool:
    """No deep nesting, no NUL and no lone surrogate in any key or string.

    JSON escapes can carry both ("\\u0000", "\\ud800"); PostgreSQL refuses to
    store them and the error would surface in whichever handler saves the text.
    Refused here once, for every action.
    """
    stack: list[tuple[Any, int]] = [(message, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_MESSAGE_DEPTH:
            return False
        if isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _clean_text(value):
            return False
    return True


def _clean_text(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _authorise(role: str, key: str, scope: dict) -> tuple[WorkshopSession, Participant | None]:
    """Who may open which socket. Raises DomainError, changes nothing."""
    if role == PARTICIPANT:
        # One query: a phone's connect is one of a thousand in a join storm.
        # An unknown code gets the same answer as a real one without a cookie:
        # otherwise this socket would tell which codes exist, past the join
        # form's rate limit.
        public_id = identity.participant_id_from_cookies(scope.get("cookies", {}), key)
        participant = services.phone_participant(key, public_id) if public_id else None
        if participant is None:
            raise DomainError("not_joined", "Join the workshop first.")
        return participant.session, participant
    try:
        session = WorkshopSession.objects.get(public_id=UUID(key))
    except (ValueError, WorkshopSession.DoesNotExist):
        raise DomainError("unknown_session", "No such session.") from None
    if role == CONTROL and not session.is_facilitated_by(scope.get("user")):
        raise DomainError("not_facilitator", "Only the session's facilitators can do this.")
    if role not in (SCREEN, CONTROL):
        raise DomainError("unknown_session", "No such view.")
    return session, None


def _connect_participant(
    hub: Hub,
    session: WorkshopSession,
    audience: Audience,
    participant: Participant,
    snapshot: bool,
) -> tuple[int, list[dict[str, Any]]]:
    """Count the participant as connected and render their snapshot, if needed."""
    connection_id = presence.add_connection(hub.process_id, participant)
    regions = hub.participant_regions(session, audience, participant) if snapshot else []
    return connection_id, regions


def _query_value(scope: dict, name: str) -> str:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else ""


def _reload_participant(
    participant_id: int | None,
) -> tuple[WorkshopSession | None, Participant | None]:
    participant = Participant.objects.select_related("session").filter(pk=participant_id).first()
    return (participant.session if participant else None), participant


# --- core actions ----------------------------------------------------------------


@register_action("ping", roles={SCREEN, CONTROL, PARTICIPANT})
async def _ping(consumer: LiveConsumer, message: dict[str, Any]) -> dict[str, Any]:
    return {"pong": True, "now": server_now_ms()}


@register_action("language", roles={PARTICIPANT})
async def _language(consumer: LiveConsumer, message: dict[str, Any]) -> dict[str, Any]:
    language = message.get("language")
    participant = await _participant(consumer)
    await database_sync_to_async(services.set_participant_language)(participant, str(language))
    return {}


@register_action("group", roles={PARTICIPANT})
async def _group(consumer: LiveConsumer, message: dict[str, Any]) -> dict[str, Any]:
    participant = await _participant(consumer)
    await database_sync_to_async(services.choose_group)(participant, message.get("group"))
    return {}


@register_action("navigate", roles={CONTROL})
async def _navigate(consumer: LiveConsumer, message: dict[str, Any]) -> dict[str, Any]:
    """next / previous / a step id, for a remote or keyboard on the control view."""
    user = consumer.scope.get("user")
    target = message.get("to")

    def navigate() -> None:
        session = WorkshopSession.objects.get(pk=consumer.session_id)
        if target == "next":
            services.move_by(session, 1, user)
        elif target == "previous":
            services.move_by(session, -1, user)
        else:
            services.go_to_step(session, target, user)

    await database_sync_to_async(navigate)()
    return {}


async def _participant(consumer: LiveConsumer) -> Participant:
    participant = await database_sync_to_async(Participant.objects.select_related("session").get)(
        pk=consumer.participant_id
    )
    return participant
