"""Each template owns its content: a duplicate or another workshop's pack
shares no row with it, and editing one leaves the other as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from quizzes.models import Choice, Question, Quiz
from sdgmap.models import ExerciseConfig, Reference, ReferenceAction, ReferenceNote, ReferenceTheme
from workshop import packs
from workshop.models import Fact, Step, WorkshopTemplate

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

IOM_PACK = Path(packs.__file__).parent / "packs" / "iom-leaving-no-one-behind.yaml"
CLIMATE_PACK = Path(__file__).parent.parent / "data" / "climate-pack.yaml"

# The climate workshop reuses the IOM question's key with content of its own.
CITY_FOUNDED = {
    "key": "iom-founded",
    "kind": "single",
    "text": {"en": "When did the city adopt its first heat plan?"},
    "choices": [{"text": {"en": "2003"}, "correct": True}, {"text": {"en": "2019"}}],
}


def _climate_pack() -> dict:
    data = packs.read_pack(CLIMATE_PACK)
    data["template"]["steps"].insert(
        1, {"kind": "question", "question": "iom-founded", "title": {"en": "Warm-up"}}
    )
    data["questions"] = [CITY_FOUNDED]
    return data


def _rows(template: WorkshopTemplate) -> dict[type, set[int]]:
    """Every row of content that the template's screens show, by model."""
    steps = Step.objects.filter(template=template)
    questions = Question.objects.filter(steps__in=steps)
    reference = Reference.objects.filter(template=template)
    return {
        model: set(rows.values_list("pk", flat=True))
        for model, rows in {
            Step: steps,
            Fact: Fact.objects.filter(step__in=steps),
            ExerciseConfig: ExerciseConfig.objects.filter(step__in=steps),
            Question: questions,
            Choice: Choice.objects.filter(question__in=questions),
            Quiz: Quiz.objects.filter(questions__in=questions),
            Reference: reference,
            ReferenceTheme: ReferenceTheme.objects.filter(reference__in=reference),
            ReferenceAction: ReferenceAction.objects.filter(reference__in=reference),
            ReferenceNote: ReferenceNote.objects.filter(reference__in=reference),
        }.items()
    }


def _assert_share_nothing(one: WorkshopTemplate, other: WorkshopTemplate) -> None:
    ours, theirs = _rows(one), _rows(other)
    for model in ours:
        assert not ours[model] & theirs[model], model.__name__


def _founded(template: WorkshopTemplate) -> Question:
    return template.ordered_steps().get(question__key="iom-founded").question


def test_the_admins_duplicate_shares_nothing_with_the_original():
    original = packs.import_pack(packs.read_pack(IOM_PACK))
    admin = Client()
    admin.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    admin.post(
        reverse("admin:workshop_workshoptemplate_changelist"),
        {"action": "duplicate", "_selected_action": [original.pk]},
    )
    copy = WorkshopTemplate.objects.exclude(pk=original.pk).get()
    assert all(_rows(copy)[model] for model in (Fact, ExerciseConfig, Question, ReferenceNote))
    _assert_share_nothing(original, copy)

    edited = _founded(copy)
    edited.text_fr = "Modifié dans la copie"
    edited.save()
    edited.choices.last().delete()

    founded = _founded(original)
    assert founded.text_fr == "Depuis quelle année l'OIM soutient-elle les migrants ?"
    assert [c.text for c in founded.choices.all()] == ["1919", "1945", "1951", "1990"]
    assert packs.export_pack(copy)["questions"] != packs.export_pack(original)["questions"]


def test_a_duplicate_skips_a_slug_whose_quiz_is_left_from_another_template():
    original = packs.import_pack(packs.read_pack(IOM_PACK))
    first = packs.duplicate_template(original)
    first.slug = "renamed-in-the-admin"  # its quiz keeps the slug it had
    first.save(update_fields=["slug"])

    second = packs.duplicate_template(original)

    assert second.slug == f"{original.slug}-copy-2"
    _assert_share_nothing(first, second)


def test_two_workshops_that_reuse_a_key_round_trip_sharing_nothing(tmp_path):
    iom = packs.import_pack(packs.read_pack(IOM_PACK))
    climate = packs.import_pack(_climate_pack())
    _assert_share_nothing(iom, climate)
    assert [c.text for c in _founded(iom).choices.all()] == ["1919", "1945", "1951", "1990"]
    assert _founded(iom).text_fr == "Depuis quelle année l'OIM soutient-elle les migrants ?"

    files = {slug: tmp_path / f"{slug}.yaml" for slug in (iom.slug, climate.slug)}
    for slug, path in files.items():
        call_command("export_pack", slug, str(path))
    exported = {slug: path.read_bytes() for slug, path in files.items()}
    # A fresh site, loaded the other way round: the order must not matter.
    Question.objects.all().delete()
    Quiz.objects.all().delete()
    WorkshopTemplate.objects.all().delete()
    for path in reversed(files.values()):
        call_command("import_pack", str(path))
    for slug, path in files.items():
        call_command("export_pack", slug, str(path))
        assert path.read_bytes() == exported[slug], slug

    iom, climate = (WorkshopTemplate.objects.get(slug=slug) for slug in files)
    _assert_share_nothing(iom, climate)
    assert "heat plan" not in exported[iom.slug].decode()
    assert "IOM" not in exported[climate.slug].decode()


def test_a_template_a_pack_cannot_carry_is_not_duplicated_and_the_admin_says_why():
    template = packs.import_pack(packs.read_pack(IOM_PACK))
    # Edited in the admin into something a pack refuses.
    Question.objects.filter(key="sdg-explicit-migration").update(correct_sdgs=[8, 10])
    admin = Client()
    admin.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    response = admin.post(
        reverse("admin:workshop_workshoptemplate_changelist"),
        {"action": "duplicate", "_selected_action": [template.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "was not duplicated" in page and "need &#x27;multiple: true&#x27;" in page
    assert WorkshopTemplate.objects.get() == template
    assert Quiz.objects.count() == 1
