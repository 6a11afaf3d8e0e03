"""Pacing in real browsers: a timed question closes by itself on the
projector, the phones and the control view; a phone whose clock is minutes
off counts down with the projector; add time, pause, lock; the join code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..live_server import LiveServer
from ..workshop.test_accessibility import assert_accessible, serve_axe
from .conftest import QUIZ_PACK
from .test_browser import PHONE, PROJECTOR, _go_to, _join

pytestmark = pytest.mark.browser

# This phone's clock runs five minutes slow: its countdown must not care.
SLOW_CLOCK = """(() => {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() - 300000;
})();"""


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("pacing-live"))
    server.prepare(str(QUIZ_PACK))
    server.start()
    yield server
    server.stop()


def _seconds(text: str) -> int:
    minutes, seconds = re.fullmatch(r"\s*(\d+):(\d\d)\s*", text).groups()
    return int(minutes) * 60 + int(seconds)


def _countdown(page) -> int:
    return _seconds(page.locator("[data-countdown-time]").inner_text())


def _open_with_timer(control, seconds: int) -> None:
    # The menu offers 15 to 90 s; the server takes any timer up to an hour.
    control.evaluate(
        "s => { const o = new Option(s + ' s', String(s), true, true);"
        " document.querySelector('#quiz-timer').add(o); }",
        seconds,
    )
    control.click("[data-testid=quiz-open]")


def _slow_phone(browser, server, code, nickname):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script(SLOW_CLOCK)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.fill("#id_nickname", nickname)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/p/{code}/")
    return phone


def _start(browser, server):
    control = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(control, server)
    control.select_option("#id_template", label="Quiz mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen = browser.new_page(viewport=PROJECTOR)
    screen_url = control.locator("text=Open the projector screen").get_attribute("href")
    screen.goto(server.url + screen_url)
    return control, screen, code


def test_a_timed_question_closes_by_itself_everywhere(browser, quiz_server, screenshot_dir):
    control, screen, code = _start(browser, quiz_server)
    phone = _join(browser, quiz_server, code, "Amina")
    slow = _slow_phone(browser, quiz_server, code, "Bruno")
    _go_to(control, "Warm-up")
    _open_with_timer(control, 8)
    for page in (screen, phone, slow, control):
        expect(page.locator("[data-countdown-time]")).to_have_text(re.compile(r"0:0[1-8]"))
    # Read one after the other, so allow for the second that may tick between.
    assert abs(_countdown(screen) - _countdown(slow)) <= 1
    screen.screenshot(path=str(screenshot_dir / "pacing-projector-countdown.png"))
    slow.screenshot(path=str(screenshot_dir / "pacing-phone-countdown.png"))

    # Nobody clicks: the server closes it, and every view shows it closed.
    expect(screen.locator(".state-pill.state-closed")).to_have_text("Answers closed")
    expect(control.locator("[data-testid=quiz-state]")).to_have_text("Closed")
    for page in (phone, slow):
        expect(page.locator(".waiting")).to_contain_text("Answers are closed")
        expect(page.locator("[data-quiz-form]")).to_have_count(0)
    expect(control.locator("[data-testid=quiz-open]")).to_have_text("Reopen")
    screen.screenshot(path=str(screenshot_dir / "pacing-projector-closed.png"))
    _close(control, screen, phone, slow)


def test_the_facilitator_adds_time_pauses_and_locks(browser, quiz_server, screenshot_dir):
    control, screen, code = _start(browser, quiz_server)
    phone = _join(browser, quiz_server, code, "Chloé")
    for page in (control, screen, phone):
        serve_axe(page.context)
    _go_to(control, "Warm-up")
    control.select_option("#quiz-timer", "30")
    control.click("[data-testid=quiz-open]")
    expect(phone.locator("[data-countdown-time]")).to_have_text(re.compile(r"0:[0-3]\d"))

    # A key works once its button is on the control view: wait for the push
    # that brings it (the phone may be told first).
    expect(control.locator("[data-testid=quiz-add-time]")).to_be_visible()
    control.locator("body").press("+")  # Add 30 s
    expect(screen.locator("[data-countdown-time]")).to_have_text(re.compile(r"0:[4-5]\d|1:00"))
    expect(phone.locator("[data-countdown-time]")).to_have_text(re.compile(r"0:[4-5]\d|1:00"))

    expect(control.locator("[data-testid=quiz-pause]")).to_be_visible()
    control.locator("body").press("p")  # the key for Pause the countdown
    for page in (screen, phone, control):
        expect(page.locator(".countdown.is-paused")).to_contain_text("paused")
    paused_at = _countdown(screen)
    assert _countdown(phone) == paused_at
    assert_accessible(screen, "projector, a paused countdown")
    expect(control.locator("[data-testid=quiz-resume]")).to_be_visible()
    control.locator("body").press("p")  # and for Resume
    expect(phone.locator(".countdown.is-paused")).to_have_count(0)

    # Locked: the phone keeps its pick in a disabled form and says why.
    phone.locator(".choice", has_text="1951").click()
    control.click("[data-testid=quiz-lock]")
    expect(phone.locator("[data-testid=answers-locked]")).to_be_visible()
    expect(phone.locator("[data-quiz-submit]")).to_be_disabled()
    expect(screen.locator(".state-pill.state-locked")).to_be_visible()
    expect(control.locator("[data-testid=quiz-locked]")).to_be_visible()
    phone.screenshot(path=str(screenshot_dir / "pacing-phone-locked.png"))
    control.screenshot(path=str(screenshot_dir / "pacing-control.png"), full_page=True)
    assert_accessible(phone, "phone, answers locked during a countdown")
    assert_accessible(control, "control view, pacing a question")
    control.click("[data-testid=quiz-unlock]")
    expect(phone.locator("[data-testid=answers-locked]")).to_have_count(0)
    expect(phone.locator(".choice", has_text="1951").locator("input")).to_be_checked()
    phone.click("[data-quiz-submit]")
    expect(phone.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    control.click("[data-testid=quiz-close]")
    expect(control.locator("[data-testid=quiz-state]")).to_have_text("Closed")
    _close(control, screen, phone)


def test_the_join_code_shows_on_every_step_and_can_go_big_or_away(
    browser, quiz_server, screenshot_dir
):
    control, screen, code = _start(browser, quiz_server)
    serve_axe(screen.context)
    expect(screen.locator(".lobby-code")).to_have_text(code)
    expect(screen.locator("[data-testid=joinbar]")).to_be_hidden()  # the lobby shows it big
    _go_to(control, "Warm-up")
    control.click("[data-testid=quiz-open]")
    pill = screen.locator("[data-testid=joinbar]")
    expect(pill.locator("[data-testid=joinbar-code]")).to_have_text(code)
    expect(pill).to_be_visible()
    _assert_clear_of_content(screen)
    screen.screenshot(path=str(screenshot_dir / "pacing-projector-join-pill.png"))
    assert_accessible(screen, "projector, the join code in its corner")

    control.locator("body").press("j")
    expect(screen.locator(".joinbar-big .joinbar-qr svg")).to_be_visible()
    expect(control.locator("[data-testid=join-display-state]")).to_have_text("Big")
    screen.screenshot(path=str(screenshot_dir / "pacing-projector-join-big.png"))
    assert_accessible(screen, "projector, the join code big")
    control.locator("body").press("j")
    expect(screen.locator(".joinbar-corner")).to_be_visible()

    control.click("[data-testid=join-hide]")
    expect(screen.locator("[data-testid=joinbar-code]")).to_have_count(0)
    control.click("[data-testid=join-show]")
    expect(screen.locator("[data-testid=joinbar-code]")).to_have_text(code)
    _close(control, screen)


def _close(*pages) -> None:
    for page in pages:
        page.context.close()  # each page has a context of its own


def _assert_clear_of_content(screen) -> None:
    """No element of the stage reaches into the pill's box."""
    overlaps = screen.evaluate(
        """() => {
          const pill = document.querySelector('#joinbar').getBoundingClientRect();
          return [...document.querySelectorAll('#stage *')].filter(el => {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height) return false;
            return r.left < pill.right && r.right > pill.left
                && r.top < pill.bottom && r.bottom > pill.top;
          }).map(el => el.className || el.tagName);
        }"""
    )
    assert overlaps == []
