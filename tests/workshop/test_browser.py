"""The live room in a real browser: a facilitator moves the show on, and the
projector and two phones follow without a reload."""

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}


def _open_session(browser, server):
    control = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(control, server)
    control.select_option("#id_template", label="Mini workshop")
    control.fill("#id_group_count", "2")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    return control, code


def _join(browser, server, code, nickname):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.fill("#id_nickname", nickname)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/p/{code}/")
    return phone


def test_it_keeps_every_screen_on_the_facilitators_step(browser, live_server_proc, screenshot_dir):
    server = live_server_proc
    control, code = _open_session(browser, server)
    screen_page = browser.new_page(viewport=PROJECTOR)
    screen_page.goto(
        server.url + control.locator("text=Open the projector screen").get_attribute("href")
    )
    expect(screen_page.locator(".lobby-code")).to_have_text(code)

    amina = _join(browser, server, code, "Amina")
    bruno = _join(browser, server, code, "Bruno")
    expect(amina.locator("#stage h1")).to_have_text("Welcome")
    expect(control.locator("[data-testid=connected]")).to_have_text("2")
    expect(screen_page.locator("#lobby-count .count-number")).to_have_text("2")
    screen_page.screenshot(path=str(screenshot_dir / "lobby-projector.png"))
    amina.screenshot(path=str(screenshot_dir / "lobby-phone.png"))

    control.click("button[value=next]")
    for page in (screen_page, amina, bruno):
        expect(page.locator("#stage h1")).to_have_text("Who is IOM?")
    expect(control.locator(".agenda-item.current .agenda-title")).to_have_text("Who is IOM?")
    screen_page.screenshot(path=str(screenshot_dir / "content-projector.png"))
    amina.screenshot(path=str(screenshot_dir / "content-phone.png"))
    control.screenshot(path=str(screenshot_dir / "content-control.png"), full_page=True)

    # A reload brings back the same participant, in the same group, on the current step.
    # The join form answered with the page itself: the reload is a GET of the
    # page's own address, not the form sent again.
    group_before = amina.locator(".me .chip").inner_text()
    with amina.expect_request(lambda r: r.is_navigation_request()) as reloading:
        amina.reload()
    assert reloading.value.method == "GET"
    assert reloading.value.url.endswith(f"/p/{code}/")
    expect(amina.locator(".me-name")).to_have_text("Amina")
    expect(amina.locator(".me .chip")).to_have_text(group_before)
    expect(amina.locator("#stage h1")).to_have_text("Who is IOM?")
    expect(control.locator(".members .member-name", has_text="Amina")).to_have_count(1)

    # A dropped connection shows that it is reconnecting, then catches up.
    amina.evaluate("window.Live.dropConnection()")
    control.click("button[value=next]")
    expect(amina.locator("#stage h1")).to_have_text("SDG 10 and target 10.7")
    expect(bruno.locator("#stage h1")).to_have_text("SDG 10 and target 10.7")


def test_a_refused_facilitator_action_says_why_on_the_control_view(browser, live_server_proc):
    control, _code = _open_session(browser, live_server_proc)
    control.click("summary:has-text('Groups')")
    control.fill("textarea[name=groups]", "99")
    control.click("text=Save groups")
    flash = control.locator("#flash")
    expect(flash).to_contain_text("Choose between 1 and")
    expect(flash).to_have_class("flash error")
    # Nothing changed: the room still has its two groups.
    control.reload()
    control.click("summary:has-text('Groups')")
    expect(control.locator("textarea[name=groups]")).to_have_value("Group 1\nGroup 2")
