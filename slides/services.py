"""Uploading, replacing and deleting slide decks, and what each change
announces. The only code that writes decks, slides and their files.

An upload renders the whole PDF (in worker processes, ``slides.rendering``)
before it writes anything: a refused or broken file leaves the template, its
run of show and the stored files exactly as they were.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import live
from workshop import run_of_show
from workshop.errors import DomainError, NotAllowed
from workshop.models import Step, WorkshopSession, WorkshopTemplate

from . import rendering
from .models import Deck, Slide

log = logging.getLogger(__name__)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EDIT_PERMISSION = "workshop.change_workshoptemplate"
# Storage folders: images are served (slides.views), PDFs never are.
IMAGE_FOLDER = "slides"
PDF_FOLDER = "decks"

_MESSAGES = {
    "too_large": _("The file is too large: the limit is %(limit)s MB."),
    "not_pdf": _("This file is not a PDF. Export the deck to PDF first."),
    "encrypted": _("This PDF is encrypted or protected by a password. Save it without protection."),
    "broken": _("This PDF is damaged and cannot be read. Export it again."),
    "too_many_pages": _("The deck has too many pages: the limit is %(limit)s."),
    "empty": _("The PDF has no pages."),
}


@dataclass
class UploadSummary:
    """What an upload changed, for the person who made it."""

    deck: Deck
    replaced: bool
    seconds: float
    pages_added: list[int] = field(default_factory=list)
    pages_removed: list[int] = field(default_factory=list)
    steps_added: int = 0
    # Slide steps whose page this deck no longer has.
    steps_without_page: list[Step] = field(default_factory=list)

    def as_result(self) -> dict[str, Any]:
        """What the upload's page shows afterwards, as JSON (DeckUpload.result)."""
        return {
            "pages": self.deck.page_count,
            "seconds": round(self.seconds, 2),
            "replaced": self.replaced,
            "pages_added": self.pages_added,
            "pages_removed": self.pages_removed,
            "steps_added": self.steps_added,
            "steps_without_page": [str(step) for step in self.steps_without_page],
        }


def check_may_upload(user, template: WorkshopTemplate | None) -> None:
    """Staff who may edit templates (the template's editors) only."""
    if not (getattr(user, "is_staff", False) and user.has_perm(EDIT_PERMISSION)):
        raise NotAllowed(
            "not_editor", _("Only staff who may edit this workshop can upload slides.")
        )


def upload_deck(
    template: WorkshopTemplate,
    language: str,
    data: bytes,
    *,
    user=None,
    rendered: rendering.RenderedDeck | None = None,
) -> UploadSummary:
    """Render ``data`` (a PDF) as ``template``'s deck in ``language``,
    replacing the deck there was. Page n of the new deck replaces page n of
    the old one; pages no slide step shows yet get a step, after the step
    of the page before them. Raises DomainError having changed nothing.
    ``rendered``: ``data`` already rendered by ``render_pdf``."""
    if user is not None:
        check_may_upload(user, template)
    if language not in LANGUAGES:
        raise DomainError("unknown_language", _("Choose English, French or Dutch."))
    rendered = rendered or render_pdf(data)
    written = _write_images(template, language, rendered)
    source = _write_pdf(template, language, data)
    try:
        summary, old_files = _save_deck(template, language, rendered, source, data)
    except BaseException:
        _delete_unreferenced(written | {source})
        raise
    # Files only the old version used go once the new one is committed.
    transaction.on_commit(lambda: _delete_unreferenced(old_files))
    return summary


def render_pdf(data: bytes, progress: rendering.Progress | None = None) -> rendering.RenderedDeck:
    """Every page of ``data`` at every size, in worker processes; writes
    nothing. DomainError for a file an upload would refuse."""
    try:
        return rendering.render_deck(
            data,
            max_bytes=settings.SLIDES_MAX_BYTES,
            max_pages=settings.SLIDES_MAX_PAGES,
            workers=settings.SLIDES_RENDER_WORKERS,
            progress=progress,
        )
    except rendering.RenderError as error:
        raise _refusal(error) from None


def check_upload(language: str, data: bytes) -> None:
    """What an upload can be refused for without rendering it."""
    if language not in LANGUAGES:
        raise DomainError("unknown_language", _("Choose English, French or Dutch."))
    try:
        rendering.check_header(data, settings.SLIDES_MAX_BYTES)
    except rendering.RenderError as error:
        raise _refusal(error) from None


def failed_message() -> str:
    return str(_("The deck could not be rendered. Try again, or export it to PDF again."))


def _refusal(error: rendering.RenderError) -> DomainError:
    limits = {
        "too_large": settings.SLIDES_MAX_BYTES // 2**20,
        "too_many_pages": settings.SLIDES_MAX_PAGES,
    }
    message = _MESSAGES.get(error.code, _MESSAGES["broken"])
    if error.code in limits:
        message = message % {"limit": limits[error.code]}
    return DomainError(error.code, message)


def image_name(
    template: WorkshopTemplate, language: str, page: rendering.RenderedPage, size: str
) -> str:
    # The hash of the bytes makes the name change whenever the image does.
    folder = f"{IMAGE_FOLDER}/t{template.pk}/{language}"
    return f"{folder}/{page.number:03d}-{size}-{page.digest(size)}.webp"


def _write_images(
    template: WorkshopTemplate, language: str, rendered: rendering.RenderedDeck
) -> set[str]:
    """Store every image not stored yet; the names of those written now."""
    written: set[str] = set()
    try:
        for page in rendered.pages:
            for size in rendering.SIZES:
                name = image_name(template, language, page, size)
                if not default_storage.exists(name):
                    _save_exactly(name, page.images[size][0])
                    written.add(name)
    except BaseException:
        _delete_unreferenced(written)
        raise
    return written


def _write_pdf(template: WorkshopTemplate, language: str, data: bytes) -> str:
    name = f"{PDF_FOLDER}/t{template.pk}-{language}-{hashlib.sha256(data).hexdigest()[:16]}.pdf"
    if not default_storage.exists(name):
        _save_exactly(name, data)
    return name


def _save_exactly(name: str, data: bytes) -> None:
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # another process wrote the same bytes meanwhile
        default_storage.delete(saved)


@transaction.atomic
def _save_deck(
    template: WorkshopTemplate,
    language: str,
    rendered: rendering.RenderedDeck,
    source: str,
    data: bytes,
) -> tuple[UploadSummary, set[str]]:
    template = run_of_show.lock_template(template)
    deck = Deck.objects.filter(template=template, language=language).first()
    replaced = deck is not None
    old_numbers: set[int] = set()
    old_files: set[str] = set()
    if deck is None:
        deck = Deck(template=template, language=language)
    else:
        old_numbers = set(deck.slides.values_list("number", flat=True))
        old_files = deck.file_names()
        deck.slides.all().delete()
    deck.source = source
    deck.source_sha256 = hashlib.sha256(data).hexdigest()
    deck.page_count = len(rendered.pages)
    deck.render_seconds = round(rendered.seconds, 2)
    deck.save()
    Slide.objects.bulk_create(_slide_rows(deck, template, language, rendered))
    new_numbers = {p.number for p in rendered.pages}
    steps_added = _add_slide_steps(template, rendered)
    summary = UploadSummary(
        deck=deck,
        replaced=replaced,
        seconds=rendered.seconds,
        pages_added=sorted(new_numbers - old_numbers) if replaced else [],
        pages_removed=sorted(old_numbers - new_numbers),
        steps_added=steps_added,
        steps_without_page=list(
            template.ordered_steps().filter(kind=Step.Kind.SLIDE, slide_number__gt=deck.page_count)
        ),
    )
    _announce(template)
    return summary, old_files - deck.file_names()


def _slide_rows(
    deck: Deck, template: WorkshopTemplate, language: str, rendered: rendering.RenderedDeck
) -> list[Slide]:
    rows = []
    for page in rendered.pages:
        names = {size: image_name(template, language, page, size) for size in rendering.SIZES}
        rows.append(
            Slide(
                deck=deck,
                number=page.number,
                text=page.text,
                projector=names["projector"],
                phone=names["phone"],
                thumbnail=names["thumbnail"],
                projector_width=page.images["projector"][1],
                projector_height=page.images["projector"][2],
                phone_width=page.images["phone"][1],
                phone_height=page.images["phone"][2],
                thumbnail_width=page.images["thumbnail"][1],
                thumbnail_height=page.images["thumbnail"][2],
            )
        )
    return rows


def _add_slide_steps(template: WorkshopTemplate, rendered: rendering.RenderedDeck) -> int:
    """A slide step for each page that has none, placed after the step of
    the nearest page before it (or at the end). Questions placed between
    slides stay where they are. Caller holds the template's lock."""
    steps = list(template.ordered_steps())
    shown = {s.slide_number for s in steps if s.kind == Step.Kind.SLIDE}
    missing = [p for p in rendered.pages if p.number not in shown]
    if not missing:
        return 0
    order = [s.pk for s in steps]
    page_of = {s.pk: s.slide_number for s in steps if s.kind == Step.Kind.SLIDE}
    position = run_of_show.next_position(template)
    for page in missing:
        step = Step.objects.create(
            template=template,
            kind=Step.Kind.SLIDE,
            slide_number=page.number,
            position=position,
            title=slide_title(page),
        )
        position += 1
        order.insert(_index_after_page(order, page_of, page.number), step.pk)
        page_of[step.pk] = page.number
    run_of_show.write_order(template, order)
    return len(missing)


def _index_after_page(order: list[int], page_of: dict[int, int | None], number: int) -> int:
    """Where the step of page ``number`` goes: after the last step showing
    a page before it; at the end when none does."""
    before = [i for i, pk in enumerate(order) if (page_of.get(pk) or 0) and page_of[pk] < number]
    return before[-1] + 1 if before else len(order)


def fill_inserted_slide(template: WorkshopTemplate, step: Step, values: Mapping[str, str]) -> str:
    """A slide step the run-of-show editor inserts by hand: its page must be
    one the template's deck has (the longest language's). Returns the
    title for a step given none: the page's heading. DomainError if there
    is no deck or no such page."""
    from . import lookup

    pages = lookup.page_count(template.pk)
    if pages == 0:
        raise DomainError(
            "no_deck", _("This workshop has no slide deck yet: upload one under Slide decks first.")
        )
    try:
        number = int(str(values.get("slide_number", "")).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= pages:
        raise DomainError(
            "no_such_page",
            _("The deck has no such page: choose a page from 1 to %(pages)d.") % {"pages": pages},
        )
    step.slide_number = number
    shown = lookup.slides_in_language(template.pk, [number]).get(number)
    return (shown.heading if shown else "")[:200] or f"Slide {number}"


def slide_title(page: rendering.RenderedPage) -> str:
    first_line = next((line for line in page.text.split("\n") if line.strip()), "")
    return first_line[:200] or f"Slide {page.number}"


def _announce(template: WorkshopTemplate) -> None:
    """Open sessions show the new agenda, and the new image if a slide is up."""
    open_sessions = template.sessions.exclude(status=WorkshopSession.Status.ENDED)
    for session_id in open_sessions.values_list("pk", flat=True):
        live.changed(session_id, "run_of_show", "step")


# --- deleting ------------------------------------------------------------------


def referenced_files() -> set[str]:
    """Every storage name a deck or a slide points at."""
    names = set(Deck.objects.values_list("source", flat=True))
    for row in Slide.objects.values_list("projector", "phone", "thumbnail"):
        names.update(row)
    from .images import referenced_images

    return names | referenced_images()


def _delete_unreferenced(names: set[str]) -> None:
    """Delete those of ``names`` that no row points at any more (a file
    shared by two versions of a deck stays while one still uses it)."""
    still_used = referenced_files()
    for name in sorted(names - still_used):
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete %s; manage.py media_orphans will list it", name)


def forget_deck_files(deck: Deck) -> None:
    """Called before a deck is deleted (directly or with its template):
    its files go once the deletion is committed."""
    forget_files(deck.file_names())


def forget_files(names: set[str]) -> None:
    """Delete ``names`` once the current transaction commits, those that no
    row points at by then."""
    transaction.on_commit(lambda: _delete_unreferenced(names))


def orphaned_files() -> list[str]:
    """Stored files under the media folders that nothing points at."""
    from .images import IMAGE_FOLDER as STEP_IMAGE_FOLDER

    stored = set()
    for folder in (IMAGE_FOLDER, PDF_FOLDER, STEP_IMAGE_FOLDER):
        stored |= set(_walk(folder))
    return sorted(stored - referenced_files())


def _walk(folder: str) -> list[str]:
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{folder}/{f}" for f in files]
    for d in dirs:
        names += _walk(f"{folder}/{d}")
    return names


def max_bytes() -> int:
    return settings.SLIDES_MAX_BYTES


def too_large_message() -> str:
    return str(_MESSAGES["too_large"]) % {"limit": settings.SLIDES_MAX_BYTES // 2**20}
