"""XSS: participant text, fuzzed with XSS payloads, rendered everywhere it shows.

Participant text today: nicknames and group names (a facilitator types those,
but from what the room shouts). Every page reachable by URL (found by walking
the URLconf, so new pages are covered as they land), the admin pages that list
participants, every htmx fragment, every websocket push and snapshot: parsed,
and checked that no payload injected an element, an attribute or a script.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from live import hub
from live.audiences import CONTROL, PARTICIPANT, REGION_TEMPLATES, SCREEN, Audience
from live.regions import audience_for_participant, render_regions
from qna import services as qna
from qna.models import Question
from reports.csv import FORMULA_STARTS
from sdgmap import services as sdg
from tests.factories import StepFactory, UserFactory
from workshop import services
from workshop.models import Step
from workshop.templatetags.workshop_tags import rich_text

from ..conftest import participant_client
from .xss import PAYLOADS, injected

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["live", "workshop", "quizzes", "sdgmap", "qna", "slides", "reports"]
EXAMPLES = 15


def _text(max_size: int, pieces: int = 3):
    # No NUL and no lone surrogate: every way in refuses them
    # (tests/security/test_input.py). Unless told, characters() gives both.
    piece = st.sampled_from(PAYLOADS) | st.text(
        st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=8
    )
    return (
        st.lists(piece, min_size=1, max_size=pieces)
        .map(lambda parts: " ".join("".join(parts).split())[:max_size].strip())
        .filter(bool)
    )


def _url_patterns(patterns=None, namespace: str = ""):
    """(name, route kwargs) of every named URL of our apps."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in APPS or (ns == "" and entry.app_name is None and not namespace):
                yield from _url_patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name and namespace in APPS:
            yield f"{namespace}:{entry.name}", set(entry.pattern.converters)


def _fillings(session) -> dict[str, list]:
    """Values for the URL arguments our apps use."""
    from reports.registry import exports

    return {
        "public_id": [session.public_id],
        "code": [session.code],
        "key": [e.key for e in exports()],
        "lang": ["en", "fr"],
    }


def _pages(session, participant):
    """Every GET-able URL of our apps whose arguments we know how to fill."""
    fill = _fillings(session)
    for name, kwargs in _url_patterns():
        if not kwargs <= set(fill):
            continue
        combos = [{}]
        for key in sorted(kwargs):
            combos = [{**c, key: v} for c in combos for v in fill[key]]
        for combo in combos:
            yield reverse(name, kwargs=combo)


class Renders:
    """Collects every rendering of participant text and what it injected."""

    def __init__(self, payloads: list[str]) -> None:
        self.payloads = payloads
        self.count = 0
        self.problems: list[str] = []

    def check(self, where: str, html: str) -> None:
        self.count += 1
        self.problems += [f"{where}: {p}" for p in injected(html, self.payloads)]

    def check_csv(self, where: str, text: str) -> None:
        """Exports: no cell a spreadsheet would run as a formula."""
        self.count += 1
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    self.problems.append(f"{where}: formula cell {cell!r}")


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def on_exercise(session, template, facilitator):
    """The session on an open SDG exercise: cards show reasoning everywhere."""
    step = StepFactory(template=template, position=9, kind=Step.Kind.EXERCISE, title="Map")
    services.go_to_step(session, step.pk, facilitator)
    services.configure_groups(session, facilitator, names=["Group A", "Group B"], mode="choose")
    sdg.start_exercise(session, facilitator, allocation="all", minutes=0)
    session.refresh_from_db()
    return step


def test_participant_text_is_escaped_everywhere(
    session, facilitator, facilitator_client, admin_client, on_exercise, figures
):
    totals = {"examples": 0, "renders": 0}
    pages: set[str] = set()
    counter = iter(range(10**6))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        # Rendering every page is slow; a failure is reported as found.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(
        nickname=_text(services.NICKNAME_MAX_LENGTH),
        group_name=_text(60),
        reasoning=_text(500, pieces=6),
        question=_text(280, pieces=4),
        reply=_text(1000, pieces=6),
    )
    def fuzz(nickname, group_name, reasoning, question, reply):
        session.participants.all().delete()
        session.room_questions.all().delete()
        services.configure_groups(
            session, facilitator, names=[group_name, "Other group"], mode="choose"
        )
        participant = services.join_session(session.code, nickname=nickname)
        group = session.groups.get(name=group_name)
        services.choose_group(participant, group.pk)
        participant.refresh_from_db()
        sdg.edit_card(
            participant, sdg=10, field="reasoning", value=reasoning, client_id=f"x{next(counter)}"
        )
        sdg.set_spotlight(session, facilitator, 10)
        # A question under the nickname, approved, highlighted and replied to,
        # and one waiting: every Q&A view shows one or the other.
        asked = qna.ask_question(participant, question, client_id=f"q{next(counter)}")
        qna.approve(session, facilitator, asked.pk)
        qna.highlight(session, facilitator, asked.pk)
        qna.set_reply(session, facilitator, asked.pk, reply)
        Question.objects.filter(pk=asked.pk).update(
            created_at=timezone.now() - timedelta(minutes=1)
        )
        qna.ask_question(participant, question[:270] + " ?", client_id=f"q{next(counter)}")
        asked.refresh_from_db()
        renders = Renders(
            [participant.nickname, group.name, reasoning.strip(), asked.text, asked.reply]
        )
        phone = participant_client(participant)

        for url in _pages(session, participant):
            for who, client in (("facilitator", facilitator_client), ("participant", phone)):
                response = client.get(url)
                if response.status_code != 200:
                    continue
                kind = response["Content-Type"]
                pages.add(url.replace(session.code, "<code>"))
                body = response.content.decode()
                if "html" in kind:
                    renders.check(f"GET {url} as {who}", body)
                elif "csv" in kind:
                    renders.check_csv(f"GET {url} as {who}", body)

        for url in (
            reverse("admin:workshop_participant_changelist")
            if _registered("participant")
            else None,
            reverse("admin:workshop_workshopsession_change", args=[session.pk]),
            reverse("admin:workshop_group_changelist") if _registered("group") else None,
        ):
            if url:
                response = admin_client.get(url)
                assert response.status_code == 200, url
                renders.check(f"admin {url}", response.content.decode())

        # htmx fragments: control actions, a participant's own action.
        for action, data in (
            ("step_go", {"to": on_exercise.pk}),
            ("languages_set", {"screen": "en"}),
            ("qna:moderate", {"do": "highlight", "question": asked.pk}),
        ):
            response = facilitator_client.post(
                reverse(
                    action if ":" in action else f"workshop:{action}",
                    kwargs={"public_id": session.public_id},
                ),
                {"control": "en", **data},
                HTTP_HX_REQUEST="true",
            )
            renders.check(f"htmx {action}", response.content.decode())
        response = phone.post(
            reverse("workshop:participant_language", kwargs={"code": session.code}),
            {"language": "en"},
            HTTP_HX_REQUEST="true",
        )
        renders.check("htmx participant_language", response.content.decode())
        # The join form shown again with the typed nickname, after an error.
        response = Client().post(
            reverse("workshop:join"), {"code": session.code, "nickname": participant.nickname}
        )
        renders.check("join form again", response.content.decode())

        # Websocket pushes exactly as the hub builds them, and a socket's snapshot.
        audiences = [
            Audience(SCREEN, session.pk),
            Audience(CONTROL, session.pk),
            *(Audience(PARTICIPANT, session.pk, g.pk, "en") for g in session.groups.all()),
            Audience(PARTICIPANT, session.pk, None, "fr"),
        ]
        pushes = hub._render_for_audiences(session.pk, audiences, list(REGION_TEMPLATES))
        for audience, text in pushes.items():
            for region in json.loads(text)["regions"]:
                renders.check(f"push {audience.key} #{region['id']}", region["html"])
        for region in render_regions(
            session, audience_for_participant(participant), None, participant
        ):
            renders.check(f"snapshot #{region['id']}", region["html"])

        totals["examples"] += 1
        totals["renders"] += renders.count
        assert renders.problems == []

    fuzz()
    figures("xss_examples", totals["examples"])
    figures("xss_renders_checked", totals["renders"])
    figures("xss_unescaped", 0)
    print("pages rendered:", sorted(pages))
    assert {"/p/<code>/", f"/facilitate/{session.public_id}/"} <= pages
    assert f"/screen/{session.public_id}/" in pages
    assert any(p.endswith(".csv") for p in pages), pages  # the exports
    assert f"/facilitate/{session.public_id}/report/" in pages
    assert "/p/<code>/questions/mine" in pages


@pytest.fixture
def on_slides(session, template, facilitator, settings, tmp_path):
    """The session on a slide step of a two-page deck, and a content step
    with an image: the slides' text and the image's alt text show on every
    screen and in the admin."""
    from slides.models import Deck, Slide

    settings.MEDIA_ROOT = tmp_path
    deck = Deck.objects.create(
        template=template, language="en", source="decks/t.pdf", source_sha256="0" * 64
    )
    for number in (1, 2):
        names = {s: f"slides/t{template.pk}/en/{number:03d}-{s}-0.webp" for s in SIZES}
        Slide.objects.create(deck=deck, number=number, **names)
    slide = StepFactory(
        template=template, position=10, kind=Step.Kind.SLIDE, slide_number=1, title="1"
    )
    StepFactory(template=template, position=11, kind=Step.Kind.SLIDE, slide_number=2, title="2")
    pictured = StepFactory(template=template, position=12, title="Pictured", image="images/a.png")
    return deck, slide, pictured


SIZES = ("projector", "phone", "thumbnail")


def test_slide_text_and_image_alt_text_are_escaped_everywhere(
    session, facilitator, admin_client, on_slides, figures
):
    deck, slide, pictured = on_slides
    totals = {"renders": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: see above
    )
    @given(text=_text(2000, pieces=8), alt=_text(300), notes=_text(500), title=_text(200))
    def fuzz(text, alt, notes, title):
        # The text a PDF's pages gave, the notes and title an editor typed.
        deck.slides.update(text=text)
        Step.objects.filter(pk=slide.pk).update(title_en=title, facilitator_notes_en=notes)
        Step.objects.filter(pk=pictured.pk).update(image_alt_en=alt, image_alt_fr=alt)
        renders = Renders([text, alt, notes, title])
        audiences = [
            Audience(SCREEN, session.pk),
            Audience(CONTROL, session.pk),
            Audience(PARTICIPANT, session.pk, None, "fr"),
            Audience(PARTICIPANT, session.pk, None, "nl"),
        ]
        for step in (slide, pictured):
            services.go_to_step(session, step.pk, facilitator)
            pushes = hub._render_for_audiences(session.pk, audiences, list(REGION_TEMPLATES))
            for audience, pushed in pushes.items():
                for region in json.loads(pushed)["regions"]:
                    renders.check(f"push {audience.key} #{region['id']}", region["html"])
        for url in (
            reverse("admin:slides_deck_change", args=[deck.pk]),
            reverse("admin:workshop_step_change", args=[pictured.pk]),
            reverse("admin:workshop_step_change", args=[slide.pk]),
        ):
            response = admin_client.get(url)
            assert response.status_code == 200, url
            renders.check(f"admin {url}", response.content.decode())
        _check_upload_pages(admin_client, deck.template, renders, error=text, title=title)
        totals["renders"] += renders.count
        assert renders.problems == []

    fuzz()
    figures("xss_slide_renders_checked", totals["renders"])


def _check_upload_pages(client, template, renders, *, error: str, title: str) -> None:
    """An upload's progress pages (its error, the titles of the steps its
    new version left without a page) and the editor's refused slide insert
    (the page number as typed)."""
    from slides.models import DeckUpload

    failed = DeckUpload.objects.create(
        template=template, language="en", state="failed", error=error
    )
    result = {"pages": 2, "seconds": 1.0, "replaced": True, "steps_without_page": [title]}
    done = DeckUpload.objects.create(template=template, language="fr", state="done", result=result)
    for upload in (failed, done):
        for url in (
            reverse("admin:slides_deck_upload", args=[upload.public_id]),
            reverse("slides:job", kwargs={"slug": template.slug, "job": upload.public_id}),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            renders.check(f"upload {url}", response.content.decode())
    refused = client.post(
        reverse("workshop:ros_insert", kwargs={"slug": template.slug}),
        {"after": "", "kind": "slide", "slide_number": title},
    )
    assert refused.status_code == 400
    renders.check("refused slide insert", refused.content.decode())


def _registered(model: str) -> bool:
    from django.contrib import admin

    return any(
        (m._meta.app_label, m._meta.model_name) == ("workshop", model) for m in admin.site._registry
    )


@given(text=st.lists(st.sampled_from([*PAYLOADS, "- ", "\n", "\n\n", "x"]), max_size=12))
@settings(max_examples=150, deadline=None)
def test_rich_text_escapes_what_it_is_given(text):
    """rich_text is one of the two allowed mark_safe: it must escape first."""
    source = "".join(text)
    html = str(rich_text(source))
    assert injected(html, PAYLOADS) == []
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= {"p", "br", "ul", "li"}, tags
    assert re.search(r"<(p|br|ul|li)\s", html) is None  # our tags carry no attribute


# --- nothing marks participant text safe ---------------------------------------------

TAGS = "workshop/templatetags/workshop_tags.py"
# Each allowed mark_safe and why it holds no unescaped participant text.
ALLOWED_MARK_SAFE = {
    (TAGS, "qr_code"),  # an SVG segno draws from the join URL (code + base URL)
    (TAGS, "rich_text"),  # escapes every piece first (tested above)
    (TAGS, "lang_attr"),  # a constant: ' lang="en"' or ""
    # The step previews (admin and run-of-show editor): the output of
    # render_to_string, which autoescapes, for a rolled-back session that has
    # no participant.
    ("workshop/previews.py", "render_stage"),
    ("quizzes/admin.py", "preview"),  # a translated constant sentence
    ("live/regions.py", "_group_options"),  # the constant " selected"; names escaped
}
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off|{%\s*filter\s+safe")
UNSAFE_JS = re.compile(
    r"innerHTML\s*=(?!\s*[\"']{2})|outerHTML\s*=|insertAdjacentHTML"
    r"|document\.write|\beval\(|new Function"
)
ALLOWED_JS = {("static/js/live.js", "template.innerHTML = region.html.trim();")}


def _source_files(*suffixes: str):
    for folder in ("templates", "static", *APPS):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path


def test_no_template_turns_escaping_off():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _source_files(".html", ".txt", ".xml")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if UNSAFE_TEMPLATE.search(line)
    ]
    assert found == []


class _SafeMarkers(ast.NodeVisitor):
    """(function, call) for every call that marks a string safe."""

    def __init__(self) -> None:
        self.owners: list[str] = ["<module>"]
        self.found: set[str] = set()

    def visit_FunctionDef(self, node) -> None:
        self.owners.append(node.name)
        self.generic_visit(node)
        self.owners.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node) -> None:
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in {"mark_safe", "SafeString", "SafeText", "mark_for_escaping"}:
            self.found.add(self.owners[-1])
        self.generic_visit(node)


def test_mark_safe_only_where_it_escapes_itself():
    found = set()
    for path in _source_files(".py"):
        markers = _SafeMarkers()
        markers.visit(ast.parse(path.read_text()))
        found |= {(str(path.relative_to(ROOT)), owner) for owner in markers.found}
    assert found <= ALLOWED_MARK_SAFE, found - ALLOWED_MARK_SAFE
    assert found >= ALLOWED_MARK_SAFE  # the check above would notice a rename


def test_no_script_builds_html_from_strings():
    found = [
        (str(path.relative_to(ROOT)), line.strip())
        for path in _source_files(".js")
        if "vendor" not in path.parts
        for line in path.read_text().splitlines()
        if UNSAFE_JS.search(line)
    ]
    assert set(found) <= ALLOWED_JS, set(found) - ALLOWED_JS


def test_htmx_never_evaluates_and_only_calls_home(client, session):
    html = client.get(reverse("workshop:home")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match, "htmx-config meta missing"
    config = json.loads(match.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    base = (ROOT / "templates" / "base.html").read_text()
    assert base.index('name="htmx-config"') < base.index("htmx-2.min.js")  # read before htmx loads
