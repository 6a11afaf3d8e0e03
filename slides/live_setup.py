"""How slide decks plug into the live room: the slide step kind, the
agenda's thumbnails and the retention of files, registered from
SlidesConfig.ready through the public APIs of workshop and live."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from live.audiences import PARTICIPANT, SCREEN
from live.regions import register_agenda_annotator, register_step_context
from workshop import packs, run_of_show, step_kinds
from workshop.models import Step, WorkshopSession, WorkshopTemplate

from . import lookup, services
from .models import Deck
from .packs import SlidesPackExtension

if TYPE_CHECKING:
    from live.regions import RenderTarget


def register() -> None:
    step_kinds.register(step_kinds.StepKindSpec("slide", "slides/step", context=slide_context))
    register_agenda_annotator(_agenda_thumbnails)
    register_step_context(_next_slide_from_any_step)
    packs.register_extension(SlidesPackExtension())
    run_of_show.register_insertable_kind(
        run_of_show.InsertableKind(
            Step.Kind.SLIDE,
            "slides/insert_fields.html",
            context=_insert_context,
            fill=services.fill_inserted_slide,
        )
    )
    # Deleting a deck, or its template, deletes its files once committed.
    pre_delete.connect(_deck_deleted, sender=Deck, dispatch_uid="slides.deck_files")
    # A step's image: gone with the step, or when another replaces it.
    pre_save.connect(_step_saving, sender=Step, dispatch_uid="slides.step_image_replaced")
    post_delete.connect(_step_deleted, sender=Step, dispatch_uid="slides.step_image_files")
    # A run of show edited here: the next slides it kept are out of date.
    post_save.connect(_forget_next_slides, sender=Step, dispatch_uid="slides.next_slides_saved")
    post_delete.connect(_forget_next_slides, sender=Step, dispatch_uid="slides.next_slides_deleted")


def slide_context(target: RenderTarget) -> dict[str, Any]:
    """The current slide in the audience's language (English where that
    language's deck lacks the page), and the next step's slide, which the
    page fetches ahead so that no screen waits for it."""
    step = target.step
    if step is None:
        return {}
    next_number = _next_slide_number(step)
    found = lookup.slides_in_language(step.template_id, [step.slide_number, next_number])
    return {
        "slide": found.get(step.slide_number),
        "next_slide": found.get(next_number),
        "deck_pages": lookup.page_count(step.template_id),
    }


def _next_slide_number(step: Step) -> int | None:
    """The page the step after ``step`` shows, if that step is a slide.

    Every render of every step asks (the prefetch), and a phone's own stage
    is rendered per phone during a question whose answers differ (a ranking):
    after a restart, a query per phone was 6 % of the reconnect. So each
    answer is kept NEXT_SLIDE_SECONDS per process, and forgotten at once when
    this process saves or deletes a step; another process's edit of the run
    of show shows within that time. The worst a stale one does is fetch an
    image ahead that is not needed.
    """
    key = (step.pk, step.template_id, step.position)
    kept = _next_slide_kept.get(key)
    now = time.monotonic()
    if kept is not None and now - kept[0] < NEXT_SLIDE_SECONDS:
        return kept[1]
    following = (
        Step.objects.filter(template_id=step.template_id, position__gt=step.position)
        .order_by("position")
        .only("kind", "slide_number")
        .first()
    )
    number = following.slide_number if following and following.kind == Step.Kind.SLIDE else None
    if len(_next_slide_kept) > NEXT_SLIDE_KEPT_MAX:
        _next_slide_kept.clear()
    _next_slide_kept[key] = (now, number)
    return number


NEXT_SLIDE_SECONDS = 10.0
NEXT_SLIDE_KEPT_MAX = 1000
# (step id, template id, position) -> (when read, the next step's page or None)
_next_slide_kept: dict[tuple[int, int, int], tuple[float, int | None]] = {}


def _forget_next_slides(**_kwargs) -> None:
    _next_slide_kept.clear()


# The image each audience shows of a slide; the control view's are thumbnails.
PREFETCHED_SIZE = {PARTICIPANT: "phone_url", SCREEN: "projector_url"}


def _next_slide_from_any_step(target: RenderTarget) -> dict[str, Any]:
    """From a question, content or exercise step, the next step's slide, for
    the phones and the projector to fetch ahead as they do between slides.
    A slide step's own context does it with its own slide's query."""
    step = target.step
    size = PREFETCHED_SIZE.get(target.audience.kind)
    if step is None or size is None or step.kind == Step.Kind.SLIDE:
        return {}
    number = _next_slide_number(step)
    shown = lookup.slides_in_language(step.template_id, [number]).get(number) if number else None
    return {"prefetch_urls": [getattr(shown, size)] if shown else []}


def _insert_context(template: WorkshopTemplate) -> dict[str, Any]:
    """What the editor's insert forms say of the deck: its pages."""
    return {"deck_pages": lookup.page_count(template.pk)}


def _agenda_thumbnails(session: WorkshopSession, steps: list[Step]) -> None:
    numbers = [s.slide_number for s in steps if s.kind == Step.Kind.SLIDE]
    if not numbers:
        return
    found = lookup.slides_in_language(session.template_id, numbers)
    for step in steps:
        if step.kind == Step.Kind.SLIDE:
            step.agenda_slide = found.get(step.slide_number)


def _deck_deleted(sender, instance: Deck, **kwargs) -> None:
    services.forget_deck_files(instance)


def _step_saving(sender, instance: Step, **kwargs) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    old = Step.objects.filter(pk=instance.pk).values_list("image", flat=True).first()
    if old and old != instance.image.name:
        services.forget_files({old})


def _step_deleted(sender, instance: Step, **kwargs) -> None:
    if instance.image:
        services.forget_files({instance.image.name})
