"""A question's stage on the phones: one render shared by the phones that
see the same thing (live/hub.py, SharedRenders), their own answer apart."""

from __future__ import annotations

import pytest

from live.audiences import PARTICIPANT, regions_of
from live.hub import PERSONAL_REGIONS, STEP_STATE_REGIONS
from quizzes import services as quiz_services

from ..scale.test_join_storm import _count_renders, _hub_hearing, _regions_of
from .conftest import go_to_question

# The stage: one render for the phones in the same state in the step.
SHARED = STEP_STATE_REGIONS
# The other regions that phones share: one render for the whole view.
ROOM = tuple(n for n in regions_of(PARTICIPANT) if n not in PERSONAL_REGIONS + STEP_STATE_REGIONS)


@pytest.mark.django_db
def test_phones_that_answered_differently_see_their_own_answer(
    quiz_session, facilitator, players, monkeypatch
):
    session = go_to_question(quiz_session, "t-founded", facilitator)
    run = quiz_services.open_question(session, facilitator)
    choice = run.question.choices.first()
    first_group = [p for p in players if p.group_id == players[0].group_id]
    answered, silent = first_group[:2]
    elsewhere = next(p for p in players if p.group_id != answered.group_id)
    for phone in (answered, elsewhere):  # the same answer, from two groups
        quiz_services.submit_answer(phone.pk, session.pk, run.pk, [choice.pk], f"c{phone.pk}")
    hub = _hub_hearing(session)
    rendered = _count_renders(monkeypatch)

    pages = {p.pk: _regions_of(hub, p)["stage"] for p in (answered, silent, elsewhere)}

    assert rendered.count(SHARED) == 2  # one per answer given (none, this choice)
    assert rendered.count(ROOM) == 1  # the Questions panel: once, whatever the answers
    assert f'data-mine="[{choice.pk}]"' in pages[answered.pk]
    assert "data-mine" not in pages[silent.pk]
    assert pages[elsewhere.pk] == pages[answered.pk]


@pytest.mark.django_db
def test_a_running_countdown_is_shared_as_it_carries_no_render_time(
    quiz_session, facilitator, players, monkeypatch
):
    """The deadline is in the render; the server's time comes with each frame
    (live.hub.server_now_ms), so a join storm during a countdown still
    renders the stage once."""
    session = go_to_question(quiz_session, "t-founded", facilitator)
    run = quiz_services.open_question(session, facilitator, timer_seconds=60)
    hub = _hub_hearing(session)
    rendered = _count_renders(monkeypatch)
    stages = [_regions_of(hub, phone)["stage"] for phone in players[:2]]
    assert rendered.count(SHARED) == 1
    assert f'data-closes-at="{int(run.closes_at.timestamp() * 1000)}"' in stages[0]
    assert stages[0] == stages[1]
