import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from quizzes import services
from quizzes.models import Answer
from workshop import services as workshop_services
from workshop.asgi import application

from ..live.test_consumers import HOST, ORIGIN, WS_TIMEOUT, _cookie_header, _receive_region
from .conftest import go_to_question

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _phone(session, participant):
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{session.code}/",
        headers=[ORIGIN, HOST, _cookie_header(participant)],
    )
    connected, _ = await phone.connect(timeout=10)
    assert connected
    await phone.receive_json_from(timeout=10)  # snapshot
    return phone


async def _screen(session):
    screen = WebsocketCommunicator(
        application, f"/ws/screen/{session.public_id}/", headers=[ORIGIN, HOST]
    )
    connected, _ = await screen.connect(timeout=10)
    assert connected
    await screen.receive_json_from(timeout=10)
    return screen


async def _ack(phone, message_id):
    while True:
        message = await phone.receive_json_from(timeout=15)
        if message.get("t") == "ack" and message.get("id") == message_id:
            return message


@database_sync_to_async
def _open(session, key, facilitator):
    session = go_to_question(session, key, facilitator)
    return services.open_question(session, facilitator)


async def test_an_answer_is_acknowledged_once_stored_and_a_resend_is_harmless(
    quiz_session, facilitator, players
):
    run = await _open(quiz_session, "t-sdg", facilitator)
    phone = await _phone(quiz_session, players[0])
    message = {"type": "answer", "id": "c-1", "run": run.pk, "value": [10]}
    await phone.send_to(text_data=json.dumps(message))
    ack = await _ack(phone, "c-1")
    assert ack["ok"] and ack["run"] == run.pk and ack["changed"]
    assert await database_sync_to_async(Answer.objects.count)() == 1
    await phone.send_to(text_data=json.dumps(message))  # the outbox resends after a reconnect
    again = await _ack(phone, "c-1")
    assert again["ok"] and not again["changed"] and again["answer"] == ack["answer"]
    assert await database_sync_to_async(Answer.objects.count)() == 1
    await phone.disconnect()


@pytest.mark.parametrize(
    ("value", "code"), [([18], "invalid_choice"), ("ten", "invalid_choice"), (None, "no_choice")]
)
async def test_a_bad_answer_gets_a_clear_refusal(quiz_session, facilitator, players, value, code):
    run = await _open(quiz_session, "t-sdg", facilitator)
    phone = await _phone(quiz_session, players[0])
    await phone.send_to(
        text_data=json.dumps({"type": "answer", "id": "x", "run": run.pk, "value": value})
    )
    ack = await _ack(phone, "x")
    assert ack["ok"] is False and ack["code"] == code and ack["error"]
    assert await database_sync_to_async(Answer.objects.count)() == 0
    await phone.disconnect()


async def test_a_closed_question_refuses_answers(quiz_session, facilitator, players):
    run = await _open(quiz_session, "t-sdg", facilitator)
    await database_sync_to_async(services.close_question)(quiz_session, facilitator)
    phone = await _phone(quiz_session, players[0])
    await phone.send_to(
        text_data=json.dumps({"type": "answer", "id": "late", "run": run.pk, "value": [10]})
    )
    ack = await _ack(phone, "late")
    assert ack == {
        "t": "ack",
        "id": "late",
        "ok": False,
        "code": "question_closed",
        "error": "This question is closed: no more answers.",
    }
    await phone.disconnect()


async def test_the_projector_and_screen_cannot_answer(quiz_session, facilitator):
    run = await _open(quiz_session, "t-sdg", facilitator)
    screen = await _screen(quiz_session)
    await screen.send_to(
        text_data=json.dumps({"type": "answer", "id": "s", "run": run.pk, "value": [10]})
    )
    ack = await _ack(screen, "s")
    assert ack["ok"] is False and ack["code"] == "not_allowed"
    await screen.disconnect()


async def test_tallies_are_coalesced_and_end_exact(quiz_session, facilitator, players):
    session = await database_sync_to_async(go_to_question)(quiz_session, "t-word", facilitator)
    run = await database_sync_to_async(services.open_question)(session, facilitator)
    screen = await _screen(quiz_session)
    more = await database_sync_to_async(
        lambda: [
            workshop_services.join_session(quiz_session.code, nickname=f"Q{n}") for n in range(26)
        ]
    )()
    everyone = [*players, *more]
    phones = [await _phone(quiz_session, p) for p in everyone]
    for n, phone in enumerate(phones):
        await phone.send_to(
            text_data=json.dumps({"type": "answer", "id": f"a{n}", "run": run.pk, "value": "hope"})
        )
    for n, phone in enumerate(phones):
        assert (await _ack(phone, f"a{n}"))["ok"]
    # Every push is a whole snapshot: the last one shows what the database holds.
    pushes = []
    final = 'data-testid="answer-total">30<'
    while not (pushes and final in pushes[-1]["html"]):
        message = await screen.receive_json_from(timeout=10)
        pushes += [r for r in message.get("regions", []) if r["id"] == "quiz-results"]
    seen = len(pushes)
    while not await screen.receive_nothing(timeout=0.6):  # anything later stays exact
        message = await screen.receive_json_from(timeout=WS_TIMEOUT)
        pushes += [r for r in message.get("regions", []) if r["id"] == "quiz-results"]
    assert all(final in p["html"] for p in pushes[seen:])
    assert 1 <= len(pushes) < len(phones) / 3, len(pushes)
    assert 'data-count="30"' in pushes[-1]["html"]
    assert 'data-testid="answer-total">30<' in pushes[-1]["html"]
    for phone in phones:
        await phone.disconnect()
    await screen.disconnect()


async def test_the_reveal_reaches_the_phones(quiz_session, facilitator, players):
    run = await _open(quiz_session, "t-sdg", facilitator)
    phone = await _phone(quiz_session, players[0])
    await phone.send_to(
        text_data=json.dumps({"type": "answer", "id": "r", "run": run.pk, "value": [10]})
    )
    await _ack(phone, "r")
    await database_sync_to_async(services.reveal_question)(quiz_session, facilitator)
    stage = await _receive_region(phone, "stage", timeout=10)
    assert "data-verdict" in stage["html"]
    assert "target 10.7" in stage["html"]
    assert 'data-correct="[10]"' in stage["html"]
    await phone.disconnect()
