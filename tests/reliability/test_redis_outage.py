"""Redis stopped for 5 s, then restarted, on the scale-out settings: two daphne
processes on one PostgreSQL database and one Redis (a private redis-server on
a port of its own, so that no other test's Redis goes down with it).

A quiz question is open with live results on the projector. Phones on both
processes (Playwright, the real live.js) answer before, during and after the
outage. While Redis is away the answers are stored and acknowledged, but no
process hears of the other's: the projector's tally stands still. Within 15 s
of Redis coming back the projector shows the exact tally and every phone the
right state, and pushes flow across processes again.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from ..conftest import DATA
from ..live_server import LiveServer
from ..live_tools import make_session
from ..private_redis import PrivateRedis
from ..scale.test_two_processes import scale_out_env
from .phones import open_phone

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1920, "height": 1080}
OUTAGE_SECONDS = 5
RECOVERY_BOUND_SECONDS = 15
PHONES = 6


@pytest.fixture(scope="module")
def redis_and_two_servers(tmp_path_factory):
    private = PrivateRedis()
    private.start()
    env = {**scale_out_env(), "REDIS_URL": private.url}
    first = LiveServer(tmp_path_factory.mktemp("outage-a"), env)
    second = LiveServer(tmp_path_factory.mktemp("outage-b"), peer=first)
    try:
        first.prepare(str(DATA / "quiz-pack.yaml"))
        first.start()
        second.start()
        yield private, first, second
    finally:
        second.stop()
        first.stop()
        private.stop()


def _answer(page, choice: str = "1951") -> None:
    page.locator(".choice", has_text=choice).click()
    page.click("[data-quiz-submit]")
    expect(page.locator("[data-answer-status]")).to_have_text(re.compile("Your answer is in"))


def test_the_projector_shows_the_exact_tally_within_15_s_of_redis_coming_back(
    browser, redis_and_two_servers, figures, screenshot_dir
):
    private, a, b = redis_and_two_servers
    session = make_session(a, participants=PHONES, template="quiz-mini", prefix="Outage ")
    session.go_to("Warm-up")  # single choice: "Since which year...?"
    assert session.quiz("open") == 200
    assert session.quiz("show-results") == 200

    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(f"{a.url}/screen/{session.public_id}/")
    total = projector.locator("[data-testid=answer-total]")
    # Even phones on process A, odd ones on process B.
    phones = [open_phone(browser, (a, b)[n % 2], session, n) for n in range(PHONES)]
    pages = [page for _context, page, _switch in phones]
    try:
        for page in pages:
            expect(page.locator("[data-quiz-submit]")).to_be_visible()
        for page in pages[:2]:  # one on each process, before the outage
            _answer(page)
        expect(total).to_have_text("2")

        private.stop()
        stopped = time.monotonic()
        # Two more answer meanwhile, one on each process: stored and acknowledged,
        # though no push can tell the projector.
        for page in pages[2:4]:
            _answer(page)
        answered_during_outage = 2
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        tally_during_outage = total.inner_text()
        private.start()
        back = time.monotonic()

        expect(total).to_have_text("4", timeout=RECOVERY_BOUND_SECONDS * 1000)
        tally_back_after = time.monotonic() - back
        for page in pages[:4]:
            expect(page.locator("[data-answer-status]")).to_have_text(
                re.compile("Your answer is in")
            )
        for page in pages:
            expect(page.locator("#connection-banner")).to_be_hidden()

        # Pushes cross processes again: an answer on B reaches the projector on A.
        _answer(pages[5])
        expect(total).to_have_text("5", timeout=5_000)
        expect(
            projector.locator(".bar-row", has_text="1951").locator(".bar-count strong")
        ).to_have_text("5")
        reconnects = sum(len(switch.attempts) - 1 for _context, _page, switch in phones)
        projector.screenshot(path=str(screenshot_dir / "redis-outage-projector-after.png"))
        pages[3].screenshot(path=str(screenshot_dir / "redis-outage-phone-after.png"))
    finally:
        projector.close()
        for context, _page, _switch in phones:
            context.close()

    rows = json.loads(
        session.query(
            "__import__('json').dumps(list(Answer.objects.filter(run__session=S)"
            ".values_list('participant__nickname', flat=True)))"
        )
    )
    figures("redis_outage_seconds", OUTAGE_SECONDS, "s")
    figures("redis_outage_projector_tally_while_down", tally_during_outage)
    figures("redis_outage_answers_acknowledged_while_down", answered_during_outage)
    figures("redis_back_to_exact_tally", round(tally_back_after, 1), "s")
    figures("redis_outage_phone_reconnects", reconnects)
    figures("redis_outage_answers_stored", len(rows))
    assert tally_back_after <= RECOVERY_BOUND_SECONDS
    assert sorted(rows) == sorted(f"Outage {n}" for n in (0, 1, 2, 3, 5))
