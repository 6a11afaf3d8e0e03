"""Pages of the live room: the facilitator's dashboard and control view, the
projector screen, and the participant's join and phone pages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from live import hub
from live.audiences import CONTROL, SCREEN, Audience
from live.regions import audience_for_participant, people_page, region_context, render_regions

from . import identity, services
from .errors import DomainError
from .forms import GroupsForm, JoinForm, NewSessionForm
from .models import Participant, WorkshopSession, WorkshopTemplate

logger = logging.getLogger(__name__)

# --- access helpers -------------------------------------------------------------


def _get_session_for_facilitator(request: HttpRequest, public_id: UUID) -> WorkshopSession:
    session = get_object_or_404(
        WorkshopSession.objects.select_related("template", "current_step"), public_id=public_id
    )
    if not session.is_facilitated_by(request.user):
        raise PermissionDenied("Only the session's facilitators can open its control view.")
    return session


def _get_participant(request: HttpRequest, code: str) -> Participant | None:
    public_id = identity.participant_id_from_request(request, code)
    if public_id is None:
        return None
    return services.phone_participant(code, public_id)


def facilitator_action(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """POST-only facilitator action: checks access, turns domain errors into
    a message, and answers htmx with the fresh control regions."""

    @staff_member_required
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, public_id: UUID) -> HttpResponse:
        session = _get_session_for_facilitator(request, public_id)
        language_before = session.control_language
        try:
            changed_regions = view(request, session)
        except DomainError as error:
            with translation.override(session.control_language):
                return _control_error(request, session, error)
        if request.htmx:
            session.refresh_from_db()
            with translation.override(session.control_language):
                # A view may name the control regions it changed (a list); all otherwise.
                names = list(changed_regions) if isinstance(changed_regions, list) else None
                response = _control_regions_response(session, names=names)
            if session.control_language != language_before:
                # The page around the regions is in the old language: reload it.
                response["HX-Refresh"] = "true"
            return response
        return _back_from_form(request, session)

    return wrapper


def _back_from_form(request: HttpRequest, session: WorkshopSession) -> HttpResponse:
    """Where a form sent without script returns: the page it names in
    ``next`` (a paged list of the control view), if that is a page of this
    site; the control view otherwise. A link from elsewhere must not turn
    an action into a redirect to another site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("workshop:control", public_id=session.public_id)


def _control_regions_response(
    session: WorkshopSession, flash: str = "", names: list[str] | None = None
) -> HttpResponse:
    session.refresh_from_db()
    regions = render_regions(session, Audience(CONTROL, session.pk), names)
    html = "".join(region["html"] for region in regions)
    html += render_to_string("live/control/flash.html", {"flash": flash, "oob": True})
    return HttpResponse(html)


def _control_error(
    request: HttpRequest, session: WorkshopSession, error: DomainError
) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(
            render_to_string("live/control/flash.html", {"flash": error.message, "error": True})
        )
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "outerHTML"
        response.status_code = error.status
        return response
    messages.error(request, str(error.message))
    return _back_from_form(request, session)


# --- facilitator ------------------------------------------------------------------


@staff_member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    sessions = (
        (
            WorkshopSession.objects.filter(facilitator=request.user)
            | WorkshopSession.objects.filter(co_facilitators=request.user)
        )
        .distinct()
        .select_related("template")
    )
    return render(
        request,
        "workshop/dashboard.html",
        {
            "sessions": sessions,
            "form": NewSessionForm(),
            "templates": WorkshopTemplate.objects.all(),
        },
    )


@staff_member_required
@require_POST
def session_create(request: HttpRequest) -> HttpResponse:
    form = NewSessionForm(request.POST)
    if not form.is_valid():
        sessions = WorkshopSession.objects.filter(facilitator=request.user)
        return render(
            request, "workshop/dashboard.html", {"sessions": sessions, "form": form}, status=400
        )
    session = services.create_session(
        form.cleaned_data["template"],
        request.user,
        title=form.cleaned_data["title"],
        group_count=form.cleaned_data["group_count"] or 0,
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return redirect("workshop:control", public_id=session.public_id)


@staff_member_required
@require_GET
def control(request: HttpRequest, public_id: UUID) -> HttpResponse:
    session = _get_session_for_facilitator(request, public_id)
    with translation.override(session.control_language):
        context = region_context(session, Audience(CONTROL, session.pk))
        context["groups_form"] = GroupsForm.for_session(session)
        # The People panel's first page, searched as asked: it works without
        # JavaScript, its search form comes back here.
        context["people"] = _people_page(request, session)
        return _rendered(request, "workshop/control.html", context)


@staff_member_required
@require_GET
def room_people(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The People panel's list: a page of the room's participants. Fetched
    by the panel, never pushed: the room's push stays a summary."""
    session = _get_session_for_facilitator(request, public_id)
    with translation.override(session.control_language):
        context = {"session": session, "people": _people_page(request, session)}
        return _rendered(request, "workshop/people-list.html", context)


def _people_page(request: HttpRequest, session: WorkshopSession) -> dict[str, Any]:
    return people_page(session, request.GET.get("q", ""), request.GET.get("page", "1"))


@facilitator_action
def step_go(request: HttpRequest, session: WorkshopSession) -> list[str]:
    target = request.POST.get("to", "")
    if target in ("next", "previous"):
        services.move_by(session, 1 if target == "next" else -1, request.user)
    else:
        services.go_to_step(session, target, request.user)
    # Not the room: a step change leaves it as it was.
    return ["stage", "agenda"]


@facilitator_action
def session_start(request: HttpRequest, session: WorkshopSession) -> None:
    services.start_session(session, request.user)


@facilitator_action
def session_end(request: HttpRequest, session: WorkshopSession) -> None:
    services.end_session(session, request.user)


@facilitator_action
def joining_lock(request: HttpRequest, session: WorkshopSession) -> None:
    services.set_joining_locked(session, request.POST.get("locked") == "1", request.user)


@facilitator_action
def join_display(request: HttpRequest, session: WorkshopSession) -> None:
    services.set_join_display(session, request.user, request.POST.get("display", ""))


@facilitator_action
def groups_configure(request: HttpRequest, session: WorkshopSession) -> None:
    form = GroupsForm(request.POST)
    if not form.is_valid():
        raise DomainError("bad_groups", " ".join(e for errs in form.errors.values() for e in errs))
    names = services.parse_group_names(form.cleaned_data["groups"])
    services.configure_groups(session, request.user, names=names, mode=form.cleaned_data["mode"])


@facilitator_action
def participant_move(request: HttpRequest, session: WorkshopSession) -> None:
    services.move_participant(
        session, request.POST.get("participant"), request.POST.get("group") or None, request.user
    )


@facilitator_action
def languages_set(request: HttpRequest, session: WorkshopSession) -> None:
    services.set_languages(
        session,
        request.user,
        screen=request.POST.get("screen", ""),
        control=request.POST.get("control", ""),
    )


# --- projector ------------------------------------------------------------------


@require_GET
def screen(request: HttpRequest, public_id: UUID) -> HttpResponse:
    # The unguessable public id is the key: the projector may be another device.
    session = get_object_or_404(
        WorkshopSession.objects.select_related("template", "current_step"), public_id=public_id
    )
    with translation.override(session.screen_language):
        context = region_context(session, Audience(SCREEN, session.pk))
        return _rendered(request, "workshop/screen.html", context)


# --- participants ----------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workshop/join.html", {"form": JoinForm()})


def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """The join page; ``/j/CODE`` is the short link the QR code holds."""
    code = services.normalise_code(code)
    if request.method == "GET":
        if code and _get_participant(request, code):
            return redirect("workshop:participant", code=code)
        return _join_page(request, code)
    form = JoinForm(request.POST)
    if not form.is_valid():
        return render(request, "workshop/join.html", {"form": form}, status=400)
    code = services.normalise_code(form.cleaned_data["code"])
    existing = _get_participant(request, code)
    if existing is not None:  # already joined on this phone: same participant again
        return redirect("workshop:participant", code=code)
    if _too_many_wrong_codes(request):
        form.add_error(
            None, _("Too many wrong codes from this network. Wait a few minutes, then try again.")
        )
        return render(request, "workshop/join.html", {"form": form}, status=429)
    try:
        participant = services.join_session(
            code,
            nickname=form.cleaned_data["nickname"],
            language=get_language_from_request(request) or "en",
        )
    except DomainError as error:
        if error.code == "unknown_code":
            _count_wrong_code(request)
        form.add_error("nickname" if error.code.startswith("nickname") else "code", error.message)
        return render(request, "workshop/join.html", {"form": form}, status=error.status)
    # The phone's page in the response itself, not a redirect to it: one
    # request less for every phone of a room that joins at once (live.js
    # puts the page's own address in the address bar, so a reload is a GET).
    code = participant.session.code
    taken = _freshness_before_reading(code)
    joined = services.phone_participant(code, participant.public_id)
    response = _phone_page(request, joined, taken, head=_page_address_without_script(code))
    identity.set_participant_cookie(response, code, participant.public_id)
    return response


# Stands for the CSRF token in a join page kept in the cache.
_TOKEN_SLOT = "csrf-token-slot-" + "x" * 48
JOIN_PAGE_SECONDS = 60


def _join_page(request: HttpRequest, code: str) -> HttpResponse:
    """The empty join form. A whole room opens it within seconds of the QR
    code going up, and it is the same page for everyone who reads a
    language, but for the CSRF token: rendered once per language and code,
    kept a minute, and each request's own token put in (the page render was
    the costliest part of a join in the join storm, docs/performance.md)."""
    if request.GET:  # the language switch sends the full path back: only cache plain links
        return render(request, "workshop/join.html", {"form": JoinForm(initial={"code": code})})
    key = f"join-page:{translation.get_language()}:{code}"
    html = _cached_or(key, lambda: _render_join_page(request, code))
    response = HttpResponse(html.replace(_TOKEN_SLOT, get_token(request)))
    response["Content-Language"] = translation.get_language()
    return response


def _render_join_page(request: HttpRequest, code: str) -> str:
    context = {"form": JoinForm(initial={"code": code}), "csrf_token": _TOKEN_SLOT}
    return render_to_string("workshop/join.html", context, request)


def _cached_or(key: str, render_page: Callable[[], str]) -> str:
    """The cached text, or a fresh render kept for JOIN_PAGE_SECONDS. The
    cache is Redis on the scale-out set-up: while it is away, pages render."""
    try:
        html = cache.get(key)
    except Exception as error:
        logger.warning("cache unavailable, rendering the page: %r", error)
        return render_page()
    if html is None:
        html = render_page()
        try:
            cache.set(key, html, JOIN_PAGE_SECONDS)
        except Exception as error:
            logger.warning("cache unavailable, page not kept: %r", error)
    return html


@require_GET
def participant_page(request: HttpRequest, code: str) -> HttpResponse:
    taken = _freshness_before_reading(code)
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    if participant.session.is_ended:  # nothing live any more: what they keep
        return redirect("reports:takeaway", code=code)
    return _phone_page(request, participant, taken)


def _freshness_before_reading(code: str) -> tuple[int | None, str]:
    """Hub.freshness_before_reading, where a hub serves sockets."""
    serving = hub.serving_hub()
    return serving.freshness_before_reading(code) if serving is not None else (None, "")


def _page_address_without_script(code: str) -> str:
    """For a browser without script (live.js sets the address otherwise):
    on to the page's own address, so that a reload does not send the join
    form again."""
    url = reverse("workshop:participant", kwargs={"code": code})
    return format_html('<noscript><meta http-equiv="refresh" content="0; url={}"></noscript>', url)


def _phone_page(
    request: HttpRequest,
    participant: Participant,
    taken: tuple[int | None, str],
    head: str = "",
) -> HttpResponse:
    """The phone's page. ``taken``: the session and freshness token taken
    before ``participant`` was read (Hub.freshness_before_reading), so the
    token covers everything the page shows; ``head``: markup for its head
    (HTML, trusted)."""
    session = participant.session
    audience = audience_for_participant(participant)
    serving = hub.serving_hub()
    fresh = taken[1] if taken[0] == session.pk else ""
    if serving is not None:  # for the socket the page opens next (HandedOver)
        serving.handed_over.put(session.code, participant, fresh)
    with translation.override(participant.language):
        if serving is None or len(messages.get_messages(request)):
            # A message is for this phone alone (len() leaves it unread).
            context = region_context(session, audience, participant)
            context["fresh"] = fresh
            html = render_to_string("workshop/participant.html", context, request)
            return _page_response(html.replace(_HEAD_SLOT, head, 1))
        # A whole room loads this page within seconds, and everyone of a
        # group and language sees the same page but for their own header
        # and CSRF token: the rest is rendered once per view of the session
        # (the costliest part of a join storm, docs/performance.md).
        shell = serving.shared_render(
            session,
            audience,
            participant,
            "page",
            lambda: _render_phone_shell(session, audience, participant, fresh),
        )
        header = _phone_header(serving, session, audience, participant)
        html = shell.replace(_ME_SLOT, header).replace(_HEAD_SLOT, head, 1)
        return _page_response(html.replace(_TOKEN_SLOT, get_token(request)))


def _page_response(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["Content-Language"] = translation.get_language()
    return response


_ME_SLOT = "phone-header-slot-" + "x" * 32
_HEAD_SLOT = "<!-- phone-head -->"  # in the page's head, for _phone_page's ``head``


def _render_phone_shell(session, audience, participant, fresh: str) -> str:
    """The phone's page with slots for its header and its CSRF token."""
    context = region_context(session, audience, participant)
    context.update(fresh=fresh, me_slot=_ME_SLOT, csrf_token=_TOKEN_SLOT)
    return render_to_string("workshop/participant.html", context)


def _phone_header(serving, session, audience, participant) -> str:
    """The participant's own region, rendered once per view (Hub.me_region)."""
    version = time.time_ns() // 1000
    return serving.me_region(session, audience, participant, version, csrf_token=_TOKEN_SLOT)


@require_POST
def participant_group(request: HttpRequest, code: str) -> HttpResponse:
    return _participant_action(
        request, code, lambda p: services.choose_group(p, request.POST.get("group"))
    )


@require_POST
def participant_language(request: HttpRequest, code: str) -> HttpResponse:
    """The whole page, chrome included, comes back in the new language: a
    redirect, or for htmx (whose CSRF header also covers forms that a push
    rendered without a token) a full refresh. The cookie makes the choice the
    default for next time."""
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    language = request.POST.get("language", "")
    try:
        services.set_participant_language(participant, language)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("workshop:participant", code=code)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
    else:
        response = redirect("workshop:participant", code=code)
    _remember_language(response, language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _rendered(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render now, under the active language override, not lazily later."""
    response = render(request, template, context)
    response["Content-Language"] = translation.get_language()
    return response


def _participant_action(
    request: HttpRequest, code: str, action: Callable[[Participant], Any]
) -> HttpResponse:
    participant = _get_participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", code=code)
    try:
        action(participant)
    except DomainError as error:
        messages.error(request, error.message)
    if request.htmx:
        participant.refresh_from_db()
        regions = render_regions(
            participant.session, audience_for_participant(participant), None, participant
        )
        return HttpResponse("".join(r["html"] for r in regions))
    return redirect("workshop:participant", code=code)


# --- rate limiting wrong join codes ------------------------------------------------


def _client_key(request: HttpRequest) -> str:
    # Kept in the cache only, never in the app's tables.
    return "joinfail:" + client_address(request)


def client_address(request: HttpRequest) -> str:
    """Where a request came from. Behind one of TRUSTED_PROXIES, the nearest
    address in X-Forwarded-For that is not one of them; otherwise the
    connection's own: a header anyone can send is not believed, or a guesser
    would name a new address for every try."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    trusted = settings.TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for address in reversed([a.strip() for a in forwarded if a.strip()]):
        if address not in trusted:
            return address
    return remote


def _too_many_wrong_codes(request: HttpRequest) -> bool:
    try:
        return (cache.get(_client_key(request)) or 0) >= settings.JOIN_RATE_LIMIT
    except Exception as error:
        # The cache is Redis on the scale-out set-up. While it is away, a
        # limiter that refused everyone would keep the whole room out.
        logger.warning("join rate limit unavailable, not enforced: %r", error)
        return False


def _count_wrong_code(request: HttpRequest) -> None:
    key = _client_key(request)
    try:
        if cache.add(key, 1, timeout=settings.JOIN_RATE_WINDOW):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.JOIN_RATE_WINDOW)
    except Exception as error:
        logger.warning("join rate limit unavailable, wrong code not counted: %r", error)


def participant_url(code: str) -> str:
    return reverse("workshop:participant", kwargs={"code": code})
