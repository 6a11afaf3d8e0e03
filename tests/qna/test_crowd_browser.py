"""The Questions panel and the control view's queue under 1,000 questions, in
real browsers: each shows the first PUSH_TOP of its lists and links to the
rest, and the pictures are taken at a phone's and a projector's size."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qna.board import PUSH_TOP

from ..conftest import sign_in
from ..workshop.test_browser import PHONE, PROJECTOR
from .test_browser import QNA_PACK
from .test_noscript_browser import _phone

pytestmark = pytest.mark.browser

# Run in the live server's process (its own database): 1,000 questions over
# the four states, long texts and replies, each with up to 29 votes.
FILL = """
from datetime import timedelta
from qna.models import Question, Vote
from workshop.models import Participant, WorkshopSession

session = WorkshopSession.objects.get(code={code!r})
voters = Participant.objects.bulk_create(
    Participant(session=session, nickname=f"Voter {{n:02d}}") for n in range(30)
)
states = ["shown"] * 5 + ["pending"] * 2 + ["answered"] * 2 + ["rejected"]
start = session.started_at or session.created_at
questions = Question.objects.bulk_create(
    Question(
        session=session,
        text=f"Question {{n:04d}}: " + "why does migration " * (n % 14 + 1),
        lang=("en", "fr", "nl")[n % 3],
        nickname="" if n % 4 else f"Asker {{n:04d}}",
        anonymous=bool(n % 4),
        state=states[n % len(states)],
        reply="Because of work, family and safety. " * (n % 5) if n % 2 else "",
    )
    for n in range(1000)
)
for n, question in enumerate(questions):
    question.created_at = start + timedelta(seconds=n)
    question.answered_at = question.created_at if question.state == "answered" else None
Question.objects.bulk_update(questions, ["created_at", "answered_at"])
Vote.objects.bulk_create(
    Vote(question=q, participant=voters[v], client_id=f"fill-{{q.pk}}-{{v}}")
    for n, q in enumerate(questions)
    for v in range((n * 7) % 30)
)
"""


# 45 shown questions with two votes each, and the oldest with none: last
# by votes, out of the newest, so out of what a phone's panel holds.
CROWD = """
from datetime import timedelta
from qna.models import Question, Vote
from workshop.models import Participant, WorkshopSession

session = WorkshopSession.objects.get(code={code!r})
voters = Participant.objects.bulk_create(
    Participant(session=session, nickname=f"Early {{n}}") for n in range(2)
)
start = session.started_at or session.created_at
questions = Question.objects.bulk_create(
    Question(session=session, text=f"Crowd question {{n:02d}}?", state="shown")
    for n in range(46)
)
for n, question in enumerate(questions):
    question.created_at = start + timedelta(seconds=n)
questions[0].text = {climber!r}
Question.objects.bulk_update(questions, ["created_at", "text"])
Vote.objects.bulk_create(
    Vote(question=q, participant=v, client_id=f"early-{{q.pk}}-{{v.pk}}")
    for q in questions[1:]
    for v in voters
)
"""
CLIMBER = "The one from the bottom of the list?"


def _session_with(browser, server, fill: str, **values):
    """A control view (projector-sized) and a phone with script, in a new
    session whose questions ``fill`` writes in the server's database."""
    server.manage("import_pack", str(QNA_PACK), "--replace")
    control = browser.new_context(viewport=PROJECTOR).new_page()
    sign_in(control, server)
    control.select_option("#id_template", label="Q&A mini")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    phone = _phone_with_script(browser, server, code)
    server.manage("shell", "-c", fill.format(code=code, **values))
    # Written behind the server's back: a change of the settings, there and
    # back, tells it (and its renders shared by the room) that Q&A changed.
    for state in ("off", "on"):
        control.click("#qna button[name=moderated]")
        expect(control.locator("#qna button[name=moderated] .qna-switch-state")).to_have_text(state)
    return control, phone, code


def test_the_panel_and_the_queue_under_1000_questions(browser, live_server_proc, screenshot_dir):
    control, phone, _code = _session_with(browser, live_server_proc, FILL)

    phone.reload()
    phone.click(".qna-launcher")
    # The top of both sorts came (up to twice PUSH_TOP); the phone shows its sort's first.
    expect(phone.locator("#qna [data-qna-list] > .qna-item:visible")).to_have_count(PUSH_TOP)
    assert phone.locator("#qna [data-qna-list] > .qna-item").count() > PUSH_TOP
    expect(phone.locator("#qna [data-qna-more]").first).to_contain_text("500")
    phone.screenshot(path=str(screenshot_dir / "qna-phone-1000-questions.png"))
    phone.locator("#qna [data-qna-more]").first.scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshot_dir / "qna-phone-1000-questions-end.png"))

    control.reload()
    queue = control.locator("#qna")
    expect(queue.locator('[data-testid="qna-waiting"]')).to_contain_text("200")
    queue.scroll_into_view_if_needed()
    control.screenshot(path=str(screenshot_dir / "qna-control-1000-questions.png"))
    control.screenshot(
        path=str(screenshot_dir / "qna-control-1000-questions-full.png"), full_page=True
    )
    for page in (phone, control):
        page.context.close()


def _phone_with_script(browser, server, code):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.fill("#id_nickname", "Amina")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    return page


def test_a_question_voted_up_from_the_bottom_appears_on_a_watching_phone(
    browser, live_server_proc, screenshot_dir
):
    server = live_server_proc
    control, watcher, code = _session_with(browser, server, CROWD, climber=CLIMBER)
    watcher.reload()
    watcher.click(".qna-launcher")
    expect(watcher.locator("#qna .qna-item:visible")).to_have_count(PUSH_TOP)
    expect(watcher.locator("#qna .qna-item", has_text=CLIMBER)).to_have_count(0)
    # Two phones without script find it on the last page of the list and upvote it.
    for nickname in ("Fan one", "Fan two"):
        fan = _phone(browser, server, code, nickname)
        fan.goto(f"{server.url}/p/{code}/questions/list?state=shown&qna_sort=votes&page=3")
        with fan.expect_navigation():  # back to the list, once the vote is stored
            fan.locator(".qna-item", has_text=CLIMBER).locator("button.qna-vote").click()
        fan.context.close()
    # Two votes and the oldest: first of the room, on the phone that never reloaded.
    first = watcher.locator("#qna [data-qna-list] > .qna-item:visible").first
    expect(first).to_contain_text(CLIMBER)
    expect(first.locator("[data-qna-count]")).to_have_text("2")
    expect(watcher.locator("#qna .qna-item:visible")).to_have_count(PUSH_TOP)
    watcher.screenshot(path=str(screenshot_dir / "qna-phone-climber.png"))
    for page in (watcher, control):
        page.context.close()
