"""A timed exercise closes by itself in real browsers: on a phone, which says
why, on the projector and on the control view, with nobody clicking, and
after the server was killed and started again meanwhile."""

from __future__ import annotations

import re
import signal

import pytest
from playwright.sync_api import expect

from ..conftest import sign_in
from ..live_server import LiveServer
from .test_browser import PACK, PROJECTOR, _join, _open_card

pytestmark = pytest.mark.browser

# The control view's timer is in whole minutes; no test waits one. While the
# server is down, the stored deadline moves to a few seconds after it is back.
SECONDS_LEFT_AFTER_RESTART = 8


@pytest.fixture(scope="module")
def sdg_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("sdg-deadlines"))
    server.prepare(str(PACK))
    server.start()
    yield server
    server.stop()


def _end_soon_while_down(server: LiveServer, public_id: str) -> None:
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=15)
    server.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone;"
        "from sdgmap.models import ExerciseRun;"
        f"ExerciseRun.objects.filter(session__public_id='{public_id}').update("
        f"ends_at=timezone.now() + timedelta(seconds={SECONDS_LEFT_AFTER_RESTART}))",
    )
    server.start()


def test_a_timed_exercise_closes_by_itself_on_the_phone_and_control_view(
    browser, sdg_server, screenshot_dir
):
    server = sdg_server
    control = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(control, server)
    control.select_option("#id_template", label="SDG mini workshop")
    control.fill("#id_group_count", "1")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    public_id = control.url.rstrip("/").rsplit("/", 1)[-1]
    code = control.locator(".code-pill").inner_text().strip()
    screen = browser.new_page(viewport=PROJECTOR)
    screen.goto(
        server.url + control.locator("text=Open the projector screen").get_attribute("href")
    )
    phone = _join(browser, server, code, "Amina")

    control.click("button[value=next]")
    control.fill("input[name=minutes]", "1")
    control.click("[data-testid=sdg-start]")
    expect(control.locator("[data-testid=sdg-state]")).to_have_text("Open")
    _open_card(phone, 8)

    _end_soon_while_down(server, public_id)
    # Every view reconnects by itself and counts down to the stored deadline.
    for page in (phone, screen, control):
        expect(page.locator(".sdg-timer[data-ends-at]")).to_have_text(re.compile(r"0:0\d"))
    phone.screenshot(path=str(screenshot_dir / "sdg-timer-phone-counting.png"))

    # Nobody clicks: the server closes it, and every view shows it closed.
    expect(phone.locator(".sdg-progress-line")).to_contain_text(
        "Time is up: the exercise is closed"
    )
    expect(phone.locator(".sdg-card-form")).to_have_count(0)
    expect(control.locator("[data-testid=sdg-state]")).to_have_text("Closed")
    expect(control.locator("[data-testid=sdg-start]")).to_have_text("Reopen the exercise")
    expect(control.locator("[data-testid=sdg-close]")).to_have_count(0)
    expect(screen.locator(".sdg-timer.closed")).to_have_text("Time is up")
    phone.screenshot(path=str(screenshot_dir / "sdg-timer-phone-closed.png"))
    screen.screenshot(path=str(screenshot_dir / "sdg-timer-projector-closed.png"))
    control.screenshot(path=str(screenshot_dir / "sdg-timer-control-closed.png"))
    for page in (control, screen, phone):
        page.context.close()
