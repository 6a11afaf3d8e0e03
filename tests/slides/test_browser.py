"""A session made of a 12-page deck with two questions between its slides,
in real browsers: decks uploaded in English, French and Dutch through the
admin, a projector and three phones (en, fr, nl) following the facilitator.
Each phone shows its language's slide and text, and already holds the next
slide's image when the facilitator clicks Next. With axe scans."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..live_server import LiveServer
from ..workshop.test_accessibility import assert_accessible, serve_axe
from ..workshop.test_browser import PHONE, PROJECTOR
from . import pdfs

pytestmark = pytest.mark.browser

PACK = Path(__file__).parent / "data" / "slides-pack.yaml"
PAGES = 12
LANGUAGE_NAMES = {"en": "English", "fr": "French", "nl": "Dutch"}
# The run of show once the questions are placed: after slides 4 and 8.
PLACE_QUESTIONS = """
from django.db import transaction
from workshop import run_of_show
from workshop.models import WorkshopTemplate
t = WorkshopTemplate.objects.get(slug="slides-mini")
steps = list(t.ordered_steps())
lobby, q1, q2, slides = steps[0], steps[1], steps[2], steps[3:]
order = [lobby] + slides[:4] + [q1] + slides[4:8] + [q2] + slides[8:]
with transaction.atomic():
    run_of_show.lock_template(t)
    run_of_show.write_order(t, [s.pk for s in order])
"""


@pytest.fixture(scope="module")
def slides_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("slides-live")
    # A media folder of its own: never the working tree's.
    server = LiveServer(workdir, {"MEDIA_ROOT": str(workdir / "media")})
    server.prepare(str(PACK))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def deck_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decks")
    made = pdfs.make_decks([("en", PAGES, "16:9"), ("fr", PAGES, "16:9"), ("nl", PAGES, "4:3")])
    paths = {}
    for language, data in zip(["en", "fr", "nl"], made, strict=True):
        paths[language] = folder / f"deck-{language}.pdf"
        paths[language].write_bytes(data)
    return paths


def _upload(admin, server, language: str, path: Path) -> None:
    admin.goto(server.url + "/admin/slides/deck/add/")
    admin.select_option("#id_template", label="Slides mini")
    admin.select_option("#id_language", language)
    admin.set_input_files("#id_pdf", str(path))
    admin.click("input[name=_save]")
    # The progress page comes again by itself until the job ends.
    expect(admin.get_by_test_id("upload-result")).to_contain_text(
        f"Rendered {PAGES} pages in", timeout=60_000
    )


def _upload_beside_the_run_of_show(page, server, language: str, path: Path) -> None:
    """The run-of-show side's upload: rendered in the background, its
    progress polled until the summary shows."""
    page.goto(server.url + "/facilitate/templates/slides-mini/run-of-show/")
    page.click("text=Slide decks")
    page.select_option("#id_language", language)
    page.set_input_files("#id_pdf", str(path))
    page.click("text=Upload and render")
    expect(page.locator("#upload-progress")).to_contain_text(f"Rendered {PAGES} pages in")
    # The list of decks comes with the result: this language's is in it.
    expect(page.locator("#decks li", has_text=LANGUAGE_NAMES[language])).to_contain_text(
        f"{PAGES} pages"
    )


def _phone(browser, server, code, nickname, locale):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    serve_axe(context)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.fill("#id_nickname", nickname)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    return page


def _wait_until_fetched(page, url: str) -> None:
    """The image's bytes arrived (a resource timing entry with its end)."""
    page.wait_for_function(
        """(url) => performance.getEntriesByName(new URL(url, location.href).href)
                      .some((e) => e.responseEnd > 0)""",
        arg=url,
    )


def _shown_from_cache(page, url: str) -> bool:
    """The slide's image is displayed, and nothing more than the prefetch
    crossed the network for it (a cache hit transfers 0 bytes)."""
    page.wait_for_function(
        """(url) => { const img = document.querySelector("#stage .slide-image");
                      return img && img.src === new URL(url, location.href).href
                             && img.complete && img.naturalWidth > 0; }""",
        arg=url,
    )
    transfers = page.evaluate(
        """(url) => performance.getEntriesByName(new URL(url, location.href).href)
                      .map((e) => e.transferSize)""",
        url,
    )
    return len(transfers) >= 1 and all(size == 0 for size in transfers[1:])


def _next(control) -> None:
    control.locator("button[value=next]").click()


def test_a_deck_with_questions_between_slides_in_three_languages(
    browser, slides_server, deck_files, screenshot_dir
):
    server = slides_server
    control_context = browser.new_context(viewport={"width": 1280, "height": 900})
    serve_axe(control_context)
    control = control_context.new_page()
    sign_in(control, server)
    _upload(control, server, "en", deck_files["en"])
    _upload(control, server, "fr", deck_files["fr"])
    _upload_beside_the_run_of_show(control, server, "nl", deck_files["nl"])
    control.screenshot(path=str(screenshot_dir / "slides-upload.png"))
    server.manage("shell", "-c", PLACE_QUESTIONS)

    control.goto(server.url + "/facilitate/")
    control.select_option("#id_template", label="Slides mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen_context = browser.new_context(viewport=PROJECTOR)
    serve_axe(screen_context)
    screen = screen_context.new_page()
    screen.goto(server.url + control.locator(".control-links a").first.get_attribute("href"))
    phones = {
        "en": _phone(browser, server, code, "Amina", "en-GB"),
        "fr": _phone(browser, server, code, "Léa", "fr-BE"),
        "nl": _phone(browser, server, code, "Bram", "nl-BE"),
    }
    words = {"en": "Slide", "fr": "Diapositive", "nl": "Dia"}

    # --- slide 1: each phone its language's image and text ----------------------
    control.locator(".agenda-item button", has_text="Slide 1").first.click()
    for language, phone in phones.items():
        expect(phone.locator("#stage .slide-text")).to_contain_text(f"{words[language]} 1")
        expect(phone.locator("#stage .slide-image")).to_have_attribute(
            "src", re.compile(rf"^/media/slides/t\d+/{language}/001-phone-[0-9a-f]{{16}}\.webp$")
        )
    expect(screen.locator("#stage .slide-image")).to_have_attribute(
        "src", re.compile(r"^/media/slides/t\d+/en/001-projector-[0-9a-f]{16}\.webp$")
    )
    expect(screen.locator("#joinbar .joinbar-code")).to_have_text(code)
    expect(control.locator(".agenda-thumb")).to_have_count(PAGES)
    assert_accessible(phones["fr"], "phone on a slide (fr)")
    assert_accessible(screen, "projector on a slide")
    phones["fr"].screenshot(path=str(screenshot_dir / "phone-slide-fr.png"), full_page=True)
    screen.screenshot(path=str(screenshot_dir / "projector-slide.png"))
    control.screenshot(path=str(screenshot_dir / "control-slide.png"))

    # --- Next: the next slide was fetched ahead, and shows from the cache --------
    for _ in range(3):
        ahead = {lang: _prefetch_url(phone) for lang, phone in phones.items()}
        for language, phone in phones.items():
            _wait_until_fetched(phone, ahead[language])
        _next(control)
        for language, phone in phones.items():
            assert _shown_from_cache(phone, ahead[language]), language
    for language, phone in phones.items():
        expect(phone.locator("#stage .slide-text")).to_contain_text(f"{words[language]} 4")

    # --- a question between slides 4 and 5: slide 5 is fetched ahead from it ----
    _next(control)
    expect(phones["fr"].locator("#stage")).to_contain_text("Depuis quand l'OIM")
    expect(phones["nl"].locator("#stage")).to_contain_text("Sinds wanneer steunt de IOM")
    ahead = {lang: _prefetch_url(phone) for lang, phone in phones.items()}
    for language, phone in phones.items():
        assert re.search(r"/005-phone-[0-9a-f]{16}\.webp$", ahead[language]), ahead[language]
        _wait_until_fetched(phone, ahead[language])
    _next(control)
    for language, phone in phones.items():
        expect(phone.locator("#stage .slide-text")).to_contain_text(f"{words[language]} 5")
        assert _shown_from_cache(phone, ahead[language]), language
    phones["nl"].screenshot(path=str(screenshot_dir / "phone-slide-nl-4-3.png"), full_page=True)


def _prefetch_url(phone) -> str:
    return phone.locator("#stage [data-prefetch]").get_attribute("data-prefetch")


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("projector", PROJECTOR)])
def test_without_javascript_an_upload_shows_its_progress_and_a_slide_step_is_inserted(
    browser, slides_server, deck_files, screenshot_dir, size, viewport
):
    """Both upload pages come again by themselves until the upload ends;
    the editor's Insert here takes a slide page. No script runs."""
    server = slides_server
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server)
    page.goto(server.url + "/admin/slides/deck/add/")
    page.select_option("#id_template", label="Slides mini")
    page.select_option("#id_language", "en")
    page.set_input_files("#id_pdf", str(deck_files["en"]))
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/slides/deck/upload/*/")
    page.screenshot(path=str(screenshot_dir / f"slides-admin-progress-{size}.png"))
    expect(page.get_by_test_id("upload-result")).to_contain_text(
        f"Rendered {PAGES} pages in", timeout=60_000
    )
    page.screenshot(path=str(screenshot_dir / f"slides-admin-done-{size}.png"), full_page=True)

    # The run-of-show side's page polls with htmx; without it, it comes again.
    page.goto(server.url + "/facilitate/templates/slides-mini/slides/")
    page.select_option("#id_language", "fr")
    page.set_input_files("#id_pdf", str(deck_files["fr"]))
    page.click("text=Upload and render")
    expect(page.get_by_test_id("upload-result")).to_contain_text(
        f"Rendered {PAGES} pages in", timeout=60_000
    )
    expect(page.locator(".panel li", has_text="French")).to_contain_text(f"{PAGES} pages")

    page.goto(server.url + "/facilitate/templates/slides-mini/run-of-show/")
    first_insert = page.locator("details.ros-insert").first
    first_insert.locator("summary").click()
    first_insert.get_by_test_id("insert-kind").select_option("slide")
    # The field's bounds are the deck's (the server checks them too).
    field = first_insert.get_by_test_id("insert-slide-number")
    expect(field).to_have_attribute("max", str(PAGES))
    field.fill("3")
    page.screenshot(path=str(screenshot_dir / f"slides-insert-{size}.png"))
    first_insert.get_by_test_id("insert-submit").click()
    expect(page.locator("body")).to_contain_text("Inserted “Slide 3” at position 1.")
    expect(page.get_by_test_id("ros-step").first).to_contain_text("Slide 3")
    context.close()
