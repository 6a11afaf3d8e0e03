"""Faults against a real daphne process and real phones (Playwright, live.js):
the server restarted by SIGTERM and by SIGKILL, a phone offline for 30 s, a
phone backgrounded and resumed three times in a row.

Each test changes the show while the phones cannot hear it, so only a
reconnect and its snapshot can put them right, and records how long that took.
"""

from __future__ import annotations

import json
import signal
import time

import pytest
from playwright.sync_api import expect

from ..conftest import DATA
from ..live_server import LiveServer
from ..live_tools import make_session
from .phones import BACKGROUND, open_phone

pytestmark = pytest.mark.browser

STEPS = ["Welcome", "Who is IOM?", "SDG 10 and target 10.7"]


@pytest.fixture(scope="module")
def fault_server(tmp_path_factory):
    """A server of their own: these tests kill it."""
    server = LiveServer(tmp_path_factory.mktemp("faults"))
    server.prepare(str(DATA / "mini-pack.yaml"), str(DATA / "quiz-pack.yaml"))
    server.start()
    yield server
    server.stop()


def _kill(server: LiveServer, how: signal.Signals) -> None:
    assert server.process is not None
    server.process.send_signal(how)
    server.process.wait(timeout=15)


def _stage(page):
    return page.locator("#stage h1")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_phones_reconnect_and_resync_after_a_restart(browser, fault_server, how, figures):
    server = fault_server
    session = make_session(server, participants=3, prefix=f"{how.name} ", template="mini-workshop")
    phones = [open_phone(browser, server, session, n) for n in range(3)]
    try:
        for _context, page, _switch in phones:
            expect(_stage(page)).to_have_text(STEPS[0])

        _kill(server, how)
        down_at = time.monotonic()
        # The show moves on while the server is down: the database has it.
        session.go_to(STEPS[1])
        for _context, page, _switch in phones:
            expect(page.locator("#connection-banner")).to_be_visible(timeout=5_000)
        server.start()
        up_at = time.monotonic()
        for _context, page, _switch in phones:
            expect(_stage(page)).to_have_text(STEPS[1], timeout=20_000)
            expect(page.locator("#connection-banner")).to_be_hidden()
        resynced = time.monotonic() - up_at

        # Backoff: while the server was down, each phone tried a few times, not hundreds.
        attempts = [
            len([t for t in switch.attempts if down_at <= t <= up_at]) for _c, _p, switch in phones
        ]
        # And the restarted server pushes again.
        assert session.post("step", {"to": "next"}) == 200
        for _context, page, _switch in phones:
            expect(_stage(page)).to_have_text(STEPS[2], timeout=5_000)
    finally:
        for context, _page, _switch in phones:
            context.close()
    figures(f"restart_{how.name}_phones_resynced", "3/3")
    figures(f"restart_{how.name}_resync_after_up", round(resynced, 1), "s")
    figures(
        f"restart_{how.name}_attempts_per_phone_while_down",
        f"max {max(attempts)} in {up_at - down_at:.1f} s (as routed by Playwright)",
    )
    assert max(attempts) <= 2 + (up_at - down_at) / 0.5 / 2  # far below one per 0.25 s


def test_a_phone_offline_for_30_seconds_comes_back_right(browser, fault_server, figures):
    server = fault_server
    session = make_session(server, participants=1, prefix="Offline ", template="mini-workshop")
    context, page, switch = open_phone(browser, server, session, 0)
    try:
        expect(_stage(page)).to_have_text(STEPS[0])
        switch.go_offline(context)
        assert session.post("step", {"to": "next"}) == 200
        assert session.post("step", {"to": "next"}) == 200
        page.wait_for_timeout(30_000)  # keeps Playwright's event loop turning
        expect(_stage(page)).to_have_text(STEPS[0])  # it really heard nothing
        switch.go_online(context)
        back = time.monotonic()
        expect(_stage(page)).to_have_text(STEPS[2], timeout=20_000)
        resynced = time.monotonic() - back
        expect(page.locator("#connection-banner")).to_be_hidden()
    finally:
        context.close()
    figures("offline_30s_resync_after_online", round(resynced, 1), "s")
    assert resynced < 15


def test_a_phone_backgrounded_three_times_ends_on_the_right_step(browser, fault_server, figures):
    server = fault_server
    session = make_session(server, participants=1, prefix="Background ", template="mini-workshop")
    context, page, switch = open_phone(browser, server, session, 0)
    timings = []
    try:
        expect(_stage(page)).to_have_text(STEPS[0])
        for cycle, title in enumerate([STEPS[1], STEPS[2], STEPS[1]]):
            page.evaluate(BACKGROUND, True)
            switch.kill_silently()  # the phone's OS dropped the socket while away
            assert session.post("step", {"to": "next" if cycle < 2 else "previous"}) == 200
            page.wait_for_timeout(3_500)
            expect(_stage(page)).not_to_have_text(title)  # away: it heard nothing
            resumed = time.monotonic()
            page.evaluate(BACKGROUND, False)
            expect(_stage(page)).to_have_text(title, timeout=10_000)
            timings.append(time.monotonic() - resumed)
        # Exactly one connection is left open for this phone, no ghosts.
        assert len([link for link in switch.links if not link.dead]) == 1
    finally:
        context.close()
    figures("background_resume_cycles", len(timings))
    figures("background_resume_slowest_resync", round(max(timings), 1), "s")
    assert max(timings) < 5


def test_an_answer_given_offline_is_sent_on_reconnect_exactly_once(browser, fault_server, figures):
    server = fault_server
    session = make_session(server, participants=1, prefix="Outbox ", template="quiz-mini")
    session.go_to("Ice-breaker")
    assert session.quiz("open") == 200
    run = int(session.query("QuestionRun.objects.get(session=S, step=S.current_step).pk"))
    context, page, switch = open_phone(browser, server, session, 0)
    try:
        field = page.locator(f"#quiz-text-{run}")
        expect(field).to_be_visible()
        switch.go_offline(context)
        field.fill("hope")
        page.click("[data-quiz-submit]")
        page.wait_for_timeout(3_500)  # offline a while: the answer waits in the outbox
        outbox = page.evaluate("window.Live.outbox()")
        assert [item["type"] for item in outbox] == ["answer"]
        assert session.query(f"Answer.objects.filter(run_id={run}).count()") == "0"
        switch.go_online(context)
        back = time.monotonic()
        # (wait_for_function evaluates a string, which our CSP forbids: poll instead)
        while page.evaluate("() => window.Live.outbox().length") and time.monotonic() - back < 15:
            page.wait_for_timeout(100)
        sent_after = time.monotonic() - back
        assert page.evaluate("() => window.Live.outbox().length") == 0
        expect(page.locator("[data-answer-status]")).not_to_be_empty()
    finally:
        context.close()
    answers = json.loads(
        session.query(
            "__import__('json').dumps(list(Answer.objects.filter("
            f"run_id={run}).values_list('client_id', 'value')))"
        )
    )
    reached = [m for m in switch.delivered if '"answer"' in m]
    figures("outbox_answer_stored", len(answers))
    figures("outbox_answer_frames_reaching_server", len(reached))
    figures("outbox_sent_after_online", round(sent_after, 1), "s")
    assert answers == [[outbox[0]["id"], "hope"]]
    assert len(reached) == 1
