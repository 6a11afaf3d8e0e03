"""English, French and Dutch: the interface from compiled catalogues, the
content per item with an English fallback, each audience in its own language."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from live.audiences import CONTROL, SCREEN, Audience
from live.regions import audience_for_participant, render_regions
from workshop import services
from workshop.models import Fact

from ..conftest import participant_client

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (for plurals: the singular forms), with
    fuzzy entries counted as untranslated. Enough of the format for ours."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r"^(msgid|msgid_plural|msgstr|msgstr\[0\]) (\".*\")$", line)
            if match:
                key = match.group(1)
                fields[key] = _unquote(match.group(2))
            elif line.startswith("msgstr["):
                key = None
            elif line.startswith('"') and key:
                fields[key] += _unquote(line)
        if fields.get("msgid"):
            fuzzy = "#, fuzzy" in block or ", fuzzy" in block
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries[fields["msgid"]] = "" if fuzzy else msgstr
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_it_ships_complete_compiled_catalogues(language):
    po = _po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(po) > 80
    untranslated = [msgid for msgid, msgstr in po.items() if not msgstr]
    assert untranslated == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for msgid, msgstr in po.items()
        if msgstr not in (catalogue.gettext(msgid), catalogue.ngettext(msgid, msgid, 1))
    ]
    assert stale == [], "run `make messages`: the .mo file is older than its .po"


def test_it_keeps_placeholders_in_translations():
    for language in ("fr", "nl"):
        po = _po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
        for msgid, msgstr in po.items():
            pattern = r"\{\w+\}|%\(\w+\)[sd]"
            assert sorted(re.findall(pattern, msgid)) == sorted(re.findall(pattern, msgstr)), msgid


@pytest.fixture
def french_content(template):
    step = template.ordered_steps().get(title_en="Who is IOM?")
    step.title_fr = "Qui est l'OIM ?"
    step.body_fr = "- Depuis 1951"
    step.save()
    Fact.objects.create(step=step, value_en="1951", label_en="Founded", label_fr="Fondée")
    return step


def test_a_participant_reads_the_content_in_their_language(session, participant, french_content):
    services.set_participant_language(participant, "fr")
    services.go_to_step(session, french_content.pk, session.facilitator)
    page = participant_client(participant).get(reverse("workshop:participant", args=[session.code]))
    html = page.content.decode()
    assert "Qui est l&#x27;OIM ?" in html and "Depuis 1951" in html and "Fondée" in html
    assert '<html lang="fr">' in html and "Reconnexion…" in html
    assert page["Content-Language"] == "fr"


def test_missing_translations_fall_back_to_english(session, participant, template):
    services.set_participant_language(participant, "nl")
    step = template.ordered_steps().get(title_en="SDG 10 and target 10.7")
    services.go_to_step(session, step.pk, session.facilitator)
    page = participant_client(participant).get(reverse("workshop:participant", args=[session.code]))
    html = page.content.decode()
    assert "SDG 10 and target 10.7" in html
    assert '<html lang="nl">' in html and "Opnieuw verbinden…" in html


def test_pushes_render_per_language_of_each_audience(session, participant, french_content):
    services.go_to_step(session, french_content.pk, session.facilitator)
    session.refresh_from_db()
    by_language = {}
    for language in ("en", "fr", "nl"):
        participant.language = language
        (stage,) = render_regions(session, audience_for_participant(participant), ["stage"])
        by_language[language] = stage["html"]
    assert "Who is IOM?" in by_language["en"] and "Founded" in by_language["en"]
    assert "Qui est l&#x27;OIM ?" in by_language["fr"] and "Fondée" in by_language["fr"]
    assert "Who is IOM?" in by_language["nl"]  # no Dutch: English


def test_the_projector_and_control_view_follow_their_own_languages(
    facilitator_client, session, french_content
):
    services.set_languages(session, session.facilitator, screen="nl", control="fr")
    services.go_to_step(session, french_content.pk, session.facilitator)
    session.refresh_from_db()
    control = facilitator_client.get(reverse("workshop:control", args=[session.public_id]))
    html = control.content.decode()
    assert '<html lang="fr">' in html and "Ouvrir l'écran du projecteur" in html
    assert "Suivant" in html and "Qui est l&#x27;OIM ?" in html
    screen = facilitator_client.get(reverse("workshop:screen", args=[session.public_id]))
    assert '<html lang="nl">' in screen.content.decode()
    (stage,) = render_regions(session, Audience(SCREEN, session.pk), ["stage"])
    assert "Who is IOM?" in stage["html"]  # the projector in Dutch falls back to English
    (room,) = render_regions(session, Audience(CONTROL, session.pk), ["room"])
    assert "Fermer les inscriptions" in room["html"]


def test_changing_the_control_language_reloads_the_control_page(facilitator_client, session):
    url = reverse("workshop:languages_set", args=[session.public_id])
    response = facilitator_client.post(
        url, {"screen": "en", "control": "nl"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Refresh"] == "true"
    assert "Volgende" in response.content.decode()


def test_facilitator_errors_come_in_the_control_language(facilitator_client, session):
    services.set_languages(session, session.facilitator, screen="en", control="fr")
    url = reverse("workshop:step_go", args=[session.public_id])
    response = facilitator_client.post(url, {"to": "previous"}, HTTP_HX_REQUEST="true")
    assert "C&#x27;est déjà la première étape." in response.content.decode()


def test_the_join_page_offers_the_languages_and_follows_the_browser(client):
    page = client.get(reverse("workshop:home"), HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")
    html = page.content.decode()
    assert "Doe mee met de workshop" in html
    assert 'action="/i18n/setlang/"' in html and "Français" in html and "Nederlands" in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Rejoindre l'atelier" in client.get("/").content.decode()


def test_a_participant_joins_in_the_browsers_language(client, session):
    client.post(
        reverse("workshop:join"),
        {"code": session.code, "nickname": "Noor"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert session.participants.get(nickname="Noor").language == "nl"


def test_join_errors_are_translated(client, session):
    page = client.post(
        reverse("workshop:join"), {"code": "ZZZZZZ", "nickname": ""}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Aucun atelier n&#x27;a ce code." in page.content.decode()


def test_a_participant_switches_language_on_the_phone(session, participant):
    phone = participant_client(participant)
    response = phone.post(
        reverse("workshop:participant_language", args=[session.code]), {"language": "nl"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    participant.refresh_from_db()
    assert participant.language == "nl"
    page = phone.get(response["Location"]).content.decode()
    assert '<html lang="nl">' in page and 'value="nl" lang="nl" selected' in page


def test_an_unknown_language_changes_nothing(session, participant):
    phone = participant_client(participant)
    phone.post(reverse("workshop:participant_language", args=[session.code]), {"language": "xx"})
    participant.refresh_from_db()
    assert participant.language == "en"


def test_with_htmx_the_phone_reloads_in_the_new_language(session, participant):
    phone = participant_client(participant)
    response = phone.post(
        reverse("workshop:participant_language", args=[session.code]),
        {"language": "fr"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Refresh"] == "true"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_english_fallbacks_are_marked_for_screen_readers(session, participant, french_content):
    services.set_participant_language(participant, "fr")
    services.go_to_step(session, french_content.pk, session.facilitator)
    html = (
        participant_client(participant)
        .get(reverse("workshop:participant", args=[session.code]))
        .content.decode()
    )
    assert "<h1>Qui est l&#x27;OIM ?</h1>" in html  # French: the page's own language
    assert '<span class="fact-value" lang="en">1951</span>' in html  # no French value
    assert '<span class="fact-label">Fondée</span>' in html


def test_step_kind_context_functions_run_in_the_audiences_language(session, participant):
    from django.utils import translation

    from workshop import step_kinds

    seen = []
    original = step_kinds.get("content")
    spec = step_kinds.StepKindSpec(
        "content",
        original.template_dir,
        context=lambda target: seen.append(translation.get_language()) or {"facts": []},
    )
    step_kinds.register(spec)
    try:
        participant.language = "nl"
        services.go_to_step(session, session.ordered_steps()[1].pk, session.facilitator)
        session.refresh_from_db()
        render_regions(session, audience_for_participant(participant), ["stage"])
        render_regions(session, Audience(SCREEN, session.pk), ["stage"])
    finally:
        step_kinds.register(original)
    assert seen == ["nl", session.screen_language]
