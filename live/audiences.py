"""Who sees what: the audiences of a session and the regions each one sees.

Model-free, so a feature app may register its regions while Django is still
loading (``AppConfig.ready``), and the hub and the consumer share these
names without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

SCREEN = "screen"
CONTROL = "control"
PARTICIPANT = "participant"
AUDIENCES = (SCREEN, CONTROL, PARTICIPANT)

# (audience, region name) -> template. Region ids in the page are the names.
REGION_TEMPLATES: dict[tuple[str, str], str] = {
    (SCREEN, "stage"): "live/screen/stage.html",
    (SCREEN, "joinbar"): "live/screen/joinbar.html",
    # Inside the lobby step: pushed on its own so a count never re-renders the step.
    (SCREEN, "lobby-count"): "live/screen/lobby-count.html",
    (CONTROL, "stage"): "live/control/stage.html",
    (CONTROL, "agenda"): "live/control/agenda.html",
    (CONTROL, "room"): "live/control/room.html",
    (PARTICIPANT, "stage"): "live/participant/stage.html",
    (PARTICIPANT, "me"): "live/participant/me.html",
}


# Participant regions that show nothing of the participant's group (unless
# the step's kind says its stage does): the hub renders them once per
# language for every group (live/hub.py, _render_key).
GROUP_BLIND_PARTICIPANT_REGIONS: set[str] = {"stage"}

# Regions whose templates read nothing of the current step or its kind.
STEPLESS_REGIONS: dict[str, set[str]] = {PARTICIPANT: {"me"}}


def register_region(
    audience: str, name: str, template: str, *, group_blind: bool = False, stepless: bool = False
) -> None:
    """``group_blind``: a participant region the same for every group.
    ``stepless``: its template reads nothing of the current step, so its
    renders skip the step kind's context (a quiz question's costs queries)."""
    REGION_TEMPLATES[(audience, name)] = template
    if group_blind and audience == PARTICIPANT:
        GROUP_BLIND_PARTICIPANT_REGIONS.add(name)
    if stepless:
        STEPLESS_REGIONS.setdefault(audience, set()).add(name)


def regions_of(audience: str) -> list[str]:
    return [name for (aud, name) in REGION_TEMPLATES if aud == audience]


@dataclass(frozen=True)
class Audience:
    """Everyone who sees exactly the same thing: the projector, the control
    views, or the participants of one group reading one language."""

    kind: str
    session_id: int
    group_id: int | None = None  # participants only; None: not in a group
    language: str = "en"

    @property
    def key(self) -> str:
        if self.kind == PARTICIPANT:
            return f"{self.session_id}:{self.kind}:{self.group_id or 0}:{self.language}"
        return f"{self.session_id}:{self.kind}"
