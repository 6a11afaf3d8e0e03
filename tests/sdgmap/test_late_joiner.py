"""A phone that joins during the exercise lands on it with its own group's
cards, as its teammates left them."""

import pytest
from channels.db import database_sync_to_async

from sdgmap import services

from ..quizzes.test_late_joiner import _stage, join_late

pytestmark = [pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def _groups_write_their_reasons(session, facilitator, members):
    services.start_exercise(session, facilitator, allocation="all", minutes=15)
    for name, (first, _second) in members.items():
        services.edit_card(
            first, sdg=8, field="reasoning", value=f"Reason of {name}", client_id=f"c-{name}"
        )


@database_sync_to_async
def _group_of(session, nickname: str) -> str:
    return session.participants.get(nickname=nickname).group.name


async def test_a_late_phone_gets_the_exercise_with_its_groups_cards(
    on_exercise, facilitator, members
):
    await _groups_write_their_reasons(on_exercise, facilitator, members)
    stage = _stage(await join_late(on_exercise, "Late"))
    group = await _group_of(on_exercise, "Late")
    assert f'data-ptext title="{group}">{group}</span>' in stage  # its group's chip
    assert 'id="sdg-cards"' in stage and stage.count('class="sdg-card"') == 17
    assert f"Reason of {group}" in stage
    for other in members:
        if other != group:
            assert f"Reason of {other}" not in stage
