"""What each kind of step shows to each audience.

The core registers the lobby and content steps. The quiz and exercise apps
register their own kinds in their ``AppConfig.ready``; until one does, its
steps show as a clearly marked placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from live.regions import RenderTarget

StepContextFn = Callable[["RenderTarget"], dict[str, Any]]
ParticipantKeyFn = Callable[["RenderTarget"], Hashable]
# A participant_key meaning: render this participant's stage for them alone.
NOT_SHAREABLE = object()


@dataclass(frozen=True)
class StepKindSpec:
    kind: str
    # Templates are "<template_dir>/<audience>.html" for screen, control, participant.
    template_dir: str
    # True when participants of different groups see different things (the exercise).
    per_group: bool = False
    context: StepContextFn | None = None
    # For kinds whose phone stage shows something of the participant's own
    # (their answer): what it depends on. Phones with equal keys share one
    # render of their stage (live/hub.py, SharedRenders); NOT_SHAREABLE
    # keeps it personal. None: the stage is the same for the whole audience.
    participant_key: ParticipantKeyFn | None = None

    def template_for(self, audience: str) -> str:
        return f"{self.template_dir}/{audience}.html"


_KINDS: dict[str, StepKindSpec] = {}


def register(spec: StepKindSpec) -> None:
    _KINDS[spec.kind] = spec


def get(kind: str) -> StepKindSpec:
    return _KINDS.get(kind) or _KINDS["placeholder"]


def _content_context(target: RenderTarget) -> dict[str, Any]:
    step = target.step
    # Ordered within the step: Fact's Meta ordering would join the step and
    # its template to sort by them, for each phone's page.
    return {"facts": list(step.facts.order_by("position", "id")) if step else []}


register(StepKindSpec("lobby", "steps/lobby", context=_content_context))
register(StepKindSpec("content", "steps/content", context=_content_context))
register(StepKindSpec("placeholder", "steps/placeholder"))
