"""The run-of-show editor in a real browser: a step moved with the keyboard
and with the buttons, a question inserted at a place, the preview opened.
Screenshots of the editor at 1280x900 and of the preview."""

import pytest
from playwright.sync_api import expect

from ..conftest import DATA, sign_in
from .test_accessibility import assert_accessible, serve_axe

pytestmark = pytest.mark.browser

SLUG = "ros-workshop"


def _titles(page) -> list[str]:
    return page.locator("[data-testid=ros-step] .ros-title").all_inner_texts()


def _row(page, title):
    return page.locator("[data-testid=ros-step]", has=page.locator(".ros-title", has_text=title))


def test_it_reorders_inserts_and_previews(browser, live_server_proc, screenshot_dir):
    server = live_server_proc
    # A template of its own: the other browser tests' mini workshop keeps its order.
    server.manage("import_pack", str(DATA / "run-of-show-pack.yaml"), "--replace")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    serve_axe(context)
    page = context.new_page()
    sign_in(page, server)
    page.click(f"a[href='/facilitate/templates/{SLUG}/run-of-show/']")
    expect(page.locator("h1")).to_contain_text("Run of show")
    assert _titles(page) == ["Welcome", "Who is IOM?", "SDG 10 and target 10.7", "Thank you"]
    # Fits 1280 px without a horizontal scroll bar.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # The keyboard: focus a step, Alt+ArrowDown; focus stays with the step.
    _row(page, "Who is IOM?").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("[data-testid=ros-done]")).to_have_text(
        "Moved “Who is IOM?” to position 3."
    )
    expect(_row(page, "Who is IOM?")).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("[data-testid=ros-done]")).to_have_text(
        "Moved “Who is IOM?” to position 4."
    )
    expect(_row(page, "Who is IOM?")).to_be_focused()
    assert _titles(page) == ["Welcome", "SDG 10 and target 10.7", "Thank you", "Who is IOM?"]

    # The buttons: focus follows to the moved step's button.
    _row(page, "Who is IOM?").locator("[data-testid=move-up]").click()
    expect(page.locator("[data-testid=ros-done]")).to_have_text(
        "Moved “Who is IOM?” to position 3."
    )
    expect(_row(page, "Who is IOM?").locator("[data-testid=move-up]")).to_be_focused()
    assert _titles(page) == ["Welcome", "SDG 10 and target 10.7", "Who is IOM?", "Thank you"]

    # Drag and drop: "Thank you" dropped on the upper half of "Welcome".
    _row(page, "Thank you").drag_to(_row(page, "Welcome"), target_position={"x": 60, "y": 5})
    expect(page.locator("[data-testid=ros-done]")).to_have_text("Moved “Thank you” to position 1.")
    assert _titles(page) == ["Thank you", "Welcome", "SDG 10 and target 10.7", "Who is IOM?"]
    _row(page, "Thank you").focus()
    for position in (2, 3, 4):  # each move waited for: the row is new after each swap
        page.keyboard.press("Alt+ArrowDown")
        expect(page.locator("[data-testid=ros-done]")).to_have_text(
            f"Moved “Thank you” to position {position}."
        )
        expect(_row(page, "Thank you")).to_be_focused()

    # A question inserted after the welcome.
    slot = _row(page, "Welcome").locator("xpath=..").locator(".ros-insert")
    slot.locator("summary").click()
    slot.locator("[data-testid=insert-kind]").select_option("question")
    slot.locator("[data-testid=insert-question]").select_option(
        label="Since which year has IOM been supporting migrants?"
    )
    slot.screenshot(path=str(screenshot_dir / "run-of-show-insert.png"))
    slot.locator("[data-testid=insert-submit]").click()
    expect(page.locator("[data-testid=ros-done]")).to_have_text(
        "Inserted “Since which year has IOM been supporting migrants?” at position 2."
    )
    expect(page.locator(".ros-position")).to_have_text(["1", "2", "3", "4", "5"])
    inserted = page.locator("[data-testid=ros-step]").nth(1)
    expect(inserted.locator(".ros-kind")).to_have_text("Quiz question")
    expect(inserted.locator(".ros-question")).to_contain_text("Since which year")
    assert_accessible(page, "run-of-show editor")
    page.screenshot(path=str(screenshot_dir / "run-of-show-editor.png"), full_page=True)
    # A tablet held upright: still one column, still no horizontal scroll.
    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.screenshot(path=str(screenshot_dir / "run-of-show-editor-tablet.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # The preview of the inserted question, in French.
    inserted.locator("[data-testid=preview]").click()
    page.click("[data-testid=preview-lang-fr]")
    projector = page.frame_locator("[data-testid=preview-projector]")
    phone = page.frame_locator("[data-testid=preview-phone]")
    expect(projector.locator("#stage")).to_contain_text("Depuis quelle année")
    expect(phone.locator("#stage")).to_contain_text("Depuis quelle année")
    # A question previews open: the phone shows its answer form.
    expect(page.locator("[data-testid=preview-moment-open]")).to_have_attribute(
        "aria-current", "true"
    )
    expect(phone.locator(".answer-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_accessible(page, "run-of-show preview")
    page.screenshot(path=str(screenshot_dir / "run-of-show-preview.png"), full_page=True)
    page.locator("[data-testid=preview-phone]").screenshot(
        path=str(screenshot_dir / "run-of-show-preview-phone.png")
    )
    page.locator(".ros-projector-box").screenshot(
        path=str(screenshot_dir / "run-of-show-preview-projector.png")
    )
    context.close()
