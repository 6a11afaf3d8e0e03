"""Ranking and points questions in real browsers: a ranking answered with
the keyboard alone, a points question answered by three phones with the
exact totals on the projector, and axe scans of every view of both."""

from __future__ import annotations

import re
import statistics

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..live_server import LiveServer
from ..workshop.test_accessibility import assert_accessible, assert_tap_targets, serve_axe
from .conftest import PRIORITIES_PACK

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def priorities_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("priorities-live"))
    server.prepare(str(PRIORITIES_PACK))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def room(browser, priorities_server):
    """A session of the priorities pack: its control view and its projector."""
    server = priorities_server
    contexts = []

    def context(**options):
        made = browser.new_context(**options)
        serve_axe(made)
        contexts.append(made)
        return made

    control = context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(control, server)
    control.select_option("#id_template", label="Priorities mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen = context(viewport=PROJECTOR).new_page()
    screen.goto(server.url + control.locator(".control-links a").first.get_attribute("href"))

    def phone(nickname, locale="en-GB", script=True):
        options = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": locale}
        page = context(**options, java_script_enabled=script).new_page()
        page.goto(f"{server.url}/j/{code}")
        page.fill("#id_nickname", nickname)
        page.click("form.stack button[type=submit]")  # without script, "Change language" is first
        page.wait_for_url(f"**/p/{code}/")
        return page

    yield {"control": control, "screen": screen, "phone": phone}
    for made in contexts:
        made.close()


def _go_to(control, title):
    control.locator(".agenda-item button", has_text=title).click()
    expect(control.locator(".agenda-item.current .agenda-title")).to_have_text(title)
    control.click("[data-testid=quiz-open]")
    expect(control.locator("[data-testid=quiz-state]")).to_have_text("Open")


def _tab_to(page, accessible_name: str, limit: int = 60) -> None:
    """Press Tab until the focused control has this accessible name."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => document.activeElement.getAttribute('aria-label')"
            " || document.activeElement.textContent.trim()"
        )
        if label == accessible_name:
            return
    raise AssertionError(f"Tab never reached {accessible_name!r}")


def _order(page) -> list[str]:
    return [t.strip() for t in page.locator(".rank-item .rank-text").all_inner_texts()]


OPTIONS = ["Data", "Rights", "Inclusion", "Climate"]  # the pack's, canonical order


def _served_order(page) -> list[str]:
    """The order the server itself renders for this phone (no script run)."""
    html = page.context.request.get(page.url).text()
    return re.findall(r'class="rank-text" id="rank-text-[^"]+">([^<]+)<', html)


def _moved(order: list[str], option: str, by: int) -> list[str]:
    """``order`` with ``option`` moved ``by`` places down (up if negative)."""
    rest = [o for o in order if o != option]
    place = min(max(order.index(option) + by, 0), len(rest))
    return [*rest[:place], option, *rest[place:]]


def _room_order(*orders: list[str]) -> list[tuple[str, float, float]]:
    """(option, average place, spread) by average place; a tie keeps the
    options' order, as the projector does."""
    rows = []
    for option in OPTIONS:
        places = [order.index(option) + 1 for order in orders]
        rows.append((option, statistics.mean(places), statistics.pstdev(places)))
    return sorted(rows, key=lambda row: row[1])


def test_a_ranking_is_answered_with_the_keyboard_only(room, screenshot_dir):
    control, screen = room["control"], room["screen"]
    amina = room["phone"]("Amina")
    _go_to(control, "Ranking round")
    expect(amina.locator(".rank-item")).to_have_count(4)
    # Shuffled for this phone: its script, which put the pushed (canonical)
    # order in its own, agrees with the order the server renders for it.
    start = _order(amina)
    assert sorted(start) == sorted(OPTIONS)
    assert _served_order(amina) == start
    expect(amina.locator("[data-rank-select]").first).to_be_hidden()

    # Climate to the top: presses on its "up" button, which keeps the focus.
    _tab_to(amina, "Move “Climate” up")
    for _ in range(max(1, start.index("Climate"))):
        amina.keyboard.press("Enter")
    expect(amina.locator("[data-rank-announce]")).to_have_text("Climate: now place 1 of 4.")
    focused = amina.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused == "Move “Climate” up"
    climate_first = _moved(start, "Climate", -len(start))
    # The facilitator hides, then shows, the live results: each push renders
    # the phone's stage again, and the order not sent yet and the focus stay.
    for toggle in ("quiz-hide-results", "quiz-show-results"):
        version = amina.locator("#stage").get_attribute("data-v")
        control.click(f"[data-testid={toggle}]")
        expect(amina.locator("#stage")).not_to_have_attribute("data-v", version)
        expect(amina.locator(".rank-item .rank-text")).to_have_text(climate_first)
        expect(amina.locator("[data-rank-place]")).to_have_text(["1", "2", "3", "4"])
        amina.wait_for_function(
            "() => document.activeElement.getAttribute('aria-label') === 'Move “Climate” up'"
        )
    # Rights one down, with the space bar this time.
    _tab_to(amina, "Move “Rights” down")
    amina.keyboard.press(" ")
    sent = _moved(climate_first, "Rights", 1)
    expect(amina.locator("[data-rank-announce]")).to_have_text(
        f"Rights: now place {sent.index('Rights') + 1} of 4."
    )
    assert _order(amina) == sent
    expect(amina.locator("[data-rank-place]")).to_have_text(["1", "2", "3", "4"])
    amina.screenshot(path=str(screenshot_dir / "ranking-phone.png"), full_page=True)
    _tab_to(amina, "Send my answer")
    amina.keyboard.press("Enter")
    expect(amina.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))

    # A second phone ranks otherwise; the projector shows the room's order live.
    bruno = room["phone"]("Bruno")
    # Dragging works too: Bruno drags Rights by its number to the top.
    rights = bruno.locator(".rank-item", has_text="Rights")
    handle = rights.locator("[data-rank-place]").bounding_box()
    target = bruno.locator(".rank-item").first.bounding_box()
    bruno.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    bruno.mouse.down()
    bruno.mouse.move(handle["x"] + handle["width"] / 2, target["y"] + 4, steps=8)
    bruno.mouse.up()
    expect(bruno.locator(".rank-item .rank-text").first).to_have_text("Rights")
    expect(bruno.locator("[data-rank-announce]")).to_have_text("Rights: now place 1 of 4.")
    bruno_sent = _order(bruno)
    bruno.click("[data-quiz-submit]")
    expect(bruno.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    expect(control.locator("[data-testid=answered]")).to_have_text("2")
    room_order = _room_order(sent, bruno_sent)
    expect(screen.locator(".ranking-row .bar-label")).to_have_text(
        [f"{place}. {option}" for place, (option, _, _) in enumerate(room_order, 1)]
    )
    rows = screen.locator(".ranking-row")
    for index, (_option, mean, spread) in enumerate(room_order[:2]):
        expect(rows.nth(index).locator(".ranking-stats")).to_have_text(
            re.compile(rf"{mean:.1f}\s+± {spread:.1f}")
        )
    screen.screenshot(path=str(screenshot_dir / "ranking-projector-live.png"))

    # After a reload the phone shows the order it sent.
    amina.reload()
    expect(amina.locator(".rank-item .rank-text")).to_have_text(sent)


RIGHT_ORDER = ["SDG 1", "SDG 5", "SDG 10", "SDG 17"]  # "Put them in order"


def test_a_partly_right_order_shows_its_own_points_at_the_reveal(room, screenshot_dir):
    control = room["control"]
    ines = room["phone"]("Ines")
    _go_to(control, "Put them in order")
    expect(ines.locator(".rank-item")).to_have_count(4)
    if _order(ines) == RIGHT_ORDER:  # shuffled into the right order: spoil it
        ines.locator(".rank-move[data-move=down]").first.click()
    sent = _order(ines)
    ines.click("[data-quiz-submit]")
    expect(ines.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    # The reveal comes as a push, the same for the whole room: the phone's
    # script works out its own points, as the server scored them.
    control.click("[data-testid=quiz-reveal]")
    distance = sum(abs(i - RIGHT_ORDER.index(option)) for i, option in enumerate(sent))
    points = round(10 * (1 - distance / 8))
    expect(ines.locator("[data-testid=my-points]")).to_have_text(
        f"Points for your order: {points} of 10"
    )
    expect(ines.locator("[data-testid=correct-answer]")).to_have_text(
        "1. SDG 1, 2. SDG 5, 3. SDG 10, 4. SDG 17"
    )
    ines.screenshot(path=str(screenshot_dir / "ranking-phone-reveal-points.png"), full_page=True)
    ines.reload()  # rendered by the server this time
    expect(ines.locator("[data-testid=my-points]")).to_have_text(
        f"Points for your order: {points} of 10"
    )


def test_without_script_a_phone_ranks_with_menus_and_types_its_points(room, screenshot_dir):
    control, screen = room["control"], room["screen"]
    plain = room["phone"]("Farid", script=False)
    _go_to(control, "Ranking round")
    plain.reload()  # without script, no push: the phone loads the open question
    expect(plain.locator(".rank-move").first).to_be_hidden()
    places = {"Data": "3", "Rights": "1", "Inclusion": "1", "Climate": "4"}
    for option, place in places.items():
        plain.get_by_label(f"Place of “{option}”").select_option(place)
    plain.click("[data-quiz-submit]")
    expect(plain.locator(".alert[role=alert]")).to_contain_text(
        "Give each option its own place, from 1 down."
    )
    expect(screen.locator("[data-testid=answer-total]")).to_have_text("0")
    places["Inclusion"] = "2"
    for option, place in places.items():
        plain.get_by_label(f"Place of “{option}”").select_option(place)
    plain.screenshot(path=str(screenshot_dir / "ranking-phone-no-script.png"), full_page=True)
    plain.click("[data-quiz-submit]")
    expect(screen.locator("[data-testid=answer-total]")).to_have_text("1")
    expect(screen.locator(".ranking-row .bar-label")).to_have_text(
        ["1. Rights", "2. Inclusion", "3. Data", "4. Climate"]
    )

    _go_to(control, "Points round")
    plain.reload()
    shares = {"Data": "50", "Rights": "60", "Inclusion": ""}
    for option, points in shares.items():
        plain.get_by_label(option, exact=True).fill(points)
    plain.click("[data-quiz-submit]")
    expect(plain.locator(".alert[role=alert]")).to_contain_text(
        "That is 10 points too many: share exactly 100."
    )
    expect(screen.locator("[data-testid=answer-total]")).to_have_text("0")
    # The page comes back as new (as for every kind without script): type again.
    shares["Rights"] = "50"
    for option, points in shares.items():
        plain.get_by_label(option, exact=True).fill(points)
    plain.click("[data-quiz-submit]")
    expect(screen.locator(".points-results [data-testid^=count-]")).to_have_text(["50", "50", "0"])


def test_three_phones_share_points_and_the_projector_adds_them_up(room, screenshot_dir):
    control, screen = room["control"], room["screen"]
    phones = [room["phone"](name) for name in ("Chloé", "Dries", "Elif")]
    _go_to(control, "Points round")
    first = phones[0]
    send = first.locator("[data-quiz-submit]")
    expect(first.locator("[data-points-left]")).to_have_text("Left to share: 100")
    expect(send).to_be_disabled()
    first.fill("[data-points-for] >> nth=0", "70")
    first.fill("[data-points-for] >> nth=1", "50")
    expect(first.locator("[data-points-left]")).to_have_text("Too many: 20. Take some points off.")
    expect(send).to_be_disabled()
    first.fill("[data-points-for] >> nth=1", "2.5")
    expect(first.locator("[data-points-left]")).to_have_text("Use whole points: 0, 1, 2 and so on.")
    expect(send).to_be_disabled()
    first.screenshot(path=str(screenshot_dir / "points-phone-over.png"))

    shares = [(70, 30, 0), (20, 20, 60), (33, 33, 34)]
    for phone, split in zip(phones, shares, strict=True):
        for index, points in enumerate(split):
            phone.fill(f"[data-points-for] >> nth={index}", str(points))
        expect(phone.locator("[data-points-left]")).to_have_text("All points are shared.")
        phone.click("[data-quiz-submit]")
        expect(phone.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))
    phones[2].screenshot(path=str(screenshot_dir / "points-phone-sent.png"))
    expect(control.locator("[data-testid=answered]")).to_have_text("3")
    totals = [sum(column) for column in zip(*shares, strict=True)]  # 123, 83, 94
    labels = screen.locator(".points-results .bar-row")
    for index, total in enumerate(totals):
        expect(labels.nth(index).locator("[data-testid^=count-]")).to_have_text(str(total))
    screen.screenshot(path=str(screenshot_dir / "points-projector-live.png"))
    control.click("[data-testid=quiz-reveal]")
    expect(phones[0].locator(".points-results [data-testid^=count-]")).to_have_text(
        [str(t) for t in totals]
    )
    expect(phones[0].locator("[data-my-answer]")).to_have_text("Your answer: Data 70, Rights 30")
    expect(phones[1].locator("[data-my-answer]")).to_have_text(
        "Your answer: Data 20, Rights 20, Inclusion 60"
    )
    phones[0].screenshot(path=str(screenshot_dir / "points-phone-reveal.png"), full_page=True)

    # The report charts the totals.
    origin = control.url.split("/facilitate/")[0]
    control.goto(origin + control.locator("a.button", has_text="Report").get_attribute("href"))
    question = control.locator(".report-question", has_text="Share 100 points")
    expect(question.locator("svg title")).to_have_text(
        f"Share 100 points among these actions: Data {totals[0]}; Rights {totals[1]}; "
        f"Inclusion {totals[2]}"
    )
    assert_accessible(control, "report with a points question")
    question.screenshot(path=str(screenshot_dir / "points-report.png"))


def test_both_kinds_pass_an_axe_scan(room, screenshot_dir):
    control, screen = room["control"], room["screen"]
    control.click("summary:has-text('Languages')")
    control.select_option("select[name=screen]", "nl")
    control.click("button:has-text('Save languages')")
    lea, jan = room["phone"]("Léa", "fr-BE"), room["phone"]("Jan", "nl-BE")
    for title, kind in (("Put them in order", "ranking"), ("Points round", "points")):
        _go_to(control, title)
        expect(lea.locator(f".quiz-phone.kind-{kind} form")).to_be_visible()
        for page, name in ((lea, f"{kind} phone (fr)"), (jan, f"{kind} phone (nl)")):
            assert_accessible(page, name)
            assert_tap_targets(page, name)
        lea.screenshot(path=str(screenshot_dir / f"{kind}-phone-fr.png"), full_page=True)
        if kind == "ranking":
            lea.locator(".rank-move").nth(1).click()
        else:
            lea.fill("[data-points-for] >> nth=0", "100")
        lea.click("[data-quiz-submit]")
        expect(lea.locator("[data-answer-status]")).to_have_class(re.compile("is-ok"))
        if kind == "ranking":  # a right order hides the live results by default
            control.click("[data-testid=quiz-show-results]")
        expect(control.locator("[data-testid=answered]")).to_have_text("1")
        assert_accessible(screen, f"{kind} projector live (nl)")
        assert_accessible(control, f"{kind} control view")
        control.click("[data-testid=quiz-reveal]")
        expect(screen.locator(".state-pill.state-revealed")).to_be_visible()
        assert_accessible(screen, f"{kind} reveal projector (nl)")
        assert_accessible(lea, f"{kind} reveal phone (fr)")
        screen.screenshot(path=str(screenshot_dir / f"{kind}-projector-reveal-nl.png"))
        lea.screenshot(path=str(screenshot_dir / f"{kind}-phone-reveal-fr.png"), full_page=True)
        control.screenshot(path=str(screenshot_dir / f"{kind}-control.png"), full_page=True)
    origin = control.url.split("/facilitate/")[0]
    control.goto(origin + control.locator("a.button", has_text="Report").get_attribute("href"))
    ranking = control.locator(".report-question", has_text="Put the SDG numbers")
    expect(ranking.locator(".report-ranking tbody tr")).to_have_count(4)
    assert_accessible(control, "report with a ranking and a points question")
    ranking.screenshot(path=str(screenshot_dir / "ranking-report.png"))
