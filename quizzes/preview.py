"""A question step's moments in the run-of-show preview: a phone shows the
answer form while it is open, the answer once it is revealed, and a
"wait" before it opens."""

from __future__ import annotations

from workshop import previews
from workshop.models import Step, WorkshopSession

from . import services
from .models import QuestionRun

State = QuestionRun.State


def _choices() -> list[tuple[str, str]]:
    return [(state, str(State(state).label)) for state in (State.OPEN, State.DRAFT, State.REVEALED)]


def _apply(session: WorkshopSession, step: Step, user, moment: str) -> None:
    """Runs in the preview's rolled-back session, as its facilitator would."""
    if moment in (State.OPEN, State.REVEALED):
        services.open_question(session, user)
    if moment == State.REVEALED:
        services.reveal_question(session, user)


def register() -> None:
    previews.register_moments(
        Step.Kind.QUESTION,
        previews.Moments(_choices, _apply, applies=lambda step: step.question_id is not None),
    )
