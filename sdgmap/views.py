"""The exercise's HTTP side: the facilitator's actions (htmx POSTs that also
work as plain forms), the participant's no-JavaScript card form, and the SDG
colours as a stylesheet (colours are editable in the admin; CSP allows no
inline styles)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from workshop.errors import DomainError
from workshop.models import WorkshopSession
from workshop.views import _get_participant, facilitator_action

from . import services
from .models import CardEdit, Goal, Target


@facilitator_action
def exercise_start(request: HttpRequest, session: WorkshopSession) -> None:
    services.start_exercise(
        session,
        request.user,
        allocation=request.POST.get("allocation", ""),
        minutes=request.POST.get("minutes") or 0,
    )


@facilitator_action
def exercise_close(request: HttpRequest, session: WorkshopSession) -> None:
    services.close_exercise(session, request.user)


@facilitator_action
def exercise_more_time(request: HttpRequest, session: WorkshopSession) -> None:
    services.add_time(session, request.user, 5)


@facilitator_action
def exercise_reveal(request: HttpRequest, session: WorkshopSession) -> None:
    services.reveal_reference(session, request.user)


@facilitator_action
def exercise_spotlight(request: HttpRequest, session: WorkshopSession) -> None:
    services.set_spotlight(session, request.user, request.POST.get("sdg") or None)


@facilitator_action
def exercise_hide(request: HttpRequest, session: WorkshopSession) -> None:
    services.set_reasoning_hidden(
        session, request.user, request.POST.get("card"), request.POST.get("hidden") == "1"
    )


@require_POST
def card_save(request: HttpRequest, code: str) -> HttpResponse:
    """A card saved as a plain form (no JavaScript, or a socket that is down)."""
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    try:
        results = services.save_card_form(
            participant,
            sdg=request.POST.get("sdg"),
            rating=request.POST.get("rating", ""),
            targets=request.POST.getlist("targets"),
            reasoning=request.POST.get("reasoning", ""),
            base_version=request.POST.get("base_version"),
            step_id=request.POST.get("step"),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        conflict = next((r for r in results if r["outcome"] == CardEdit.Outcome.CONFLICT), None)
        if conflict:
            messages.warning(
                request,
                _(
                    "%(who)s changed the reasoning meanwhile; yours is kept in the history. "
                    "Theirs: “%(text)s”"
                )
                % {
                    "who": conflict["changed_by"] or _("A teammate"),
                    "text": conflict["current_text"],
                },
            )
    return redirect("workshop:participant", code=code)


@require_GET
@cache_control(max_age=60, public=True)
def colours_css(request: HttpRequest) -> HttpResponse:
    css = render_to_string("sdgmap/colours.css", {"goals": Goal.objects.all()})
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_GET
@cache_control(max_age=300, public=True)
def target_texts(request: HttpRequest, lang: str) -> JsonResponse:
    """Every target's description in one language: pushed cards carry only
    the codes, and the phone fills the descriptions in from this."""
    if lang not in {code for code, _name in settings.LANGUAGES}:
        raise Http404("Unknown language.")
    with translation.override(lang):
        texts = {t.code: t.description for t in Target.objects.all()}
    return JsonResponse(texts)
