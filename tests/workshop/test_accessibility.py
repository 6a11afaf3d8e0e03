"""WCAG 2.2 AA on the pages people use: an axe-core scan of the join page,
the phone (lobby and content), the projector and the control view, in
English, French and Dutch, with 0 serious or critical violations; tap
targets of 44 px on the phone. Screenshots in fr and nl for a human look."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_browser import PHONE, PROJECTOR, _open_session

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
AXE_URL = "/__tests__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def serve_axe(context) -> None:
    """axe-core from the app's own origin (CSP: scripts from 'self' only),
    served by the test itself so the product never ships it."""
    context.route(
        "**" + AXE_URL,
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
    )


def axe_violations(page) -> list[dict]:
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_TAGS,
    )


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"


def assert_tap_targets(page, name: str) -> None:
    """Every control a thumb uses is at least 44 x 44 CSS px (WCAG 2.5.5).
    A radio or checkbox counts with its label, which taps it too."""
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                "button, select, input:not([type=hidden]), textarea, a.button, [role=button]")]
            .filter((el) => el.offsetParent !== null)
            .map((el) => {
                let target = el;
                if (el.matches("input[type=radio], input[type=checkbox]")) {
                    target = el.closest("label")
                        || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
                }
                const box = target.getBoundingClientRect();
                return {el: el.outerHTML.slice(0, 80), width: box.width, height: box.height};
            })
            .filter((r) => r.height < 44 || r.width < 44)"""
    )
    assert small == [], f"{name}: {len(small)} small targets, e.g. {small[:3]}"


def _phone(browser, server, code, nickname, language):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=language)
    serve_axe(context)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.fill("#id_nickname", nickname)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    return page


def test_the_pages_people_use_pass_an_axe_scan_in_three_languages(
    browser, live_server_proc, screenshot_dir
):
    server = live_server_proc
    control, code = _open_session(browser, server)
    serve_axe(control.context)

    # The join page, in the browser's language (French here).
    join_context = browser.new_context(viewport=PHONE, is_mobile=True, locale="fr-BE")
    serve_axe(join_context)
    join = join_context.new_page()
    join.goto(f"{server.url}/j/{code}")
    expect(join.locator("h1")).to_have_text("Rejoindre l'atelier")
    assert_accessible(join, "join (fr)")
    assert_tap_targets(join, "join (fr)")
    join.screenshot(path=str(screenshot_dir / "join-phone-fr.png"))
    # The scanner works: an unlabelled field is a critical violation.
    join.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input>')")
    assert "label" in {v["id"] for v in axe_violations(join) if v["impact"] == "critical"}
    join.select_option("#page-language", "nl")
    expect(join.locator("h1")).to_have_text("Doe mee met de workshop")

    # Phones in French and Dutch, on the lobby.
    chloe = _phone(browser, server, code, "Chloé", "fr-FR")
    noor = _phone(browser, server, code, "Noor", "nl-BE")
    expect(chloe.locator("html")).to_have_attribute("lang", "fr")
    expect(noor.locator(".waiting")).to_contain_text("Je bent binnen!")
    for page, name in ((chloe, "lobby phone (fr)"), (noor, "lobby phone (nl)")):
        assert_accessible(page, name)
        assert_tap_targets(page, name)
    noor.screenshot(path=str(screenshot_dir / "lobby-phone-nl.png"))

    # The projector in Dutch, the control view in French.
    control.click("summary:has-text('Languages')")
    control.select_option("select[name=screen]", "nl")
    control.select_option("select[name=control]", "fr")
    control.click("button:has-text('Save languages')")
    expect(control.locator("html")).to_have_attribute("lang", "fr")
    expect(control.locator("button[value=next]")).to_contain_text("Suivant")
    screen_context = browser.new_context(viewport=PROJECTOR)
    serve_axe(screen_context)
    screen = screen_context.new_page()
    screen.goto(server.url + control.locator(".control-links a").first.get_attribute("href"))
    expect(screen.locator(".lobby-instruction")).to_have_text("Doe mee via je telefoon")
    assert_accessible(screen, "lobby projector (nl)")
    screen.screenshot(path=str(screenshot_dir / "lobby-projector-nl.png"))
    assert_accessible(control, "control (fr)")

    # A content step: French content for Chloé, Dutch for Noor and the projector.
    control.click("button[value=next]")
    expect(chloe.locator("#stage h1")).to_have_text("Qui est l'OIM ?")
    expect(noor.locator("#stage h1")).to_have_text("Wie is IOM?")
    expect(screen.locator("#stage h1")).to_have_text("Wie is IOM?")
    expect(chloe.locator(".fact-label")).to_have_text("Au service des migrants depuis")
    for page, name in ((chloe, "content phone (fr)"), (noor, "content phone (nl)")):
        assert_accessible(page, name)
        assert_tap_targets(page, name)
    assert_accessible(screen, "content projector (nl)")
    chloe.screenshot(path=str(screenshot_dir / "content-phone-fr.png"))
    noor.screenshot(path=str(screenshot_dir / "content-phone-nl.png"))
    screen.screenshot(path=str(screenshot_dir / "content-projector-nl.png"))
    control.screenshot(path=str(screenshot_dir / "content-control-fr.png"), full_page=True)

    # Chloé switches to Dutch on her phone: the whole page follows.
    chloe.select_option("#lang-select", "nl")
    expect(chloe.locator("html")).to_have_attribute("lang", "nl")
    expect(chloe.locator("#stage h1")).to_have_text("Wie is IOM?")
    expect(chloe.locator("#connection-banner")).to_have_text("Opnieuw verbinden…")

    # The report, printable, in the control language.
    report = control
    report.goto(server.url + control.locator("a:has-text('Rapport')").get_attribute("href"))
    expect(report.locator("h1")).to_have_text("Rapport d'atelier")
    assert_accessible(report, "report (fr)")
    report.emulate_media(media="print")
    report.screenshot(path=str(screenshot_dir / "report-print-fr.png"), full_page=True)
    expect(report.locator("[data-print]")).to_be_hidden()
