"""The live regions of Q&A read their data through these tags: a region
template gets the live machinery's context (session, audience, step), and
each region asks for what it shows, so live/ needs to know nothing of Q&A."""

from __future__ import annotations

import json
from typing import Any

from django import template

from .. import board

register = template.Library()


def _sort_asked(context) -> str:
    """The sort a no-script link asked for on the control view; a push
    carries no request: by votes, and the script re-sorts."""
    request = context.get("request")
    return board.sort_from(request.GET.get("qna_sort") if request is not None else None)


@register.simple_tag
def qna_phone_board(session) -> board.PhoneBoard:
    # By votes: the phone's page is one render for the room (the script
    # sorts it as the phone asked; without script, the list's pages do).
    return board.phone_board(session)


@register.simple_tag
def qna_shown_counts(session) -> str:
    return json.dumps(board.shown_counts(session), separators=(",", ":"))


@register.simple_tag(takes_context=True)
def qna_control_board(context, session) -> dict[str, Any]:
    return board.control_board(session, _sort_asked(context))


@register.simple_tag
def qna_screen_top(session) -> list:
    return board.screen_top(session)


@register.simple_tag
def qna_highlighted(session):
    return board.highlighted(session)


@register.filter
def language_name(code: str) -> str:
    return str(board.LANGUAGE_NAMES.get(code, code))
