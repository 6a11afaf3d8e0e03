"""Questions from the room in real browsers: three phones ask (one
anonymously, in French), the facilitator moderates, the room upvotes, the
projector highlights one, one is answered with a reply, and a phone that
reloads finds everything as it was. With axe scans of the panel, the step
and the queue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..workshop.test_accessibility import assert_accessible, assert_tap_targets, serve_axe
from ..workshop.test_browser import PHONE, PROJECTOR

pytestmark = pytest.mark.browser

QNA_PACK = Path(__file__).parent / "data" / "qna-pack.yaml"


def _phone(browser, server, code, nickname, locale):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    serve_axe(context)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.fill("#id_nickname", nickname)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    return page


def _ask(phone, text, *, anonymous: bool, confirmation):
    phone.click(".qna-launcher")
    expect(phone.locator("#qna-panel")).to_be_visible()
    phone.fill("#qna-text", text)
    phone.locator("#qna-anonymous").set_checked(anonymous)
    phone.click("[data-qna-ask] button[type=submit]")
    expect(phone.locator("[data-qna-status]")).to_have_text(confirmation)
    expect(phone.locator("#qna-mine")).to_contain_text(text)


def _item(page, text):
    return page.locator("#qna .qna-item", has_text=text)


def _control_item(control, text):
    return control.locator("#qna .qna-item", has_text=text)


def _go_to(control, title):
    control.locator(".agenda-item button", has_text=title).click()
    expect(control.locator(".agenda-item.current .agenda-title")).to_have_text(title)


def test_three_phones_ask_vote_and_find_it_all_after_a_reload(
    browser, live_server_proc, screenshot_dir
):
    server = live_server_proc
    server.manage("import_pack", str(QNA_PACK), "--replace")
    control_context = browser.new_context(viewport={"width": 1280, "height": 900})
    serve_axe(control_context)
    control = control_context.new_page()
    sign_in(control, server)
    control.select_option("#id_template", label="Q&A mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen_context = browser.new_context(viewport=PROJECTOR)
    serve_axe(screen_context)
    screen = screen_context.new_page()
    screen.goto(server.url + control.locator(".control-links a").first.get_attribute("href"))

    amina = _phone(browser, server, code, "Amina", "en-GB")
    lea = _phone(browser, server, code, "Léa", "fr-BE")
    bram = _phone(browser, server, code, "Bram", "nl-BE")

    # --- three questions, one anonymous and in French, all waiting -------------
    _ask(
        amina,
        "Who decides who may stay?",
        anonymous=False,
        confirmation=re.compile("waits for the facilitator"),
    )
    _ask(
        lea,
        "Pourquoi les gens migrent-ils ?",
        anonymous=True,
        confirmation=re.compile("attend l'accord"),
    )
    _ask(
        bram,
        "Mag ik iets off-topic vragen?",
        anonymous=False,
        confirmation=re.compile("wacht op goedkeuring"),
    )
    expect(control.locator("[data-testid=qna-waiting] strong")).to_have_text("3")
    expect(amina.locator("#qna .qna-item")).to_have_count(0)  # nothing shown yet
    assert_accessible(control, "Q&A queue on the control view")
    # The page, not the region: a push may replace the region mid-screenshot.
    control.screenshot(path=str(screenshot_dir / "qna-control-queue.png"), full_page=True)

    # --- approve two, reject one --------------------------------------------------
    _control_item(control, "Who decides").locator("button[value=approve]").click()
    _control_item(control, "Pourquoi").locator("button[value=approve]").click()
    _control_item(control, "off-topic").locator("button[value=reject]").click()
    expect(control.locator("[data-testid=qna-shown] strong")).to_have_text("2")
    expect(control.locator("[data-testid=qna-waiting] strong")).to_have_text("0")
    for phone in (amina, lea, bram):
        expect(phone.locator("#qna .qna-item")).to_have_count(2)
    expect(bram.locator("#qna")).not_to_contain_text("off-topic")
    # Léa's question is anonymous and marked French, on a Dutch phone too.
    pourquoi = _item(bram, "Pourquoi")
    expect(pourquoi.locator(".qna-text")).to_have_attribute("lang", "fr")
    expect(pourquoi).to_contain_text("Anoniem")
    expect(pourquoi).not_to_contain_text("Léa")
    expect(bram.locator("#qna-mine .state-rejected")).to_contain_text("Niet getoond")

    # --- upvotes: two for Léa's, one for Amina's -------------------------------------
    _go_to(control, "Your questions")
    for phone, text in ((amina, "Pourquoi"), (bram, "Pourquoi"), (lea, "Who decides")):
        _item(phone, text).locator("[data-qna-vote-button]").click()
        expect(_item(phone, text).locator("[data-qna-vote-button]")).to_have_attribute(
            "aria-pressed", "true"
        )
    votes = screen.locator("[data-testid=qna-screen-votes]")
    expect(votes).to_have_text([re.compile(r"\b2$"), re.compile(r"\b1$")])
    expect(screen.locator(".qna-screen-item").first).to_contain_text("Pourquoi")
    expect(_item(lea, "Pourquoi").locator("[data-qna-count]")).to_have_text("2")
    # Take a vote back and give it again: counted once.
    button = _item(bram, "Pourquoi").locator("[data-qna-vote-button]")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(votes.first).to_have_text(re.compile(r"\b1$"))
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(votes.first).to_have_text(re.compile(r"\b2$"))
    # A second vote from the same phone is refused by the server, with a reason.
    refused = bram.evaluate(
        """(id) => Live.send("qna.vote", {question: Number(id), voted: true})""",
        _item(bram, "Pourquoi").get_attribute("data-qid"),
    )
    assert refused["ok"] is False and refused["code"] == "already_voted"
    expect(votes.first).to_have_text(re.compile(r"\b2$"))
    assert_accessible(screen, "Questions step on the projector")
    screen.screenshot(path=str(screenshot_dir / "qna-projector-step.png"))

    # --- a highlight over any step, and a badge on a phone whose panel is closed ----
    bram.click("[data-qna-close]")
    expect(bram.locator("#qna-panel")).to_be_hidden()
    _control_item(control, "Pourquoi").locator("button[value=highlight]").click()
    overlay = screen.locator("#qna-highlight")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Pourquoi les gens migrent-ils ?")
    expect(bram.locator("[data-qna-badge]")).to_be_visible()
    expect(bram.locator("#stage h1")).to_have_text("Jouw vragen")  # still on the step
    _go_to(control, "Who is IOM?")
    expect(screen.locator("#stage h1")).to_have_text("Who is IOM?")
    expect(overlay).to_be_visible()
    screen.screenshot(path=str(screenshot_dir / "qna-projector-highlight.png"))

    # --- answered, with a reply -----------------------------------------------------
    item = _control_item(control, "Who decides")
    item.locator("textarea").fill("The state decides, within international law.")
    item.locator(".qna-reply-form button").click()
    expect(amina.locator("#qna .qna-reply")).to_contain_text("within international law")
    _control_item(control, "Who decides").locator("button[value=answer]").click()
    expect(control.locator("[data-testid=qna-answered] strong")).to_have_text("1")
    expect(amina.locator("#qna .qna-archive")).to_contain_text("Who decides")
    expect(lea.locator("#qna .qna-archive .qna-reply")).to_contain_text("international law")
    control.locator("#qna button[value=dismiss]").click()
    expect(overlay).to_be_hidden()

    # --- a phone reloads and finds everything as it was --------------------------------
    bram.reload()
    bram.click(".qna-launcher")
    expect(bram.locator("#qna-panel")).to_be_visible()
    expect(_item(bram, "Pourquoi").locator("[data-qna-vote-button]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(_item(bram, "Pourquoi").locator("[data-qna-count]")).to_have_text("2")
    expect(bram.locator("#qna .qna-archive")).to_contain_text("Who decides")
    expect(bram.locator("#qna .qna-archive")).to_contain_text("international law")
    expect(bram.locator("#qna-mine .state-rejected")).to_contain_text("off-topic")
    assert_accessible(bram, "Questions panel on the phone (nl)")
    assert_tap_targets(bram, "Questions panel on the phone (nl)")
    expect(lea.locator("#qna-panel")).to_be_visible()  # open since her question
    assert_accessible(lea, "Questions panel on the phone (fr)")
    bram.screenshot(path=str(screenshot_dir / "qna-phone-panel-nl.png"))
    lea.screenshot(path=str(screenshot_dir / "qna-phone-panel-fr.png"), full_page=True)
    amina.click("[data-qna-close]")
    amina.screenshot(path=str(screenshot_dir / "qna-phone-step-closed.png"))
    for page in (amina, lea, bram, screen, control):
        page.context.close()
