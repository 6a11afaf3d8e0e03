"""Live regions: the parts of a page that change while a session runs.

A region is one template that renders one element with a stable id. The same
template serves the full page load, the snapshot a socket gets when it
connects, and every push, so all three always agree.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.db.models.functions import Lower
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from workshop import step_kinds
from workshop.models import Group, Participant, Step, WorkshopSession
from workshop.services import NICKNAME_MAX_LENGTH

from . import presence
from .audiences import (
    CONTROL,
    PARTICIPANT,
    REGION_TEMPLATES,
    SCREEN,
    STEPLESS_REGIONS,
    Audience,
    regions_of,
)


@dataclass
class RenderTarget:
    """What a template needs to know about who it renders for."""

    session: WorkshopSession
    audience: Audience
    step: Step | None
    group: Group | None = None
    # Only for a single socket's snapshot or a page load, never for a broadcast.
    participant: Participant | None = None


def audience_for_participant(participant: Participant) -> Audience:
    return Audience(PARTICIPANT, participant.session_id, participant.group_id, participant.language)


def render_regions(
    session: WorkshopSession,
    audience: Audience,
    names: list[str] | None = None,
    participant: Participant | None = None,
) -> list[dict[str, Any]]:
    """Render regions for one audience, as ``{"id", "v", "html"}`` dicts."""
    # Taken before reading anything: a later version never shows older data.
    version = time.time_ns() // 1000
    names = names if names is not None else regions_of(audience.kind)
    # The step kinds' context functions build text too (tally labels, SDG
    # names): they run in the audience's language, like the templates.
    # A phone's own region reads nothing of the step: no step context for it
    # alone (a snapshot renders it once per phone; the stage is shared).
    with_step = not set(names) <= STEPLESS_REGIONS.get(audience.kind, set())
    with translation.override(_language_for(session, audience)):
        context = _base_context(session, audience, participant, version, with_step=with_step)
        return [
            {
                "id": name,
                "v": version,
                "html": render_to_string(REGION_TEMPLATES[(audience.kind, name)], context),
            }
            for name in names
            if (audience.kind, name) in REGION_TEMPLATES
        ]


def region_context(
    session: WorkshopSession,
    audience: Audience,
    participant: Participant | None = None,
    *,
    with_step: bool = True,
) -> dict[str, Any]:
    """The context that full page templates use to include their regions;
    ``with_step=False`` for a part that reads nothing of the step
    (STEPLESS_REGIONS), which saves the step's queries."""
    return _base_context(
        session, audience, participant, time.time_ns() // 1000, with_step=with_step
    )


# Stand for the nickname and the version in a phone's own region when it is
# rendered once for a whole view of the session (Hub.me_region): the
# template reads nothing else of the participant but its language, which is
# the audience's.
NICKNAME_SLOT = "me-nickname-slot-" + "x" * 32
VERSION_SLOT = "me-version-slot"
SEED_SLOT = "me-seed-slot"


def render_me_with_slots(
    session: WorkshopSession,
    audience: Audience,
    participant: Participant,
    csrf_token: str | None = None,
) -> str:
    """The ``me`` region of anyone of this participant's view, with slots
    for the nickname and the version (fill_me puts them in)."""
    stand_in = copy.copy(participant)
    stand_in.nickname = NICKNAME_SLOT
    with translation.override(_language_for(session, audience)):
        context = _base_context(session, audience, stand_in, VERSION_SLOT, with_step=False)
        if csrf_token is not None:
            context["csrf_token"] = csrf_token
        context["shuffle_seed"] = SEED_SLOT
        return render_to_string(REGION_TEMPLATES[(PARTICIPANT, "me")], context)


def fill_me(shared_html: str, participant: Participant, version: int) -> str:
    return (
        shared_html.replace(NICKNAME_SLOT, escape(participant.nickname))
        .replace(VERSION_SLOT, str(version))
        .replace(SEED_SLOT, participant.shuffle_seed)
    )


def _language_for(session: WorkshopSession, audience: Audience) -> str:
    if audience.kind == SCREEN:
        return session.screen_language
    if audience.kind == CONTROL:
        return session.control_language
    return audience.language


# What apps add to the context of every step, whatever its kind (the slides
# app: the next step's slide, which a screen fetches ahead from any step).
StepContextFn = Callable[[RenderTarget], dict[str, Any]]
_STEP_CONTEXTS: list[StepContextFn] = []


def register_step_context(context: StepContextFn) -> None:
    _STEP_CONTEXTS.append(context)


def _base_context(
    session: WorkshopSession,
    audience: Audience,
    participant: Participant | None,
    version: int,
    *,
    with_step: bool = True,
) -> dict[str, Any]:
    step = session.current_step
    group = audience_group(session, audience, participant)
    target = RenderTarget(session, audience, step, group, participant)
    kind = step_kinds.get(step.kind if step else "lobby")
    context: dict[str, Any] = {
        "session": session,
        "audience": audience,
        "step": step,
        "group": group,
        "participant": participant,
        # The seed of the orders shown to this participant alone (quizzes.shuffle).
        "shuffle_seed": participant.shuffle_seed if participant else "",
        "region_version": version,
        "step_template": kind.template_for(audience.kind),
        "steps": _steps_with_state(session) if audience.kind == CONTROL and with_step else None,
        # Lazy: computed only if a region being rendered reads it. The room
        # summary costs a few counting queries; the stage and the agenda
        # never need it.
        "counts": (
            SimpleLazyObject(lambda: presence.connected_counts(session))
            if audience.kind != PARTICIPANT
            else None
        ),
    }
    if audience.kind == CONTROL:
        context["room"] = SimpleLazyObject(lambda: _room_overview(session))
        if with_step:
            context["step_next"] = _next_step(context["steps"], step)
    if with_step and step is not None:
        for add_context in _STEP_CONTEXTS:
            context.update(add_context(target))
    if kind.context and with_step:
        context.update(kind.context(target))
    return context


def audience_group(
    session: WorkshopSession, audience: Audience, participant: Participant | None
) -> Group | None:
    if not audience.group_id:
        return None
    if (
        participant is not None
        and participant.group_id == audience.group_id
        and Participant.group.is_cached(participant)
    ):
        return participant.group  # loaded with the participant: no query
    return next((g for g in session.groups.all() if g.pk == audience.group_id), None)


def _next_step(steps: list[Step], current: Step | None) -> Step | None:
    ids = [s.pk for s in steps]
    if current is None or current.pk not in ids:
        return steps[0] if steps else None
    index = ids.index(current.pk)
    return steps[index + 1] if index + 1 < len(steps) else None


def _room_overview(session: WorkshopSession) -> dict[str, Any]:
    """Who is in the room, for the control view: counts per group, never a
    row per participant. It is pushed at every join and every phone that
    wakes or sleeps, so it stays the same size whatever the room size (a list
    of 1,200 passed the 1 MiB websocket message limit). The People panel
    lists the participants themselves, a page at a time: ``people_page``."""
    counts = presence.connected_counts(session)
    members = dict(session.participants.order_by().values_list("group_id").annotate(n=Count("id")))
    rows = [
        {
            "group": group,
            "members": members.get(group.pk, 0),
            "connected": counts.for_group(group.pk),
        }
        for group in session.groups.all()
    ]
    if members.get(None):
        rows.append({"group": None, "members": members[None], "connected": counts.for_group(None)})
    return {"rows": rows, "connected": counts.total, "joined": sum(members.values())}


PEOPLE_PAGE_SIZE = 50


def people_page(session: WorkshopSession, query: str = "", page: str | int = 1) -> dict[str, Any]:
    """One page of the room's participants for the control view's People
    panel, by nickname, searched by nickname: a count and 50 rows whatever
    the room size. A page number that is not one, or lies outside the pages
    there are, gives the nearest page there is."""
    query = query.strip()[:NICKNAME_MAX_LENGTH]
    people = session.participants.order_by(Lower("nickname"), "id")
    if query:
        people = people.filter(nickname__icontains=query)
    total = people.count()
    pages = max(1, -(-total // PEOPLE_PAGE_SIZE))
    number = min(max(_page_number(page), 1), pages)
    start = (number - 1) * PEOPLE_PAGE_SIZE
    members = list(people[start : start + PEOPLE_PAGE_SIZE])
    connected = presence.connected_participant_ids(session, among=[p.pk for p in members])
    groups = list(session.groups.all())
    by_id: dict[int | None, Group] = {g.pk: g for g in groups}
    # The move menu: rendered once per group on the page, not once per member
    # (once per member made 1,000 members cost 0.5 s).
    options: dict[int | None, str] = {}
    for p in members:
        if p.group_id not in options:
            options[p.group_id] = _group_options(groups, by_id.get(p.group_id))
    return {
        "rows": [
            {
                "participant": p,
                "group": by_id.get(p.group_id),
                "connected": p.pk in connected,
                "group_options": options[p.group_id],
            }
            for p in members
        ],
        "query": query,
        "total": total,
        "start": start + 1 if members else 0,
        "end": start + len(members),
        "page": number,
        "pages": pages,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < pages else None,
        "groups": groups,
        "movable": bool(groups) and not session.is_ended,
        "move_url": reverse("workshop:participant_move", kwargs={"public_id": session.public_id}),
    }


def _page_number(page: str | int) -> int:
    try:
        return int(page)
    except (TypeError, ValueError):
        return 1


def _group_options(groups: list[Group], selected: Group | None) -> str:
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((g.pk, mark_safe(" selected") if g == selected else "", g.name) for g in groups),  # noqa: S308
    )
    if selected is None:
        # Someone in no group: say so, rather than show the first group as theirs.
        return format_html('<option value="" selected>{}</option>{}', _("No group"), options)
    return options


# What apps add to the control view's agenda items (a slide's thumbnail):
# each is called with the session and its steps, in the control's language.
AgendaAnnotator = Callable[[WorkshopSession, list[Step]], None]
_AGENDA_ANNOTATORS: list[AgendaAnnotator] = []


def register_agenda_annotator(annotate: AgendaAnnotator) -> None:
    _AGENDA_ANNOTATORS.append(annotate)


def _steps_with_state(session: WorkshopSession) -> list[Step]:
    steps = list(session.ordered_steps())
    for annotate in _AGENDA_ANNOTATORS:
        annotate(session, steps)
    return steps


# What the first push of each kind would otherwise load (reference data, say).
_WARM_UPS: list[Callable[[], object]] = []


def register_warm_up(load: Callable[[], object]) -> None:
    _WARM_UPS.append(load)


@functools.cache
def warm_up() -> None:
    """Load once, when a process starts serving, what a push would otherwise
    load the first time it needs it: templates, and what apps registered.

    Measured at 1,000 phones: the first time a kind of step came up in a
    session, its fan-out took 100-130 ms longer (a template compiled, the SDG
    reference file parsed). Runs once a process.
    """
    warm_templates()
    for load in _WARM_UPS:
        load()


def warm_templates() -> int:
    """Compile the project's templates (the cached loader keeps them)."""
    count = 0
    for directory in _project_template_dirs():
        for path in sorted(directory.rglob("*.html")):
            get_template(path.relative_to(directory).as_posix())
            count += 1
    return count


def _project_template_dirs() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR)
    ]
    return [d for d in dirs if d.is_dir()]
