"""Quiz questions and their reveal pass an axe-core scan (0 serious or
critical violations) on the phone (French, Dutch) and the projector."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..workshop.test_accessibility import assert_accessible, assert_tap_targets, serve_axe
from ..workshop.test_browser import PHONE, PROJECTOR
from .conftest import QUIZ_PACK

pytestmark = pytest.mark.browser


def _phone(browser, server, code, nickname, locale):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    serve_axe(context)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.fill("#id_nickname", nickname)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    return page


def test_questions_and_reveals_pass_an_axe_scan(browser, live_server_proc, screenshot_dir):
    server = live_server_proc
    server.manage("import_pack", str(QUIZ_PACK), "--replace")
    control_context = browser.new_context(viewport={"width": 1280, "height": 900})
    serve_axe(control_context)
    control = control_context.new_page()
    sign_in(control, server)
    control.select_option("#id_template", label="Quiz mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    control.click("summary:has-text('Languages')")
    control.select_option("select[name=screen]", "nl")
    control.click("button:has-text('Save languages')")
    screen_context = browser.new_context(viewport=PROJECTOR)
    serve_axe(screen_context)
    screen = screen_context.new_page()
    screen.goto(server.url + control.locator(".control-links a").first.get_attribute("href"))
    lea = _phone(browser, server, code, "Léa", "fr-BE")
    jan = _phone(browser, server, code, "Jan", "nl-BE")

    control.click("button[value=next]")  # the SDG question
    control.click("[data-testid=quiz-open]")
    expect(lea.locator(".sdg-choice")).to_have_count(17)
    for page, name in ((lea, "SDG question phone (fr)"), (jan, "SDG question phone (nl)")):
        assert_accessible(page, name)
        assert_tap_targets(page, name)
    assert_accessible(screen, "SDG question projector (nl)")
    lea.screenshot(path=str(screenshot_dir / "quiz-sdg-question-phone-fr.png"))
    lea.locator(".sdg-choice.sdg-10").click()
    lea.click("[data-quiz-submit]")
    # Acknowledged, not only sent: a reveal that overtakes the answer closes
    # the question before it, and the verdict is then "no answer".
    acknowledged = re.compile("Votre réponse est enregistrée")
    expect(lea.locator("[data-answer-status]")).to_have_text(acknowledged)
    control.click("[data-testid=quiz-reveal]")
    expect(lea.locator(".verdict")).to_have_text("Bonne réponse !")
    expect(jan.locator(".verdict")).to_have_text(re.compile(r"\S"))
    assert_accessible(lea, "SDG reveal phone (fr)")
    assert_accessible(jan, "SDG reveal phone (nl)")
    assert_accessible(screen, "SDG reveal projector (nl)")
    lea.screenshot(path=str(screenshot_dir / "quiz-sdg-reveal-phone-fr.png"))
    screen.screenshot(path=str(screenshot_dir / "quiz-sdg-reveal-projector-nl.png"))

    control.click("button[value=next]")  # a single-choice question
    control.click("[data-testid=quiz-open]")
    expect(jan.locator(".choice").first).to_be_visible()
    assert_accessible(jan, "choice question phone (nl)")
    assert_tap_targets(jan, "choice question phone (nl)")
    assert_accessible(control, "question control view")
    jan.screenshot(path=str(screenshot_dir / "quiz-choice-phone-nl.png"))
    control.click("[data-testid=quiz-reveal]")
    expect(screen.locator(".bar-row.is-correct")).to_have_count(1)
    assert_accessible(screen, "choice reveal projector (nl)")
    screen.screenshot(path=str(screenshot_dir / "quiz-choice-reveal-projector-nl.png"))
    for page in (lea, jan, screen, control):
        page.context.close()
