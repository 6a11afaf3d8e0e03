"""A quiz question in real browsers: five phones answer, the projector's
counts match, and the reveal shows on the phones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..live_server import LiveServer
from ..reliability.phones import NetworkSwitch
from .conftest import QUIZ_PACK

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("quiz-live"))
    server.prepare(str(QUIZ_PACK))
    server.start()
    yield server
    server.stop()


def _join(browser, server, code, nickname):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.fill("#id_nickname", nickname)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/p/{code}/")
    return phone


def _go_to(control, title):
    control.locator(".agenda-item button", has_text=title).click()
    expect(control.locator(".agenda-item.current .agenda-title")).to_have_text(title)


def test_five_phones_answer_and_see_the_reveal(browser, quiz_server, screenshot_dir):
    server = quiz_server
    control = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(control, server)
    control.select_option("#id_template", label="Quiz mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen = browser.new_page(viewport=PROJECTOR)
    screen_url = control.locator("text=Open the projector screen").get_attribute("href")
    screen.goto(server.url + screen_url)

    names = ["Amina", "Bruno", "Chloé", "Dries", "Elif"]
    phones = [_join(browser, server, code, name) for name in names]

    _go_to(control, "Quiz 1: migration in the SDGs")
    for page in (screen, *phones):
        expect(page.locator(".quiz-question")).to_contain_text("Which SDG makes an explicit")
    control.click("[data-testid=quiz-open]")
    expect(control.locator("[data-testid=quiz-state]")).to_have_text("Open")
    expect(phones[0].locator(".sdg-choice")).to_have_count(17)
    expect(screen.locator(".results-hidden")).to_be_visible()
    screen.screenshot(path=str(screenshot_dir / "quiz-sdg-projector-open.png"))
    phones[0].screenshot(path=str(screenshot_dir / "quiz-sdg-phone.png"), full_page=True)

    # Three pick SDG 10 (right), two pick SDG 8.
    picks = [10, 10, 10, 8, 8]
    for phone, goal in zip(phones, picks, strict=True):
        phone.locator(f".sdg-choice.sdg-{goal}").click()
        phone.click("[data-quiz-submit]")
    for phone in phones:
        expect(phone.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    phones[3].screenshot(path=str(screenshot_dir / "quiz-sdg-phone-answered.png"))
    expect(control.locator("[data-testid=answered]")).to_have_text("5")
    expect(control.locator("[data-testid=quiz-connected]")).to_have_text("5")
    expect(screen.locator("[data-testid=answer-total]")).to_have_text("5")

    control.click("[data-testid=quiz-show-results]")
    expect(screen.locator("[data-testid=count-10]")).to_have_text("3")
    expect(screen.locator("[data-testid=count-8]")).to_have_text("2")
    expect(screen.locator("[data-testid=count-1]")).to_have_text("0")
    screen.screenshot(path=str(screenshot_dir / "quiz-sdg-projector-live.png"))

    control.click("[data-testid=quiz-reveal]")
    expect(screen.locator("[data-testid=explanation]")).to_contain_text("target 10.7")
    expect(screen.locator(".sdg-result.is-correct")).to_have_count(1)
    for phone, goal in zip(phones, picks, strict=True):
        verdict = "You were right!" if goal == 10 else "Not quite this time."
        expect(phone.locator(".verdict")).to_have_text(verdict)
        expect(phone.locator("[data-testid=explanation]")).to_contain_text("10.7")
    screen.screenshot(path=str(screenshot_dir / "quiz-sdg-projector-reveal.png"))
    phones[0].screenshot(path=str(screenshot_dir / "quiz-sdg-phone-reveal-right.png"))
    phones[3].screenshot(path=str(screenshot_dir / "quiz-sdg-phone-reveal-wrong.png"))
    control.screenshot(path=str(screenshot_dir / "quiz-control.png"), full_page=True)

    # A reload keeps the verdict (from the phone's storage and its snapshot).
    phones[3].reload()
    expect(phones[3].locator(".verdict")).to_have_text("Not quite this time.")

    # A single-choice question with a timer; a number estimate; a word cloud.
    _go_to(control, "Warm-up")
    control.select_option("#quiz-timer", "60")
    control.click("[data-testid=quiz-open]")
    expect(phones[0].locator(".countdown")).to_have_text(re.compile(r"\d:\d\d"))
    phones[0].locator(".choice", has_text="1951").click()
    phones[0].click("[data-quiz-submit]")
    expect(phones[0].locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    phones[0].screenshot(path=str(screenshot_dir / "quiz-single-phone.png"))
    control.click("[data-testid=quiz-reveal]")
    expect(screen.locator(".bar-row.is-correct .bar-label")).to_have_text("1951")
    expect(phones[0].locator(".verdict")).to_have_text("You were right!")
    screen.screenshot(path=str(screenshot_dir / "quiz-single-projector-reveal.png"))

    _go_to(control, "Numbers round")
    control.click("[data-testid=quiz-open]")
    for phone, guess in zip(phones, ["8", "10", "5", "250", "20"], strict=True):
        phone.fill(".number-input", guess)
        phone.click("[data-quiz-submit]")
    expect(phones[3].locator("[data-answer-status]")).to_have_text(
        "Give a number between 1 and 100."
    )
    expect(control.locator("[data-testid=answered]")).to_have_text("4")
    control.click("[data-testid=quiz-reveal]")
    expect(screen.locator(".histogram-bin.is-correct")).to_have_count(1)
    expect(phones[0].locator(".verdict")).to_have_text("You were right!")
    screen.screenshot(path=str(screenshot_dir / "quiz-number-projector-reveal.png"))

    _go_to(control, "Ice-breaker")
    control.click("[data-testid=quiz-open]")
    for phone, word in zip(phones, ["Skills", "skills", "Ideas", "Food", "nonsense"], strict=True):
        phone.fill(".answer-form input[type=text]", word)
        phone.click("[data-quiz-submit]")
    expect(control.locator("[data-testid=answered]")).to_have_text("5")
    control.locator(".moderation-list li", has_text="nonsense").locator(
        "button[value=hide]"
    ).click()
    expect(screen.locator(".cloud-word", has_text="Skills")).to_have_attribute("data-count", "2")
    expect(screen.locator(".cloud-word", has_text="nonsense")).to_have_count(0)
    screen.screenshot(path=str(screenshot_dir / "quiz-text-projector.png"))
    control.click("[data-testid=quiz-leaderboard]")
    expect(screen.locator(".leaderboard")).to_contain_text("Amina")
    screen.screenshot(path=str(screenshot_dir / "quiz-leaderboard-projector.png"))

    # The admin's preview of a question, as a phone and a projector show it.
    control.goto(server.url + "/admin/quizzes/question/?q=t-sdg")
    control.locator("#result_list a", has_text="t-sdg").click()
    preview_url = control.locator("text=Open the phone and projector preview").get_attribute("href")
    control.set_viewport_size({"width": 1600, "height": 1000})
    control.goto(server.url + preview_url)
    expect(control.locator(".preview-phone .sdg-choice")).to_have_count(17)
    control.screenshot(path=str(screenshot_dir / "quiz-admin-preview.png"))


def test_a_tapped_choice_survives_a_push_until_it_is_sent(browser, quiz_server):
    """A phone's stage is pushed again while its person has tapped a choice
    and not sent it yet (here: the phone's socket drops and its snapshot comes
    back). The tap stays, and Send sends it."""
    server = quiz_server
    control = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(control, server)
    control.select_option("#id_template", label="Quiz mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    switch = NetworkSwitch()
    context.route_web_socket("**/ws/**", switch.route)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.fill("#id_nickname", "Amina")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/p/{code}/")
    _go_to(control, "Quiz 1: migration in the SDGs")
    control.click("[data-testid=quiz-open]")
    expect(phone.locator(".sdg-choice")).to_have_count(17)

    phone.locator(".sdg-choice.sdg-10").click()
    stage = phone.locator(".quiz-phone")
    stage.evaluate("element => { element.dataset.before = '1'; }")
    attempts = len(switch.attempts)
    switch.drop()
    # A new socket, and its snapshot in place of the old stage.
    expect(stage).not_to_have_attribute("data-before", "1")
    assert len(switch.attempts) > attempts

    expect(phone.locator(".sdg-choice.sdg-10 input")).to_be_checked()
    phone.click("[data-quiz-submit]")
    expect(phone.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    context.close()
