"""Q&A over HTTP: the phones' forms (which also work without JavaScript),
a phone's own questions, and the facilitator's moderation."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from workshop.errors import DomainError
from workshop.models import Participant, WorkshopSession
from workshop.views import _get_participant, _get_session_for_facilitator, facilitator_action

from . import board, services


def _back_to_panel(code: str) -> HttpResponse:
    return redirect(reverse("workshop:participant", kwargs={"code": code}) + "#qna-panel")


def _back_from_vote(request: HttpRequest, code: str) -> HttpResponse:
    """A vote from a page of the list goes back to that page, else to the panel."""
    if "back_page" not in request.POST:
        return _back_to_panel(code)
    query = urlencode(
        {
            "state": _public_state(request.POST.get("back_state")),
            "qna_sort": board.sort_from(request.POST.get("back_sort")),
            "page": board.page_number(request.POST.get("back_page")),
        }
    )
    return redirect(f"{reverse('qna:questions', kwargs={'code': code})}?{query}")


PUBLIC_STATES = ("shown", "answered")


def _public_state(raw) -> str:
    return raw if raw in PUBLIC_STATES else "shown"


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
    return _back_from_vote(request, code)


@require_GET
def questions(request: HttpRequest, code: str) -> HttpResponse:
    """The room's shown or answered questions, a page at a time: what the
    panel's pushes leave out once there are many, and a page that needs no
    script."""
    participant = _participant_or_join(request, code)
    if isinstance(participant, HttpResponse):
        return participant
    session = participant.session
    state = _public_state(request.GET.get("state"))
    sort = board.sort_from(request.GET.get("qna_sort"))
    with translation.override(participant.language):
        page = board.page_of(board.public_list(session, state, sort), request.GET.get("page"))
        context = {
            "session": session,
            "page": page,
            "state": state,
            "sort": sort,
            "votable": state == "shown" and services.settings_for(session).enabled,
            "voted_ids": set(participant.qna_votes.values_list("question_id", flat=True)),
            "back_page": page.number,
        }
        response = render(request, "qna/participant/list.html", context)
    response["Cache-Control"] = "no-store"
    return response


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


# --- the facilitator ---------------------------------------------------------------

ACTIONS = {
    "approve": services.approve,
    "reject": services.reject,
    "highlight": services.highlight,
    "answer": services.mark_answered,
    "delete": services.delete_question,
}


def moderate_with(session: WorkshopSession, user, data) -> None:
    """One moderation request, from a form or a socket message alike."""
    action = data.get("do", "")
    if action in ACTIONS:
        ACTIONS[action](session, user, data.get("question"))
    elif action == "reply":
        services.set_reply(session, user, data.get("question"), data.get("text", ""))
    elif action == "dismiss":
        services.dismiss_highlight(session, user)
    elif action == "options":
        services.set_options(
            session,
            user,
            enabled=_switch(data.get("enabled")),
            moderated=_switch(data.get("moderated")),
            anonymous_allowed=_switch(data.get("anonymous_allowed")),
        )
    else:
        raise DomainError("bad_action", "Unknown Q&A action.")


def _switch(raw) -> bool | None:
    """On ("1", true) or off ("0", false); anything else leaves the switch as it was."""
    if raw in ("1", True, 1):
        return True
    if raw in ("0", False, 0):
        return False
    return None


CONTROL_STATES = ("pending", "shown", "answered", "rejected")


@staff_member_required
@require_GET
def control_list(request: HttpRequest, public_id) -> HttpResponse:
    """One of the control view's lists whole, a page at a time: the queue's
    push carries only the first of each."""
    session = _get_session_for_facilitator(request, public_id)
    state = request.GET.get("state")
    if state not in CONTROL_STATES:
        state = "pending"
    sort = board.sort_from(request.GET.get("qna_sort"))
    with translation.override(session.control_language):
        page = board.page_of(board.control_list(session, state, sort), request.GET.get("page"))
        context = {"session": session, "page": page, "state": state, "sort": sort}
        return render(request, "qna/control/list.html", context)


@facilitator_action
def moderate(request: HttpRequest, session: WorkshopSession) -> list[str]:
    moderate_with(session, request.user, request.POST)
    return ["qna"]
