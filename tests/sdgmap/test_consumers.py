import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from sdgmap import services
from sdgmap.models import CardEdit, GroupCard
from workshop.asgi import application

from ..live.test_consumers import HOST, ORIGIN, WS_TIMEOUT, _cookie_header, _receive_region

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _phone(session, participant):
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{session.code}/",
        headers=[ORIGIN, HOST, _cookie_header(participant)],
    )
    connected, _ = await phone.connect(timeout=WS_TIMEOUT)
    assert connected
    await phone.receive_json_from(timeout=WS_TIMEOUT)  # the snapshot
    return phone


async def _ack(phone, message_id):
    while True:
        message = await phone.receive_json_from(timeout=3)
        if message.get("t") == "ack" and message.get("id") == message_id:
            return message


@pytest.fixture
def started(on_exercise, facilitator, members):
    services.start_exercise(on_exercise, facilitator, allocation="all", minutes=10)
    return on_exercise


async def test_the_phones_get_their_cards_when_the_exercise_starts(
    on_exercise, facilitator, members
):
    amina = members["Group 1"][0]
    phone = await _phone(on_exercise, amina)
    await database_sync_to_async(services.start_exercise)(
        on_exercise, facilitator, allocation="all", minutes=10
    )
    stage = await _receive_region(phone, "stage")
    assert 'id="card-17"' in stage["html"]
    await phone.disconnect()


async def test_a_teammate_sees_a_card_change_live_and_other_groups_do_not(started, members):
    amina, dries = members["Group 1"]
    bruno = members["Group 2"][0]
    phones = [await _phone(started, p) for p in (amina, dries, bruno)]
    message = {
        "type": "card",
        "id": "c-1",
        "sdg": 10,
        "field": "reasoning",
        "value": "Safe pathways save lives.",
        "base_version": 0,
    }
    await phones[0].send_to(text_data=json.dumps(message))
    ack = await _ack(phones[0], "c-1")
    assert ack["ok"], ack
    assert ack["card"]["outcome"] == "applied" and ack["card"]["version"] == 1
    pushed = await _receive_region(phones[1], "stage")
    assert "Safe pathways save lives." in pushed["html"]
    other = await _receive_region(phones[2], "stage")
    assert "Safe pathways save lives." not in other["html"]
    # The resend after a reconnect is acknowledged the same and stored once.
    await phones[0].send_to(text_data=json.dumps(message))
    again = await _ack(phones[0], "c-1")
    assert again["card"] == ack["card"]
    assert await database_sync_to_async(CardEdit.objects.count)() == 1
    for phone in phones:
        await phone.disconnect()


async def test_a_conflicting_text_is_kept_and_reported(started, members):
    amina, dries = members["Group 1"]
    phones = [await _phone(started, p) for p in (amina, dries)]
    acks = []
    for phone, text, mid in ((phones[0], "Remittances", "a-1"), (phones[1], "Diaspora", "d-1")):
        # Both typed from version 0; Amina's text lands first.
        message = {"sdg": 1, "field": "reasoning", "value": text, "base_version": 0}
        await phone.send_to(text_data=json.dumps({"type": "card", "id": mid, **message}))
        acks.append((await _ack(phone, mid))["card"])
    assert acks[0]["outcome"] == "applied"
    conflict = acks[1]
    assert conflict["outcome"] == "conflict"
    assert conflict["changed_by"] == "Amina" and conflict["current_text"] == "Remittances"
    kept = await database_sync_to_async(
        lambda: list(CardEdit.objects.values_list("value", "outcome").order_by("id"))
    )()
    assert kept == [("Remittances", "applied"), ("Diaspora", "conflict")]
    for phone in phones:
        await phone.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"sdg": 99, "field": "rating", "value": "strong"}, "unknown_sdg"),
        ({"sdg": 8, "field": "target", "value": {"code": "8.42", "on": True}}, "unknown_target"),
        ({"sdg": 8, "field": "reasoning", "value": "y" * 600}, "reasoning_too_long"),
        ({"sdg": 8, "field": "rating", "value": ["strong"]}, "bad_rating"),
        ({"sdg": 8, "field": "rating", "value": "some", "step": 1}, "exercise_not_open"),
    ],
)
async def test_bad_card_messages_get_a_clear_refusal(started, members, message, code):
    phone = await _phone(started, members["Group 1"][0])
    await phone.send_to(text_data=json.dumps({"type": "card", "id": "x-1", **message}))
    ack = await _ack(phone, "x-1")
    assert ack["ok"] is False and ack["code"] == code and ack["error"]
    assert not await database_sync_to_async(GroupCard.objects.exists)()
    await phone.disconnect()


async def test_the_screen_and_control_cannot_edit_cards(started, facilitator):
    screen = WebsocketCommunicator(
        application, f"/ws/screen/{started.public_id}/", headers=[ORIGIN, HOST]
    )
    await screen.connect(timeout=WS_TIMEOUT)
    await screen.receive_json_from(timeout=WS_TIMEOUT)
    await screen.send_to(
        text_data=json.dumps(
            {"type": "card", "id": "s-1", "sdg": 8, "field": "rating", "value": "strong"}
        )
    )
    ack = await _ack(screen, "s-1")
    assert ack["ok"] is False and ack["code"] == "not_allowed"
    await screen.disconnect()


async def test_closing_makes_the_cards_read_only_over_the_socket(started, members, facilitator):
    phone = await _phone(started, members["Group 1"][0])
    await database_sync_to_async(services.close_exercise)(started, facilitator)
    stage = await _receive_region(phone, "stage")
    assert "read-only" in stage["html"]
    await phone.send_to(
        text_data=json.dumps(
            {"type": "card", "id": "z-1", "sdg": 8, "field": "rating", "value": "strong"}
        )
    )
    ack = await _ack(phone, "z-1")
    assert ack["code"] == "exercise_closed"
    await phone.disconnect()
