"""The facilitator's quiz controls and the phones' no-JavaScript answer form."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workshop.errors import DomainError
from workshop.models import Step, WorkshopSession
from workshop.views import _get_participant, facilitator_action

from . import results, sdg_tiles, services
from .models import Question, QuestionRun


@facilitator_action
def quiz_control(request: HttpRequest, session: WorkshopSession) -> None:
    action = request.POST.get("do", "")
    user = request.user
    if action == "open":
        services.open_question(session, user, timer_seconds=_timer(request.POST.get("timer")))
    elif action == "close":
        services.close_question(session, user)
    elif action == "reveal":
        services.reveal_question(session, user)
    elif action in ("show-results", "hide-results"):
        services.set_results_shown(session, user, action == "show-results")
    elif action in ("show-leaderboard", "hide-leaderboard"):
        services.set_leaderboard_shown(session, user, action == "show-leaderboard")
    elif action in ("speed-on", "speed-off"):
        services.set_speed_bonus(session, user, action == "speed-on")
    elif action == "add-time":
        services.add_time(session, user)
    elif action == "pause":
        services.pause_countdown(session, user)
    elif action == "resume":
        services.resume_countdown(session, user)
    elif action in ("lock", "unlock"):
        services.set_answers_locked(session, user, action == "lock")
    else:
        raise DomainError("bad_action", _("Unknown quiz action."))


def _timer(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise DomainError("bad_timer", _("Choose a timer between 1 second and an hour.")) from None


@facilitator_action
def moderate(request: HttpRequest, session: WorkshopSession) -> None:
    services.moderate_answer(
        session, request.user, request.POST.get("answer"), action=request.POST.get("do", "")
    )


@require_POST
def answer(request: HttpRequest, code: str) -> HttpResponse:
    """Without JavaScript: the phone's form posts here, then shows the page again."""
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    value = _form_value(request)
    try:
        services.submit_answer(
            participant.pk,
            participant.session_id,
            request.POST.get("run"),
            value,
            request.POST.get("client_id") or f"form-{uuid.uuid4()}",
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("workshop:participant", code=code)
    messages.success(request, _("Your answer is in."))
    return redirect("workshop:participant", code=code)


def _form_value(request: HttpRequest):
    """The answer as the service takes it. A ranking sends each option's
    place (rank-<id>), points each option's share (points-<id>): both as a
    mapping of choice id to number. Otherwise one field value is a choice
    (the service takes it as a list of one), a number or a text, and several
    are the boxes ticked of a multiple choice."""
    for prefix in ("rank-", "points-"):
        fields = {k[len(prefix) :]: v for k, v in request.POST.items() if k.startswith(prefix)}
        if fields:
            return fields
    values = request.POST.getlist("value")
    return values[0] if len(values) == 1 else values


@staff_member_required
@require_GET
def preview(request: HttpRequest, question_id: int) -> HttpResponse:
    """How a question shows on a phone while open, and on the projector at
    the reveal, with made-up answers: for the admin, before any workshop."""
    question = get_object_or_404(Question, pk=question_id)
    choices = list(question.choices.all())
    session = WorkshopSession(code="PREVIEW", title="Preview")
    run = QuestionRun(question=question, state=QuestionRun.State.OPEN)
    base = {
        "question": question,
        "choices": choices,
        "run": run,
        "has_correct": question.has_correct_answer(choices),
        "correct_json": json.dumps(services.correct_value(question, choices)),
        "tiles": sdg_tiles.tiles() if question.kind == Question.Kind.SDG else (),
        "scale_values": list(range(question.scale_min, question.scale_max + 1)),
        "places": list(range(1, len(choices) + 1)),
        "tally": results.sample_tally(question, choices),
    }
    context = {
        "question": question,
        "session": session,
        "step": Step(title=question.quiz.title if question.quiz else question.key),
        "phone_quiz": {**base, "state": "open", "accepting": True, "revealed": False},
        "screen_quiz": {**base, "state": "revealed", "accepting": False, "revealed": True},
    }
    return render(request, "quizzes/preview.html", context)
