import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.http import HttpResponse

from workshop import identity, services
from workshop.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")
# Seconds a socket test waits to connect or for a message: the communicator's
# default of 1 s was missed on a loaded machine (a connect waits for the
# database thread). Only a failing test waits that long.
WS_TIMEOUT = 10
HOST = (b"host", b"testserver")


def _cookie_header(participant) -> tuple[bytes, bytes]:
    response = HttpResponse()
    identity.set_participant_cookie(response, participant.session.code, participant.public_id)
    name = identity.cookie_name(participant.session.code)
    return (b"cookie", f"{name}={response.cookies[name].value}".encode())


async def _connect(path: str, headers: list[tuple[bytes, bytes]]):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, *headers])
    connected, _ = await communicator.connect(timeout=WS_TIMEOUT)
    assert connected
    return communicator


async def test_it_sends_a_snapshot_and_follows_the_facilitator(session, participant, facilitator):
    phone = await _connect(f"/ws/participant/{session.code}/", [_cookie_header(participant)])
    snapshot = await phone.receive_json_from(timeout=WS_TIMEOUT)
    assert snapshot["t"] == "regions" and snapshot["snapshot"], snapshot
    assert "Welcome" in {r["id"]: r["html"] for r in snapshot["regions"]}["stage"]

    screen = await _connect(f"/ws/screen/{session.public_id}/", [])
    await screen.receive_json_from(timeout=WS_TIMEOUT)  # its snapshot

    steps = await database_sync_to_async(lambda: list(session.ordered_steps()))()
    await database_sync_to_async(services.go_to_step)(session, steps[1].pk, facilitator)

    pushed = await _receive_region(phone, "stage")
    assert "Who is IOM?" in pushed["html"]
    pushed = await _receive_region(screen, "stage")
    assert "Who is IOM?" in pushed["html"]
    await phone.disconnect()
    await screen.disconnect()


async def _receive_region(communicator, region_id, timeout=3):
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        for region in message.get("regions", []):
            if region["id"] == region_id:
                return region


async def test_a_participant_cannot_navigate_over_the_socket(session, participant):
    phone = await _connect(f"/ws/participant/{session.code}/", [_cookie_header(participant)])
    await phone.receive_json_from(timeout=WS_TIMEOUT)
    await phone.send_to(text_data=json.dumps({"type": "navigate", "to": "next", "id": "a1"}))
    reply = await phone.receive_json_from(timeout=WS_TIMEOUT)
    assert reply == {
        "t": "ack",
        "id": "a1",
        "ok": False,
        "code": "not_allowed",
        "error": "You cannot do this.",
    }
    current = await database_sync_to_async(
        lambda: type(session).objects.get(pk=session.pk).current_step.title
    )()
    assert current == "Welcome"
    await phone.disconnect()


async def test_the_control_view_counts_connected_participants(session, participant, facilitator):
    control = WebsocketCommunicator(
        application, f"/ws/control/{session.public_id}/", headers=[ORIGIN, HOST]
    )
    control.scope["user"] = facilitator
    connected, _ = await control.connect(timeout=WS_TIMEOUT)
    assert connected
    snapshot = await control.receive_json_from(timeout=WS_TIMEOUT)
    assert snapshot["t"] == "regions", snapshot
    phone = await _connect(f"/ws/participant/{session.code}/", [_cookie_header(participant)])
    await phone.receive_json_from(timeout=WS_TIMEOUT)
    room = await _receive_region(control, "room")
    assert 'data-testid="connected">1<' in room["html"]
    await phone.disconnect()
    room = await _receive_region(control, "room")
    assert 'data-testid="connected">0<' in room["html"]
    await control.disconnect()


async def _expect_refused(path, headers, code):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, *headers])
    connected, _ = await communicator.connect(timeout=WS_TIMEOUT)
    assert connected
    message = await communicator.receive_json_from(timeout=WS_TIMEOUT)
    assert message["t"] == "refused"
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": code}


async def test_a_tampered_or_missing_cookie_is_refused(session, participant):
    name, value = _cookie_header(participant)[1].decode().split("=", 1)
    tampered = (b"cookie", f"{name}={value[:-3]}xyz".encode())
    await _expect_refused(f"/ws/participant/{session.code}/", [tampered], 4401)
    await _expect_refused(f"/ws/participant/{session.code}/", [], 4401)


async def test_an_unknown_session_is_refused(participant):
    # Like a real code without a cookie: the socket must not reveal which codes exist.
    await _expect_refused("/ws/participant/ZZZZZZ/", [], 4401)
    await _expect_refused("/ws/screen/00000000-0000-0000-0000-000000000000/", [], 4404)


async def test_a_participant_cannot_open_the_control_socket(session, participant):
    await _expect_refused(f"/ws/control/{session.public_id}/", [_cookie_header(participant)], 4403)


async def test_a_foreign_origin_is_refused(session):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/screen/{session.public_id}/",
        headers=[(b"origin", b"http://evil.example"), HOST],
    )
    connected, _ = await communicator.connect(timeout=WS_TIMEOUT)
    assert not connected


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"type": 5}',
        '{"type": "hub.invalidate", "session": 1}',
        "{" * 5000,
        '{"type": "x", "id": 7}',
    ],
)
async def test_malformed_frames_get_an_error_and_change_nothing(session, participant, frame):
    phone = await _connect(f"/ws/participant/{session.code}/", [_cookie_header(participant)])
    await phone.receive_json_from(timeout=WS_TIMEOUT)
    await phone.send_to(text_data=frame)
    reply = await phone.receive_json_from(timeout=WS_TIMEOUT)
    assert reply["t"] == "ack" and reply["ok"] is False
    await phone.send_to(text_data='{"type": "ping", "id": "p"}')
    assert (await phone.receive_json_from(timeout=WS_TIMEOUT))["ok"] is True  # still serving
    await phone.disconnect()


async def test_an_oversized_frame_closes_the_socket(session, participant):
    phone = await _connect(f"/ws/participant/{session.code}/", [_cookie_header(participant)])
    await phone.receive_json_from(timeout=WS_TIMEOUT)
    await phone.send_to(text_data='{"type": "ping", "pad": "' + "x" * 70_000 + '"}')
    closed = await phone.receive_output()
    assert closed == {"type": "websocket.close", "code": 4009}


async def test_a_moved_participant_follows_their_new_group(session, participant, facilitator):
    phone = await _connect(f"/ws/participant/{session.code}/", [_cookie_header(participant)])
    await phone.receive_json_from(timeout=WS_TIMEOUT)
    other = await database_sync_to_async(
        lambda: session.groups.exclude(pk=participant.group_id).get()
    )()
    await database_sync_to_async(services.move_participant)(
        session, participant.pk, other.pk, facilitator
    )
    me = await _receive_region(phone, "me")
    assert other.name in me["html"]
    await phone.disconnect()
