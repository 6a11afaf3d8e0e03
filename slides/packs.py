"""Slide decks and step images in content packs.

A pack that carries files is an archive (workshop.packs.write_archive): its
YAML names them. A top-level section lists the decks, and steps say which
page they show or which image they carry:

    decks:
      - {language: en, file: decks/en.pdf}
      - {language: fr, file: decks/fr.pdf}
    template:
      steps:
        - kind: slide
          title: {en: "Why migration matters"}
          slide: 3
        - kind: content
          title: {en: "The route"}
          image: images/4f1c0e2a9b.png
          image_alt: {en: "A map of the route", fr: "Une carte du trajet"}

Importing renders each deck, as an upload does; a deck that would be
refused in the admin makes the whole import fail, changing nothing.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage

from workshop.errors import DomainError
from workshop.models import STEP_IMAGE_EXTENSIONS, Step, WorkshopTemplate
from workshop.packs import (
    LANGUAGES,
    BasePackExtension,
    PackContext,
    PackError,
    check_text,
    text_of,
)

from . import services
from .models import Deck


class SlidesPackExtension(BasePackExtension):
    top_keys = {"decks"}
    step_keys = {"slide", "image", "image_alt"}

    def validate(self, ctx: PackContext) -> None:
        files = ctx.extra.get("files", {})
        decks = ctx.data.get("decks", [])
        if not isinstance(decks, list):
            ctx.error("decks", "must be a list of {language, file}")
            decks = []
        seen: set[str] = set()
        for index, deck in enumerate(decks):
            place = f"decks[{index}]"
            if not isinstance(deck, dict) or set(deck) != {"language", "file"}:
                ctx.error(place, "must be a mapping of language and file")
                continue
            if deck["language"] not in LANGUAGES or deck["language"] in seen:
                ctx.error(f"{place}.language", f"must be one of {', '.join(LANGUAGES)}, once")
            seen.add(deck["language"])
            _check_file(ctx, files, deck["file"], f"{place}.file", {"pdf"})
        steps = (ctx.data.get("template") or {}).get("steps") or []
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict):
                _validate_step(ctx, files, step, f"template.steps[{index}]")

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None:
        files = ctx.extra.get("files", {})
        for step, spec in ctx.steps:
            changed = []
            if "slide" in spec:
                step.slide_number = spec["slide"]
                changed.append("slide_number")
            if "image" in spec:
                for lang, text in (spec.get("image_alt") or {}).items():
                    setattr(step, f"image_alt_{lang}", text)
                name = PurePosixPath(spec["image"]).name
                # Stored when the step is saved, under a name hashed from its bytes.
                step.image = File(ContentFile(files[spec["image"]]), name=name)
                changed += ["image", *(f"image_alt_{lang}" for lang in LANGUAGES)]
            if changed:
                step.save(update_fields=changed)
        decks = ctx.data.get("decks", [])
        wanted = {d["language"]: files[d["file"]] for d in decks}
        # Every deck rendered before any is stored: a refused one leaves no
        # files behind (the database rolls back; the storage would not).
        rendered = {}
        for index, deck in enumerate(decks):
            try:
                rendered[deck["language"]] = services.render_pdf(wanted[deck["language"]])
            except DomainError as error:
                raise PackError([f"decks[{index}].file: {error.message}"]) from None
        Deck.objects.filter(template=template).exclude(language__in=wanted).delete()
        for language, data in wanted.items():
            services.upload_deck(template, language, data, rendered=rendered[language])

    def export(self, template: WorkshopTemplate) -> dict[str, Any]:
        decks = Deck.objects.filter(template=template).order_by("language")
        return (
            {"decks": [{"language": d.language, "file": _deck_name(d)} for d in decks]}
            if decks
            else {}
        )

    def export_step(self, step: Step) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if step.kind == Step.Kind.SLIDE and step.slide_number:
            spec["slide"] = step.slide_number
        if step.image:
            spec["image"] = _image_name(step)
            spec["image_alt"] = text_of(step, "image_alt")
        return spec

    def export_files(self, template: WorkshopTemplate) -> dict[str, bytes]:
        files = {_deck_name(d): _read(d.source) for d in Deck.objects.filter(template=template)}
        for step in template.steps.exclude(image=""):
            files[_image_name(step)] = _read(step.image.name)
        return files


def _validate_step(ctx: PackContext, files: dict[str, bytes], step: dict, place: str) -> None:
    if step.get("kind") == Step.Kind.SLIDE:
        number = step.get("slide")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            ctx.error(f"{place}.slide", "is required for a slide step: a page number from 1")
    elif "slide" in step:
        ctx.error(f"{place}.slide", "only a slide step shows a page")
    if "image" in step:
        _check_file(ctx, files, step["image"], f"{place}.image", set(STEP_IMAGE_EXTENSIONS))
        check_text(ctx, step.get("image_alt"), f"{place}.image_alt", required=True, max_length=300)
    elif "image_alt" in step:
        ctx.error(f"{place}.image_alt", "describes an image: give the step an image")


def _check_file(
    ctx: PackContext, files: dict[str, bytes], name: Any, place: str, extensions: set[str]
) -> None:
    if (
        not isinstance(name, str)
        or PurePosixPath(name).suffix.lower().lstrip(".") not in extensions
    ):
        ctx.error(place, f"must name a file ending in {', '.join(sorted(extensions))}")
    elif name not in files:
        ctx.error(place, f"'{name}' is not in the pack: export and import packs with files as .zip")


def _deck_name(deck: Deck) -> str:
    return f"decks/{deck.language}.pdf"


def _image_name(step: Step) -> str:
    # The stored name ends in a hash of the bytes: the same in every export.
    return f"images/{PurePosixPath(step.image.name).name}"


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
