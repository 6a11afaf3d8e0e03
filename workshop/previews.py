"""A step as the projector or a phone shows it, outside any session: for
the admin's step list and the run-of-show editor."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from live.audiences import PARTICIPANT, SCREEN, Audience
from live.regions import region_context

from . import services
from .models import Step

AUDIENCES = (SCREEN, PARTICIPANT)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def language_asked(request: HttpRequest, default: str = "en") -> str:
    """The ``lang`` of the query if it is one of ours, else ``default``."""
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGE_CODES else default


def render_stage(request: HttpRequest, step: Step, audience: str) -> SafeString:
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
        context = region_context(session, Audience(audience, session.pk))
        html = render_to_string(f"live/{audience}/stage.html", context)
        if audience == SCREEN:
            html += render_to_string("live/screen/joinbar.html", context)
        transaction.set_rollback(True)
    return mark_safe(html)  # noqa: S308 (our own templates' output)
