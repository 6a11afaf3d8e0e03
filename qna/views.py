"""Q&A over HTTP: the phones' forms (which also work without JavaScript),
a phone's own questions, and the facilitator's moderation."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from workshop.errors import DomainError
from workshop.models import Participant
from workshop.views import _get_participant

from . import board, services


def _back_to_panel(code: str) -> HttpResponse:
    return redirect(reverse("workshop:participant", kwargs={"code": code}) + "#qna-panel")


def _participant_or_join(request: HttpRequest, code: str) -> Participant | HttpResponse:
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    return participant


@require_POST
def ask(request: HttpRequest, code: str) -> HttpResponse:
    participant = _participant_or_join(request, code)
    if isinstance(participant, HttpResponse):
        return participant
    try:
        services.ask_question(
            participant,
            request.POST.get("text", ""),
            anonymous=request.POST.get("anonymous") == "1",
            client_id=request.POST.get("client_id") or f"form-{uuid.uuid4()}",
        )
    except DomainError as error:
        messages.error(request, error.message)
    return _back_to_panel(code)


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    """Without JavaScript; the phones' script sends votes over the socket."""
    participant = _participant_or_join(request, code)
    if isinstance(participant, HttpResponse):
        return participant
    try:
        services.vote(
            participant,
            request.POST.get("question"),
            voted=request.POST.get("voted") != "0",
            client_id=f"form-{uuid.uuid4()}",
        )
    except DomainError as error:
        messages.error(request, error.message)
    return _back_to_panel(code)


@require_GET
def mine(request: HttpRequest, code: str) -> HttpResponse:
    """This phone's own questions and votes: never pushed to the room."""
    participant = _get_participant(request, code)
    if participant is None:
        return HttpResponse(status=403)
    with translation.override(participant.language):
        own = board.mine(participant)
        context = {**own, "session": participant.session, "voted_json": json.dumps(own["voted"])}
        response = render(request, "qna/participant/mine.html", context)
    response["Cache-Control"] = "no-store"
    return response
