"""Rankings and points over the phones' sockets: refused with a reason and
nothing stored when wrong, acknowledged once stored when right, and the
projector's push of the room's results is what a fresh load renders."""

from __future__ import annotations

import json
import re

import pytest
from channels.db import database_sync_to_async

from live.audiences import SCREEN, Audience
from live.regions import render_regions
from quizzes.models import Answer
from workshop.models import WorkshopSession

from .test_consumers import _ack, _open, _phone, _screen
from .test_priorities import _ids

pytestmark = [pytest.mark.django_db(transaction=True)]


def _unversioned(html: str) -> str:
    return re.sub(r'data-v="\d+"', "", html)


async def _send(phone, message_id, run, value):
    message = {"type": "answer", "id": message_id, "run": run.pk, "value": value}
    await phone.send_to(text_data=json.dumps(message))
    return await _ack(phone, message_id)


async def test_a_ranking_over_the_socket(priorities_session, facilitator, people):
    run = await _open(priorities_session, "t-rank", facilitator)
    ids = await database_sync_to_async(_ids)("t-rank", "Data", "Rights", "Inclusion", "Climate")
    screen = await _screen(priorities_session)
    phone = await _phone(priorities_session, people[0])
    missing = await _send(phone, "r-1", run, ids[:3])
    repeated = await _send(phone, "r-2", run, [*ids[:3], ids[0]])
    assert (missing["ok"], missing["code"]) == (False, "ranking_incomplete") and missing["error"]
    assert (repeated["ok"], repeated["code"]) == (False, "ranking_repeated")
    assert await database_sync_to_async(Answer.objects.count)() == 0
    ok = await _send(phone, "r-3", run, ids[::-1])
    assert ok["ok"] and ok["changed"]
    assert (await database_sync_to_async(Answer.objects.get)()).value == ids[::-1]
    # The projector's push: the room's order, as a fresh load renders it.
    while True:
        message = await screen.receive_json_from(timeout=10)
        pushed = [r for r in message.get("regions", []) if r["id"] == "quiz-results"]
        if pushed and 'data-testid="answer-total">1<' in pushed[-1]["html"]:
            break
    html = pushed[-1]["html"]
    rows = re.findall(r'<span class="ranking-place">(\d+)\.</span> ([^<]+?)\s*<', html)
    assert rows == [("1", "Climate"), ("2", "Inclusion"), ("3", "Rights"), ("4", "Data")]
    assert f'data-testid="mean-{ids[3]}">1.0<' in html
    session = await database_sync_to_async(WorkshopSession.objects.get)(pk=priorities_session.pk)
    audience = Audience(SCREEN, session.pk)
    fresh = await database_sync_to_async(render_regions)(session, audience, ["quiz-results"])
    assert _unversioned(html) == _unversioned(fresh[0]["html"])
    await phone.disconnect()
    await screen.disconnect()


async def test_points_over_the_socket(priorities_session, facilitator, people):
    run = await _open(priorities_session, "t-points", facilitator)
    data, rights, inclusion = await database_sync_to_async(_ids)(
        "t-points", "Data", "Rights", "Inclusion"
    )
    phone = await _phone(priorities_session, people[0])
    over = await _send(phone, "p-1", run, {str(data): 80, str(rights): 40})
    negative = await _send(phone, "p-2", run, {str(data): 120, str(rights): -20})
    fraction = await _send(phone, "p-3", run, {str(data): 99.5, str(rights): 0.5})
    assert [a["code"] for a in (over, negative, fraction)] == [
        "points_over_budget",
        "points_negative",
        "points_not_whole",
    ]
    assert over["error"] == "That is 20 points too many: share exactly 100."
    assert await database_sync_to_async(Answer.objects.count)() == 0
    ok = await _send(phone, "p-4", run, {str(data): 25, str(inclusion): 75})
    assert ok["ok"]
    stored = (await database_sync_to_async(Answer.objects.get)()).value
    assert stored == {str(data): 25, str(rights): 0, str(inclusion): 75}
    await phone.disconnect()
