"""Uploading decks: rendering, the run of show, new versions, bad files."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from PIL import Image

from slides import lookup, services
from slides.models import Deck, Slide
from workshop import run_of_show
from workshop.errors import DomainError, NotAllowed
from workshop.models import Step

from ..factories import UserFactory
from .conftest import stored_files

pytestmark = pytest.mark.django_db


def slide_steps(template) -> list[tuple[str, int | None]]:
    return [(s.kind, s.slide_number) for s in template.ordered_steps()]


def test_it_renders_each_page_at_three_sizes_with_its_text(template, decks, media_root):
    services.upload_deck(template, "en", decks.en_5)
    slide = Slide.objects.get(deck__template=template, number=2)
    assert slide.text.startswith("Slide 2\nMigration drives sustainable development (2)")
    for name, size in [
        (slide.projector, (1920, 1080)),
        (slide.phone, (800, 450)),
        (slide.thumbnail, (320, 180)),
    ]:
        with Image.open(media_root / name) as image:
            assert (image.format, image.size) == ("WEBP", size)
    assert (slide.projector_width, slide.projector_height) == (1920, 1080)


def test_a_4_3_deck_is_letterboxed_into_the_projector(template, decks, media_root):
    services.upload_deck(template, "fr", decks.fr_3)
    slide = Slide.objects.get(deck__language="fr", number=1)
    with Image.open(media_root / slide.projector) as image:
        assert image.size == (1440, 1080)
    assert slide.text.startswith("Diapositive 1")


def test_file_names_carry_a_hash_of_their_bytes(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    names = [s.projector for s in Slide.objects.filter(deck__template=template)]
    assert len(set(names)) == 5
    first_version = set(names)
    services.upload_deck(template, "en", decks.en_6)
    # Pages 1..5 draw the same: their files are kept, not written again.
    assert first_version < set(
        Slide.objects.filter(deck__template=template).values_list("projector", flat=True)
    )


def test_each_page_becomes_a_slide_step_in_page_order(template, decks):
    summary = services.upload_deck(template, "en", decks.en_5)
    assert summary.steps_added == 5 and not summary.replaced
    assert slide_steps(template)[-5:] == [("slide", n) for n in range(1, 6)]
    assert [s.position for s in template.ordered_steps()] == list(range(1, 9))


def test_a_new_version_keeps_the_questions_between_slides(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    slide_2 = template.steps.get(kind="slide", slide_number=2)
    run_of_show.insert_step(template, after=slide_2.pk, kind="content", title="Discuss")
    summary = services.upload_deck(template, "en", decks.en_6)
    assert summary.replaced and summary.pages_added == [6] and summary.pages_removed == []
    assert summary.steps_added == 1
    kinds = slide_steps(template)[3:]
    assert kinds == [
        ("slide", 1), ("slide", 2), ("content", None), ("slide", 3),
        ("slide", 4), ("slide", 5), ("slide", 6),
    ]  # fmt: skip


def test_a_shorter_version_names_the_steps_whose_page_is_gone(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    summary = services.upload_deck(template, "en", decks.en_3)
    assert summary.pages_removed == [4, 5] and summary.pages_added == []
    assert [s.slide_number for s in summary.steps_without_page] == [4, 5]
    # The steps stay (a facilitator decides); the deck has three pages.
    assert template.steps.filter(kind="slide").count() == 5
    assert Deck.objects.get(template=template).slides.count() == 3


def test_another_language_adds_no_steps_for_pages_the_run_of_show_has(template, decks):
    services.upload_deck(template, "en", decks.en_5)
    summary = services.upload_deck(template, "fr", decks.fr_3)
    assert summary.steps_added == 0
    assert template.steps.filter(kind="slide").count() == 5


@pytest.mark.parametrize(
    ("language", "number", "shown", "fallback"),
    [("fr", 2, "Diapositive 2", False), ("fr", 4, "Slide 4", True), ("nl", 1, "Slide 1", True)],
)
def test_each_language_sees_its_slide_or_english_marked_as_such(
    template, decks, language, number, shown, fallback
):
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    with translation.override(language):
        found = lookup.slides_in_language(template.pk, [number])[number]
    assert found.text.startswith(shown) and found.fallback is fallback


def refusals(decks):
    return {
        "not_pdf": b"\x89PNG\r\n\x1a\n not a pdf at all",
        "encrypted": decks.encrypted,
        "owner_locked": decks.owner_locked,
        "broken": decks.broken,
        "too_large": decks.en_6,
        "too_many_pages": decks.en_6,
    }


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("not_pdf", "not_pdf"),
        ("encrypted", "encrypted"),
        ("owner_locked", "encrypted"),
        ("broken", "broken"),
        ("too_large", "too_large"),
        ("too_many_pages", "too_many_pages"),
    ],
)
def test_a_refused_file_changes_nothing(template, decks, media_root, settings, case, code):
    services.upload_deck(template, "en", decks.en_5)
    settings.SLIDES_MAX_BYTES = len(decks.en_6) - 1 if case == "too_large" else 50 * 2**20
    settings.SLIDES_MAX_PAGES = 5 if case == "too_many_pages" else 300
    before_files = stored_files(media_root)
    before_steps = slide_steps(template)
    before_slides = list(Slide.objects.values_list("id", "projector", "text"))
    with pytest.raises(DomainError) as raised:
        services.upload_deck(template, "en", refusals(decks)[case])
    assert raised.value.code == code and str(raised.value.message)
    assert stored_files(media_root) == before_files
    assert slide_steps(template) == before_steps
    assert list(Slide.objects.values_list("id", "projector", "text")) == before_slides


def test_a_pdf_with_script_and_an_attachment_is_only_rendered(template, decks, media_root):
    from . import pdfs

    services.upload_deck(template, "fr", pdfs.with_script_and_attachment(decks.fr_3))
    slides = Slide.objects.filter(deck__template=template).order_by("number")
    assert [s.text.split("\n")[0] for s in slides] == [f"Diapositive {n}" for n in (1, 2, 3)]
    # Only images and the PDF itself were stored: the attachment never was.
    assert {name.rsplit(".", 1)[1] for name in stored_files(media_root)} == {"webp", "pdf"}
    assert not any("payload" in name for name in stored_files(media_root))


def test_only_staff_who_may_edit_templates_may_upload(template, decks, media_root):
    staff = UserFactory(username="sam", is_staff=True)
    with pytest.raises(NotAllowed):
        services.upload_deck(template, "en", decks.en_5, user=staff)
    assert not Deck.objects.exists() and not stored_files(media_root)
    staff.user_permissions.add(Permission.objects.get(codename="change_workshoptemplate"))
    staff = type(staff).objects.get(pk=staff.pk)  # a fresh permission cache
    services.upload_deck(template, "en", decks.en_5, user=staff)
    assert Deck.objects.filter(template=template).exists()


def test_an_unknown_language_is_refused(template, decks):
    with pytest.raises(DomainError) as raised:
        services.upload_deck(template, "de", decks.en_5)
    assert raised.value.code == "unknown_language"
    assert not template.steps.filter(kind=Step.Kind.SLIDE).exists()
