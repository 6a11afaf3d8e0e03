"""The group's SDG map on a participant's take-away page: each exercise the
session ran, the group's cards, and the reference next to them when it was
revealed."""

from __future__ import annotations

from typing import Any

from live.regions import RenderTarget, audience_for_participant
from reports import registry
from workshop.models import Participant

from .display import ExerciseDisplay
from .models import ExerciseRun


def group_map(participant: Participant) -> dict[str, Any]:
    if participant.group is None:
        return {}
    runs = (
        ExerciseRun.objects.filter(session_id=participant.session_id)
        .exclude(state=ExerciseRun.State.NOT_STARTED)
        .select_related("step")
        .order_by("step__position", "id")
    )
    audience = audience_for_participant(participant)
    maps = [
        ExerciseDisplay(
            RenderTarget(participant.session, audience, run.step, participant.group, participant)
        )
        for run in runs
    ]
    return {"maps": maps, "group": participant.group} if maps else {}


def register() -> None:
    registry.register_takeaway_section("sdgmap", "sdgmap/takeaway.html", group_map, order=50)
