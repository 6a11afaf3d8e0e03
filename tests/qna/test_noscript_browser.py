"""Sorting the questions without script: plain links reorder the control
view's list, and lead the phone's panel (one render for the whole room) to
the list's own pages, sorted as asked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..workshop.test_browser import PHONE, PROJECTOR
from .test_browser import QNA_PACK

pytestmark = pytest.mark.browser

QUESTIONS = ("First, with two votes?", "Second, with one vote?", "Third, with none?")


def _phone(browser, server, code, nickname):
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.fill("#id_nickname", nickname)
    page.click("form.stack button[type=submit]")  # without script, "Change language" is first
    page.wait_for_url(f"**/p/{code}/")
    return page


def _order(page, selector="#qna [data-qna-list] .qna-item .qna-text") -> list[str]:
    return [text for text in page.locator(selector).all_inner_texts() if text in QUESTIONS]


def _vote(phone, text):
    item = phone.locator("#qna .qna-item", has_text=text)
    item.locator("button.qna-vote").click()
    expect(
        phone.locator("#qna .qna-item", has_text=text).locator("[data-qna-count]")
    ).not_to_have_text("0")


def test_phone_and_control_sort_through_links_without_script(
    browser, live_server_proc, screenshot_dir
):
    server = live_server_proc
    server.manage("import_pack", str(QNA_PACK), "--replace")
    control = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    ).new_page()
    sign_in(control, server)
    control.select_option("#id_template", label="Q&A mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    control.click("#qna button[name=moderated]")  # shown at once, no queue
    expect(control.locator("#qna button[name=moderated] .qna-switch-state")).to_have_text("off")

    phones = [_phone(browser, server, code, name) for name in ("Ana", "Ben", "Cleo")]
    for phone, text in zip(phones, QUESTIONS, strict=True):
        phone.fill("#qna-text", text)
        phone.click("[data-qna-ask] button[type=submit]")
        expect(phone.locator("#qna .qna-item", has_text=text)).to_be_visible()
    for phone in phones:
        phone.reload()
    _vote(phones[1], QUESTIONS[0])
    _vote(phones[2], QUESTIONS[0])
    _vote(phones[2], QUESTIONS[1])

    ana = phones[0]
    ana.reload()
    assert _order(ana) == list(QUESTIONS)  # most votes first, by default
    # The phone's page is one render for the room: its links sort on the list's pages.
    ana.click("#qna .qna-sort a[data-qna-sort=newest]")
    expect(ana.locator(".qna-sort a[aria-current]")).to_have_attribute("data-qna-sort", "newest")
    assert _order(ana, ".qna-item .qna-text") == list(reversed(QUESTIONS))
    ana.screenshot(path=str(screenshot_dir / "qna-phone-noscript-newest.png"), full_page=True)
    ana.click(".qna-sort a[data-qna-sort=votes]")
    expect(ana.locator(".qna-sort a[aria-current]")).to_have_attribute("data-qna-sort", "votes")
    assert _order(ana, ".qna-item .qna-text") == list(QUESTIONS)

    control.reload()
    assert _order(control) == list(QUESTIONS)
    control.click("#qna .qna-sort a[data-qna-sort=newest]")
    expect(control.locator("#qna .qna-sort a[aria-current]")).to_have_attribute(
        "data-qna-sort", "newest"
    )
    assert _order(control) == list(reversed(QUESTIONS))
    control.click("#qna .qna-sort a[data-qna-sort=votes]")
    expect(control.locator("#qna .qna-sort a[aria-current]")).to_have_attribute(
        "data-qna-sort", "votes"
    )
    assert _order(control) == list(QUESTIONS)

    # The pages of the whole list sort the same way, and a vote there comes back to it.
    ana.goto(f"{server.url}/p/{code}/questions/list?state=shown&qna_sort=newest")
    assert _order(ana, ".qna-item .qna-text") == list(reversed(QUESTIONS))
    ana.locator(".qna-item", has_text=QUESTIONS[1]).locator("button.qna-vote").click()
    expect(
        ana.locator(".qna-item", has_text=QUESTIONS[1]).locator("[data-qna-count]")
    ).to_have_text("2")
    assert "qna_sort=newest" in ana.url
    ana.click(".qna-sort a[data-qna-sort=votes]")
    expect(ana.locator(".qna-sort a[aria-current]")).to_have_attribute("data-qna-sort", "votes")
    # Two votes each now: the older first.
    assert _order(ana, ".qna-item .qna-text") == list(QUESTIONS)

    # Moderating from a page of the control's list comes back to it, in its order.
    view = urlsplit(control.url)
    listed = f"{view.scheme}://{view.netloc}{view.path}questions/list?state=shown&qna_sort=newest"
    control.goto(listed)
    control.locator(".qna-item", has_text=QUESTIONS[2]).locator("button[value=answer]").click()
    expect(control.locator(".qna-item", has_text=QUESTIONS[2])).to_have_count(0)
    assert control.url == listed
    assert _order(control, ".qna-item .qna-text") == [QUESTIONS[1], QUESTIONS[0]]
    control.set_viewport_size(PROJECTOR)
    control.screenshot(path=str(screenshot_dir / "qna-control-list-after-moderation.png"))
    for page in (*phones, control):
        page.context.close()
