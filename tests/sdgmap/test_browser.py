"""The SDG exercise in real browsers: three groups of two phones map SDGs,
teammates see each other's changes live, the projector's map and spotlight
show what was entered, and the reveal shows IOM's reference."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..workshop.test_accessibility import assert_accessible, serve_axe

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
PACK = Path(__file__).parent / "data" / "sdg-pack.yaml"
NAMES = ["Amina", "Bruno", "Chloe", "Dries", "Emma", "Farid"]


def _join(browser, server, code, nickname):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    serve_axe(context)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.fill("#id_nickname", nickname)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/p/{code}/")
    return phone


def _open_card(phone, sdg):
    card = phone.locator(f"#card-{sdg}")
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    expect(card).to_have_attribute("open", "")
    return card


def _fits(page):
    return page.evaluate(
        "document.documentElement.scrollHeight <= innerHeight"
        " && document.documentElement.scrollWidth <= innerWidth"
    )


def test_three_groups_map_the_sdgs_live(browser, live_server_proc, screenshot_dir):
    server = live_server_proc
    server.manage("import_pack", str(PACK), "--replace")
    shots = screenshot_dir

    control = browser.new_page(viewport={"width": 1280, "height": 900})
    serve_axe(control.context)
    sign_in(control, server)
    control.select_option("#id_template", label="SDG mini workshop")
    control.fill("#id_group_count", "3")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen = browser.new_page(viewport=PROJECTOR)
    serve_axe(screen.context)
    screen.goto(
        server.url + control.locator("text=Open the projector screen").get_attribute("href")
    )

    # Balanced joining: 1-2-3-1-2-3.
    phones = {name: _join(browser, server, code, name) for name in NAMES}
    amina, dries = phones["Amina"], phones["Dries"]  # Group 1
    bruno, emma = phones["Bruno"], phones["Emma"]  # Group 2
    chloe, farid = phones["Chloe"], phones["Farid"]  # Group 3
    expect(amina.locator(".me .chip")).to_have_text("Group 1")
    expect(dries.locator(".me .chip")).to_have_text("Group 1")

    control.click("button[value=next]")
    expect(amina.locator("#stage h1")).to_have_text("Map migration onto the SDGs")
    expect(screen.locator(".sdg-tile")).to_have_count(17)
    expect(control.locator("input[name=minutes]")).to_have_value("12")
    screen.screenshot(path=str(shots / "sdg-0-waiting-projector.png"))
    amina.screenshot(path=str(shots / "sdg-0-waiting-phone.png"))

    control.check("input[name=allocation][value=all]")
    control.click("[data-testid=sdg-start]")
    expect(control.locator("[data-testid=sdg-state]")).to_have_text("Open")
    expect(amina.locator(".sdg-card")).to_have_count(17)
    expect(screen.locator(".sdg-timer")).to_have_text(re.compile(r"^1[12]:\d\d$"))

    # Amina rates SDG 8; her teammate Dries sees it without doing anything.
    _open_card(amina, 8).locator("#rating-8-strong").check()
    expect(dries.locator("[data-testid=rating-8]")).to_have_text("Strong")
    # Dries ticks a target on the same card; Amina's open card shows it.
    _open_card(dries, 8).locator("input[name=targets][value='8.7']").check()
    expect(amina.locator("input[name=targets][value='8.7']")).to_be_checked()
    amina.locator("input[name=targets][value='8.8']").check()
    amina.fill("#reasoning-8", "Fair recruitment protects migrant workers from exploitation.")
    amina.locator("#reasoning-8").blur()
    expect(dries.locator("#reasoning-8")).to_have_value(
        "Fair recruitment protects migrant workers from exploitation."
    )
    expect(amina.locator("#card-status-8")).to_have_text("Saved.")
    dries.screenshot(path=str(shots / "sdg-1-teammate-phone.png"), full_page=False)

    # While Dries types, a change by Amina never wipes his text.
    _open_card(dries, 1)
    dries.fill("#reasoning-1", "Remittances lift families")
    _open_card(amina, 1).locator("#rating-1-strong").check()
    expect(dries.locator("[data-testid=rating-1]")).to_have_text("Strong")
    expect(dries.locator("#reasoning-1")).to_have_value("Remittances lift families")

    # Dries's text reaches the server (after his pause in typing) and Amina's phone.
    expect(dries.locator("#card-status-1")).to_have_text("Saved.")
    expect(amina.locator("#reasoning-1")).to_have_value("Remittances lift families")

    # Both type on the same card at once; Amina saves first. Dries is told
    # what she wrote, and keeps his own text: nothing is lost silently. The
    # push of her text may reach his phone while he types (he is warned), or
    # his text may go out meanwhile (the server refuses it and tells him).
    # (The phones wait for Save, or leaving the field, not a pause in typing.)
    for page in (amina, dries):
        page.evaluate("window.sdgTypingPauseMs = 1e9")
        _open_card(page, 3)
    hers = "Migrant nurses keep hospitals running."
    dries.fill("#reasoning-3", "Health workers abroad send skills home.")
    amina.fill("#reasoning-3", hers)
    amina.locator("#card-3 button[type=submit]").click()
    expect(amina.locator("#card-status-3")).to_have_text("Saved.")
    status = dries.locator("#card-status-3")
    expect(status).to_contain_text("Amina changed this text")
    expect(status).to_contain_text(hers)
    expect(dries.locator("#reasoning-3")).to_have_value("Health workers abroad send skills home.")
    dries.screenshot(path=str(shots / "sdg-1-conflict-phone.png"))
    # He merges both and saves, again if asked to confirm, as the message says.
    merged = "Nurses abroad keep hospitals running and send skills home."
    dries.fill("#reasoning-3", merged)
    dries.locator("#card-3 button[type=submit]").click()
    expect(status).to_have_text(re.compile(r"^Saved\.$|meanwhile"))
    if status.inner_text() != "Saved.":
        expect(amina.locator("#reasoning-3")).to_have_value(
            "Migrant nurses keep hospitals running."
        )
        dries.locator("#card-3 button[type=submit]").click()
        expect(status).to_have_text("Saved.")
    expect(amina.locator("#reasoning-3")).to_have_value(merged)

    # The other groups work too.
    _open_card(bruno, 8).locator("#rating-8-some").check()
    bruno.locator("input[name=targets][value='8.3']").check()
    bruno.fill("#reasoning-8", "Migrant entrepreneurs create jobs.")
    bruno.locator("#reasoning-8").blur()
    _open_card(chloe, 8).locator("#rating-8-strong").check()
    _open_card(farid, 10).locator("#rating-10-strong").check()
    farid.locator("input[name=targets][value='10.7']").check()
    _open_card(emma, 13).locator("#rating-13-none").check()
    expect(chloe.locator("#card-status-8")).to_be_empty()

    # The projector's map counts the groups and how strongly they rated.
    tally8 = screen.locator("[data-testid=tally-8]")
    expect(tally8.locator(".strong b")).to_have_text("2")
    expect(tally8.locator(".some b")).to_have_text("1")
    expect(screen.locator("[data-testid=tally-13] .none b")).to_have_text("1")
    expect(screen.locator("[data-testid=progress-group-3] .progress-count")).to_have_text("2/17")
    expect(control.locator("[data-testid=control-progress-group-1] .progress-count")).to_have_text(
        "2/17"
    )
    assert _fits(screen), "the projector map must fit 1920x1080 without scrolling"
    assert_accessible(screen, "projector map")
    assert_accessible(bruno, "phone with an open card")
    assert_accessible(control, "control view of the exercise")
    screen.screenshot(path=str(shots / "sdg-2-map-projector.png"))
    bruno.screenshot(path=str(shots / "sdg-2-card-phone.png"))
    control.screenshot(path=str(shots / "sdg-2-control.png"), full_page=True)

    # Spotlight SDG 8: every group's rating, targets and reasoning.
    control.click("button.sdg-pick[value='8']")
    spot = screen.locator("[data-testid=spotlight]")
    expect(spot).to_contain_text("Fair recruitment protects migrant workers")
    expect(spot).to_contain_text("Migrant entrepreneurs create jobs.")
    expect(spot.locator(".spot-card")).to_have_count(3)
    expect(spot.locator(".spot-card").first).to_contain_text("8.7")
    assert _fits(screen)
    assert_accessible(screen, "spotlight")
    screen.screenshot(path=str(shots / "sdg-3-spotlight-projector.png"))
    control.click("[data-testid=hide-group-2]")
    expect(spot).not_to_contain_text("Migrant entrepreneurs create jobs.")
    expect(spot).to_contain_text("Reasoning hidden by the facilitator")

    # Close: the cards turn read-only; reveal: IOM's reference on every screen.
    control.click("[data-testid=sdg-close]")
    expect(amina.locator(".sdg-compare")).to_be_visible()
    control.click("[data-testid=sdg-reveal]")
    expect(spot.locator(".spotlight-ref")).to_contain_text("8.5")
    screen.screenshot(path=str(shots / "sdg-4-reveal-spotlight-projector.png"))
    control.click("text=Back to the map")
    expect(screen.locator(".sdg-grid")).to_be_visible()
    tile8 = screen.locator(".sdg-tile[data-sdg='8']")
    expect(tile8.locator(".ref-code")).to_have_text(["8.5", "8.7 ✓1", "8.8 ✓1"])
    expect(tile8.locator(".beyond-code")).to_have_text(["8.3"])
    expect(screen.locator(".sdg-tile[data-sdg='10'] .ref-code")).to_have_text(["10.7 ✓1", "10.c"])
    expect(screen.locator(".sdg-tile[data-sdg='4'] .ref-code")).to_have_text(["4.b"])
    expect(screen.locator(".ref-themes")).to_contain_text("17.18")
    expect(screen.locator(".aa-list li")).to_have_count(6)
    assert _fits(screen)
    assert_accessible(screen, "projector after the reveal")
    screen.screenshot(path=str(shots / "sdg-5-reveal-projector.png"))

    # Each phone: its group's map next to the reference.
    row8 = amina.locator(".compare-row[data-sdg='8']")
    expect(row8.locator(".target-chip.agreed")).to_have_text(["8.7 ✓", "8.8 ✓"])
    expect(row8.locator(".ref-code")).to_have_text(["8.5", "8.7", "8.8"])
    assert_accessible(amina, "phone after the reveal")
    amina.screenshot(path=str(shots / "sdg-5-reveal-phone.png"))
    amina.screenshot(path=str(shots / "sdg-5-reveal-phone-full.png"), full_page=True)
    for page in phones.values():
        page.context.close()
