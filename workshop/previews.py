"""A step as the projector or a phone shows it, outside any session: for
the admin's step list and the run-of-show editor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from live.audiences import PARTICIPANT, SCREEN, Audience
from live.regions import region_context

from . import services
from .models import Step, WorkshopSession

AUDIENCES = (SCREEN, PARTICIPANT)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


@dataclass(frozen=True)
class Moments:
    """The moments of a step kind worth previewing (a question before it
    opens, open, revealed): ``choices`` as (key, label), the first the
    default; ``apply`` puts the throwaway session's step in that moment."""

    choices: Callable[[], list[tuple[str, str]]]  # called in the page's language
    apply: Callable[[WorkshopSession, Step, object, str], None]
    applies: Callable[[Step], bool] = lambda step: True


# Step kinds' moments, registered by the apps that own the kinds.
_MOMENTS: dict[str, Moments] = {}


def register_moments(kind: str, moments: Moments) -> None:
    _MOMENTS[kind] = moments


def moments_of(step: Step) -> list[tuple[str, str]]:
    moments = _MOMENTS.get(step.kind)
    return moments.choices() if moments is not None and moments.applies(step) else []


def moment_asked(request: HttpRequest, step: Step) -> str:
    """The ``moment`` of the query if the step's kind has it, else its first."""
    keys = [key for key, _label in moments_of(step)]
    asked = request.GET.get("moment", "")
    return asked if asked in keys else (keys[0] if keys else "")


def language_asked(request: HttpRequest, default: str = "en") -> str:
    """The ``lang`` of the query if it is one of ours, else ``default``."""
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGE_CODES else default


def render_stage(request: HttpRequest, step: Step, audience: str, moment: str = "") -> SafeString:
    """The stage (and, on the projector, the join bar) in a session that is
    rolled back: step kinds' context functions may query session state, and
    nothing of the preview is kept. Renders in the active language."""
    with transaction.atomic():
        session = services.create_session(
            step.template,
            request.user,
            title=step.template.title,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        session.current_step = step
        session.save(update_fields=["current_step"])
        if moment:
            _MOMENTS[step.kind].apply(session, step, request.user, moment)
            session.refresh_from_db()
        context = region_context(session, Audience(audience, session.pk))
        html = render_to_string(f"live/{audience}/stage.html", context)
        if audience == SCREEN:
            html += render_to_string("live/screen/joinbar.html", context)
        transaction.set_rollback(True)
    return mark_safe(html)  # noqa: S308 (our own templates' output)
