"""Finding the slide each audience sees: its language's, or English's."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from .models import Slide

FALLBACK = settings.LANGUAGE_CODE


@dataclass(frozen=True)
class ShownSlide:
    """A slide as an audience sees it; ``fallback`` when the audience's
    language has no such page and another deck's stands in: English's,
    or else the first language that has it."""

    slide: Slide
    fallback: bool

    def __getattr__(self, name: str):
        return getattr(self.slide, name)


def slides_in_language(template_id: int, numbers: list[int | None]) -> dict[int, ShownSlide]:
    """Page number -> the slide to show in the current language: one query."""
    wanted = {n for n in numbers if n}
    if not wanted:
        return {}
    language = translation.get_language() or FALLBACK
    preference = [language, FALLBACK, *(code for code, _name in settings.LANGUAGES)]
    rank = {code: preference.index(code) for code in preference}
    rows = Slide.objects.filter(deck__template_id=template_id, number__in=wanted).select_related(
        "deck"
    )
    best: dict[int, Slide] = {}
    for slide in rows:
        held = best.get(slide.number)
        if held is None or rank.get(slide.deck.language, 99) < rank.get(held.deck.language, 99):
            best[slide.number] = slide
    return {
        number: ShownSlide(slide, fallback=slide.deck.language != language)
        for number, slide in best.items()
    }


def page_count(template_id: int) -> int:
    """The pages of the deck with the most: what "slide n of N" counts."""
    from .models import Deck

    counts = Deck.objects.filter(template_id=template_id).values_list("page_count", flat=True)
    return max(counts, default=0)
