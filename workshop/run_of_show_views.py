"""The run-of-show editor: a template's steps in order, moved, inserted,
deleted and previewed by staff who may edit templates.

Every action is a POST form that works without JavaScript (it redirects
back to the editor, or shows the page again with the error); with htmx
it answers with the list alone. An error changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from live.audiences import PARTICIPANT, SCREEN

from . import previews, run_of_show
from .errors import DomainError
from .middleware import CONTENT_SECURITY_POLICY
from .models import Step, WorkshopSession, WorkshopTemplate

EDIT_PERMISSION = "workshop.change_workshoptemplate"


def _get_template_for_editor(request: HttpRequest, slug: str) -> WorkshopTemplate:
    # The permission first: a refused user learns nothing of which slugs exist.
    if not request.user.has_perm(EDIT_PERMISSION):
        raise PermissionDenied("Only staff who may edit templates can edit a run of show.")
    return get_object_or_404(WorkshopTemplate, slug=slug)


def _get_step_for_editor(request: HttpRequest, slug: str, step_id: int) -> Step:
    template = _get_template_for_editor(request, slug)
    return get_object_or_404(
        Step.objects.select_related("template", "question"), pk=step_id, template=template
    )


# --- the page -------------------------------------------------------------------


@staff_member_required
@require_GET
def editor(request: HttpRequest, slug: str) -> HttpResponse:
    template = _get_template_for_editor(request, slug)
    return _editor_response(request, template, focus=request.GET.get("focus", ""))


def _editor_response(
    request: HttpRequest,
    template: WorkshopTemplate,
    *,
    status: int = 200,
    error: str = "",
    done: str = "",
    focus: object = "",
    focus_button: str = "",
    insert: dict[str, Any] | None = None,
) -> HttpResponse:
    """The whole page, or for htmx the list alone (its stable id is the
    swap target); ``insert`` keeps a refused insert form's values."""
    app_kinds = run_of_show.app_insert_kinds()
    context: dict[str, Any] = {
        "template": template,
        "steps": _steps(template),
        "questions": list(run_of_show.questions_for(template)),
        "kinds": [(kind, Step.Kind(kind).label) for kind in run_of_show.insertable_kinds()],
        # The apps' kinds add fields to every insert form.
        "insert_fields": [spec.fields_template for spec in app_kinds],
        "error": error,
        "done": done,
        "focus": str(focus),
        "focus_button": focus_button,
        # After: None, no insert form is open (the first one's is "").
        "insert": insert or {"after": None},
    }
    for spec in app_kinds:
        context.update(spec.context(template))
    name = "workshop/run-of-show/list.html" if request.htmx else "workshop/run-of-show/page.html"
    return render(request, name, context, status=status)


def _steps(template: WorkshopTemplate) -> list[Step]:
    """The steps in order, each marked when an open session is on it now."""
    steps = list(template.ordered_steps().select_related("question"))
    on_now = set(
        WorkshopSession.objects.filter(template=template)
        .exclude(status=WorkshopSession.Status.ENDED)
        .values_list("current_step_id", flat=True)
    )
    for step in steps:
        step.is_on_now = step.pk in on_now
    return steps


# --- actions ----------------------------------------------------------------------

Action = Callable[[HttpRequest, WorkshopTemplate], tuple[str, object, str]]


def editor_action(view: Action) -> Callable[[HttpRequest, str], HttpResponse]:
    """A POST of the editor: checks access, turns a domain error into the
    page (or list) with the message, and after a change redirects back to
    the editor, or answers htmx with the list. ``view`` returns what to say,
    the step to focus and, for buttons, which of its buttons to focus."""

    @staff_member_required
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        template = _get_template_for_editor(request, slug)
        try:
            done, focus, focus_button = view(request, template)
        except DomainError as error:
            # A refused insert form comes back filled in, at its place.
            return _editor_response(
                request,
                template,
                status=error.status,
                error=str(error.message),
                insert=request.POST.dict() if "kind" in request.POST else None,
            )
        if request.htmx:
            return _editor_response(
                request, template, done=done, focus=focus, focus_button=focus_button
            )
        messages.success(request, done)
        url = reverse("workshop:run_of_show", kwargs={"slug": template.slug})
        return redirect(f"{url}?focus={focus}#step-{focus}" if focus else url)

    return wrapper


MOVES = {"up": -1, "down": 1}


@editor_action
def move(request: HttpRequest, template: WorkshopTemplate) -> tuple[str, object, str]:
    """``to``: "up", "down", or a position (1..n) for drag and drop. Focus
    follows the step: to the button pressed, or (keyboard, drag) its row."""
    to = request.POST.get("to", "")
    step_id = request.POST.get("step")
    if to in MOVES:
        step = run_of_show.move_step_by(template, step_id, MOVES[to])
    else:
        step = run_of_show.move_step(template, step_id, to)
    message = _("Moved “%(title)s” to position %(position)d.")
    button = to if to in MOVES and request.POST.get("via") != "keyboard" else ""
    return message % {"title": step.title, "position": step.position}, step.pk, button


@editor_action
def insert(request: HttpRequest, template: WorkshopTemplate) -> tuple[str, object, str]:
    post = request.POST
    step = run_of_show.insert_step(
        template,
        after=post.get("after"),
        kind=post.get("kind", ""),
        title=post.get("title", ""),
        body=post.get("body", ""),
        question_id=post.get("question"),
        values=post,
    )
    message = _("Inserted “%(title)s” at position %(position)d.")
    return message % {"title": step.title, "position": step.position}, step.pk, ""


@editor_action
def delete(request: HttpRequest, template: WorkshopTemplate) -> tuple[str, object, str]:
    # The list's Delete opens the confirmation page (or, with htmx, asks in
    # a dialog): a POST without its answer deletes nothing.
    if request.POST.get("confirm") != "yes":
        raise DomainError("not_confirmed", _("Confirm that the step is to be deleted."))
    title = run_of_show.delete_step(template, request.POST.get("step"))
    return _("Deleted “%(title)s”.") % {"title": title}, "", ""


@staff_member_required
@require_GET
def delete_confirm(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    """The question a delete asks first, as a page: no JavaScript needed."""
    step = _get_step_for_editor(request, slug, step_id)
    return render(
        request, "workshop/run-of-show/delete.html", {"step": step, "template": step.template}
    )


# --- preview ----------------------------------------------------------------------


@staff_member_required
@require_GET
def preview(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    """The step as the projector (1920x1080, scaled) and a phone (390 px)
    show it, each in a frame of its own page."""
    step = _get_step_for_editor(request, slug, step_id)
    language = previews.language_asked(request, translation.get_language() or "en")
    moment = previews.moment_asked(request, step)
    steps = list(step.template.ordered_steps().only("id", "position"))
    index = [s.pk for s in steps].index(step.pk)
    context = {
        "step": step,
        "template": step.template,
        "language": language,
        "languages": previews.LANGUAGE_CODES,
        "moment": moment,
        "moments": previews.moments_of(step),
        "previous": steps[index - 1] if index > 0 else None,
        "next": steps[index + 1] if index + 1 < len(steps) else None,
        "screen": SCREEN,
        "phone": PARTICIPANT,
    }
    return render(request, "workshop/run-of-show/preview.html", context)


@staff_member_required
@require_GET
@xframe_options_sameorigin
def preview_frame(request: HttpRequest, slug: str, step_id: int, audience: str) -> HttpResponse:
    """What goes in one frame of the preview: the real step templates."""
    step = _get_step_for_editor(request, slug, step_id)
    if audience not in previews.AUDIENCES:
        audience = SCREEN
    with translation.override(previews.language_asked(request)):
        context = {"step": step, "audience": audience, "screen": SCREEN}
        moment = previews.moment_asked(request, step)
        context["stage"] = previews.render_stage(request, step, audience, moment)
        response = render(request, "workshop/run-of-show/frame.html", context)
    # Framed by the editor's own preview page only.
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    response["Content-Security-Policy"] = policy
    return response
