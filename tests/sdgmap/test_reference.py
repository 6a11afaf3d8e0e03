"""The reference mapping belongs to the workshop template: a workshop on
another topic reveals its own reference, or the groups' map alone, and never
IOM's; the IOM workshop still reveals IOM's. Packs carry it, the admin edits it."""

import re
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from sdgmap import services
from sdgmap.models import Goal, Reference, ReferenceAction, ReferenceTheme, Target
from workshop import packs
from workshop import services as room

from ..conftest import participant_client
from ..factories import UserFactory
from .conftest import IOM_PACK

pytestmark = pytest.mark.django_db

CLIMATE_PACK = Path(__file__).parent.parent / "data" / "climate-pack.yaml"
IOM_WORDS = ["IOM", "OIM", "Acceleration Action", "accélération", "migration", "remittances"]


def _climate(*, with_reference: bool = True):
    data = packs.read_pack(CLIMATE_PACK)
    if not with_reference:
        del data["sdg_reference"]
        data["template"]["slug"] = "climate-no-reference"
    return packs.import_pack(data)


def _revealed_session(template, facilitator, *, spotlight: int | None = None):
    """A session of the template on its exercise, two phones (one in French)
    that rated SDG 11 and ticked 11.5, and the reference revealed."""
    session = room.create_session(template, facilitator, group_count=1, base_url="http://t")
    exercise = template.ordered_steps().get(kind="exercise")
    room.go_to_step(session, exercise.pk, facilitator)
    session.refresh_from_db()
    phones = [room.join_session(session.code, nickname=n) for n in ("Amina", "Bruno")]
    phones[1].language = "fr"
    phones[1].save(update_fields=["language"])
    services.start_exercise(session, facilitator, allocation="all", minutes=0)
    services.edit_card(phones[0], sdg=11, field="rating", value="strong")
    services.edit_card(phones[0], sdg=11, field="target", value={"code": "11.5", "on": True})
    services.reveal_reference(session, facilitator)
    if spotlight is not None:
        services.set_spotlight(session, facilitator, spotlight)
    session.refresh_from_db()
    return session, phones


def _pages(session, facilitator, phones, *, screen_language="en") -> dict[str, str]:
    """The projector, the control view and each phone, as the browser loads them."""
    session.screen_language = screen_language
    session.save(update_fields=["screen_language"])
    staff = Client()
    staff.force_login(facilitator)
    pages = {
        "projector": staff.get(reverse("workshop:screen", args=[session.public_id])),
        "control": staff.get(reverse("workshop:control", args=[session.public_id])),
    }
    for phone in phones:
        url = reverse("workshop:participant", args=[session.code])
        pages[f"phone-{phone.nickname}"] = participant_client(phone).get(url)
    assert all(page.status_code == 200 for page in pages.values())
    return {name: page.content.decode() for name, page in pages.items()}


def _revealed_parts(html: str) -> str:
    """The stage only: the page's chrome (title, menus) is not the reveal;
    nor are CSRF tokens, whose random letters spell "oim" now and then."""
    start = html.index('id="stage"') if 'id="stage"' in html else 0
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html[start:])


def _assert_no_iom_text(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        stage = _revealed_parts(html)
        for word in IOM_WORDS:
            assert word.lower() not in stage.lower(), (name, word)


# --- what the screens show ---------------------------------------------------------------


@pytest.mark.parametrize("spotlight", [None, 11])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_climate_workshop_reveals_its_own_reference_and_nothing_of_iom(
    facilitator, spotlight, language
):
    session, phones = _revealed_session(_climate(), facilitator, spotlight=spotlight)
    pages = _pages(session, facilitator, phones, screen_language=language)
    _assert_no_iom_text(pages)
    author = {"en": "City climate panel", "fr": "Panel climat urbain"}[language]
    assert author in pages["projector"]
    assert "Panel climat urbain" in pages["phone-Bruno"]  # the phone in French
    assert "City climate panel" in pages["phone-Amina"]
    if spotlight is None:
        assert "Chaleur et inondations" in pages["projector"] or language == "en"
        assert "Adaptation priorities" in pages["phone-Amina"]


@pytest.mark.parametrize("spotlight", [None, 11])
def test_a_workshop_without_a_reference_reveals_the_groups_map_alone(facilitator, spotlight):
    session, phones = _revealed_session(
        _climate(with_reference=False), facilitator, spotlight=spotlight
    )
    pages = _pages(session, facilitator, phones)
    _assert_no_iom_text(pages)
    for name, html in pages.items():
        stage = _revealed_parts(html)
        for trace in ("direct references", "ref-themes", "aa-list", "spotlight-ref", "ref-line"):
            assert trace not in stage, (name, trace)
    assert "Your group's map." in pages["phone-Amina"]
    assert "La carte de votre groupe." in pages["phone-Bruno"]
    assert "Reveal the reference" not in pages["control"]


def test_the_iom_workshop_still_reveals_iom_s_reference(facilitator):
    template = packs.import_pack(packs.read_pack(IOM_PACK))
    session, phones = _revealed_session(template, facilitator)
    pages = _pages(session, facilitator, phones)
    assert "IOM: direct references" in pages["projector"]
    assert "Remittances" in pages["projector"] and "Acceleration Actions" in pages["projector"]
    assert pages["projector"].count('class="aa-badge"') >= 6
    assert '<span class="compare-label">IOM</span>' in pages["phone-Amina"]
    assert '<span class="compare-label">OIM</span>' in pages["phone-Bruno"]
    assert "Actions d&#x27;accélération" in pages["phone-Bruno"]


def test_the_report_names_the_reference_of_the_template_only(facilitator, facilitator_client):
    session, _phones = _revealed_session(_climate(), facilitator)
    html = facilitator_client.get(reverse("reports:report", args=[session.public_id]))
    body = html.content.decode()
    assert "City climate panel: direct references" in body and "IOM" not in body


# --- packs ------------------------------------------------------------------------------


def test_the_climate_reference_comes_with_its_pack_and_round_trips():
    source = packs.read_pack(CLIMATE_PACK)
    template = packs.import_pack(source)
    reference = template.sdg_reference
    assert reference.author == "City climate panel"
    assert [t.name for t in reference.themes.all()] == ["Heat and flooding", "Urban planning"]
    assert [a.number for a in reference.actions.all()] == [1, 2]
    exported = packs.export_pack(template)
    assert exported["sdg_reference"] == source["sdg_reference"]
    text = packs.dump_pack(exported)
    again = packs.import_pack(yaml.safe_load(text), replace=True)
    assert packs.dump_pack(packs.export_pack(again)) == text
    assert Reference.objects.count() == 1  # rebuilt, not added


def test_the_iom_pack_carries_iom_s_reference_in_three_languages():
    source = packs.read_pack(IOM_PACK)
    template = packs.import_pack(source)
    assert packs.export_pack(template)["sdg_reference"] == source["sdg_reference"]
    reference = template.sdg_reference
    assert (reference.author_en, reference.author_fr, reference.author_nl) == ("IOM", "OIM", "IOM")
    themes = {t.name_en: sorted(x.code for x in t.targets.all()) for t in reference.themes.all()}
    assert themes["Human trafficking and exploitation"] == ["16.2", "5.2", "8.7"]
    assert themes["Remittances"] == ["10.c"] and themes["Migration data"] == ["17.18"]
    action = reference.actions.get(number=2)
    assert sorted(g.number for g in action.goals.all()) == [1, 8, 9, 10, 17]
    assert action.title_nl.startswith("Geldovermakingen")
    assert reference.notes.get(target__code="10.7").text_en


def test_a_pack_without_a_reference_leaves_none_and_a_copy_keeps_it():
    template = _climate()
    copy = packs.duplicate_template(template)
    assert copy.sdg_reference.author == "City climate panel"
    packs.import_pack(_without_reference(packs.read_pack(CLIMATE_PACK)), replace=True)
    assert not Reference.objects.filter(template=template).exists()
    assert "sdg_reference" not in packs.export_pack(template)


def _without_reference(data):
    del data["sdg_reference"]
    return data


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda r: r.update(author=None), "sdg_reference.author: is required"),
        (lambda r: r["themes"][0].update(targets=[11.5]), "write target codes in quotes"),
        (lambda r: r["themes"][0].update(targets=["11.99"]), "11.99: no such SDG target"),
        (lambda r: r["actions"][0].update(sdgs=[0, 18]), "SDG numbers from 1 to 17"),
        (lambda r: r.update(colour="green"), "sdg_reference.colour: unknown field"),
        (lambda r: r["notes"].append(dict(r["notes"][0])), "one note per target"),
        (lambda r: r.update(themes="heat"), "sdg_reference.themes: must be a list"),
    ],
)
def test_a_bad_reference_names_its_place_and_changes_nothing(change, error):
    data = packs.read_pack(CLIMATE_PACK)
    change(data["sdg_reference"])
    with pytest.raises(packs.PackError) as raised:
        packs.import_pack(data)
    assert any(error in e for e in raised.value.errors), raised.value.errors
    assert not Reference.objects.exists()


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    return client


def _management(prefix: str, initial: int, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_template_page_shows_its_reference_and_links_to_it(admin_client):
    template = _climate()
    url = reverse("admin:workshop_workshoptemplate_change", args=[template.pk])
    html = admin_client.get(url).content.decode()
    assert 'value="City climate panel"' in html
    assert reverse("admin:sdgmap_reference_change", args=[template.sdg_reference.pk]) in html


def test_a_content_admin_edits_a_reference(admin_client):
    template = _climate()
    reference = template.sdg_reference
    heat, planning = reference.themes.all()
    first, second = reference.actions.all()
    note = reference.notes.get()
    url = reverse("admin:sdgmap_reference_change", args=[reference.pk])
    assert admin_client.get(url).status_code == 200
    target = Target.objects.get(code="6.4")
    data = {
        "template": str(template.pk),
        "author_en": "Urban adaptation panel",
        "author_fr": "Panel d'adaptation urbaine",
        "author_nl": "",
        "actions_title_en": "Priorities",
        "actions_title_fr": "",
        "actions_title_nl": "",
        **_management("themes", 2, 3),
        **_theme_form(0, heat, heat.name_en, ["11.5", "13.1"]),
        **_theme_form(1, planning, planning.name_en, ["11.3"]),
        **_theme_form(2, None, "Water", ["6.4"]),
        **_management("actions", 2, 2),
        **_action_form(0, first, [11, 13, 15]),
        **_action_form(1, second, [3, 11, 13]),
        **{"actions-1-DELETE": "on"},
        **_management("notes", 1, 1),
        "notes-0-id": str(note.pk),
        "notes-0-reference": str(reference.pk),
        "notes-0-target": str(note.target_id),
        "notes-0-text_en": note.text_en,
        "notes-0-text_fr": "",
        "notes-0-text_nl": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    reference.refresh_from_db()
    assert reference.author == "Urban adaptation panel"
    assert reference.author_fr == "Panel d'adaptation urbaine"
    assert [t.name for t in reference.themes.all()] == [
        "Heat and flooding",
        "Urban planning",
        "Water",
    ]
    assert list(reference.themes.get(name_en="Water").targets.all()) == [target]
    assert [a.number for a in reference.actions.all()] == [1]
    exported = packs.export_pack(template)["sdg_reference"]
    assert exported["themes"][2] == {"name": {"en": "Water"}, "targets": ["6.4"]}


def test_a_content_admin_adds_a_reference_to_a_template_without_one(admin_client):
    template = _climate(with_reference=False)
    response = admin_client.post(
        reverse("admin:sdgmap_reference_add"),
        {
            "template": str(template.pk),
            "author_en": "Our team",
            "author_fr": "",
            "author_nl": "",
            "actions_title_en": "",
            "actions_title_fr": "",
            "actions_title_nl": "",
            **_management("themes", 0, 1),
            **_theme_form(0, None, "Heat", ["13.1"]),
            **_management("actions", 0, 0),
            **_management("notes", 0, 0),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reference = Reference.objects.get(template=template)
    assert [t.name for t in reference.themes.all()] == ["Heat"]
    assert not ReferenceAction.objects.filter(reference=reference).exists()


def _theme_form(index: int, theme: ReferenceTheme | None, name: str, codes: list[str]):
    prefix = f"themes-{index}"
    return {
        f"{prefix}-id": str(theme.pk) if theme else "",
        f"{prefix}-reference": str(theme.reference_id) if theme else "",
        f"{prefix}-position": str(index + 1),
        f"{prefix}-name_en": name,
        f"{prefix}-name_fr": theme.name_fr if theme else "",
        f"{prefix}-name_nl": "",
        f"{prefix}-targets": [str(Target.objects.get(code=c).pk) for c in codes],
    }


def _action_form(index: int, action: ReferenceAction, sdgs: list[int]):
    prefix = f"actions-{index}"
    return {
        f"{prefix}-id": str(action.pk),
        f"{prefix}-reference": str(action.reference_id),
        f"{prefix}-number": str(action.number),
        f"{prefix}-title_en": action.title_en,
        f"{prefix}-title_fr": action.title_fr,
        f"{prefix}-title_nl": "",
        f"{prefix}-summary_en": action.summary_en,
        f"{prefix}-summary_fr": "",
        f"{prefix}-summary_nl": "",
        f"{prefix}-goals": [str(Goal.objects.get(number=n).pk) for n in sdgs],
    }
