"""The projector and the phones survive any text participants type: right-
to-left scripts mixed with Latin, emoji sequences and flags, words of 300
characters without a space, texts of 10,000 characters. Each view is filled
with such texts and no element may stick out of the viewport or out of the
box that holds it; every participant text is isolated for direction.

Texts go straight into the database (through the ORM, past the services'
length limits where the column allows): the views must hold whatever is
stored, not only what today's limits let in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..live_server import LiveServer
from ..live_tools import LiveSession
from ..quizzes.test_browser import PHONE, PROJECTOR

pytestmark = pytest.mark.browser

PACK = Path(__file__).resolve().parent.parent / "data" / "texts-pack.yaml"

WORD_300 = ("Migrationsbewegungsforschung" * 11)[:300]
RTL_MIXED = "الهجرة تجلب التنوع Amina 2030 ההגירה מביאה גיוון and more"
EMOJI = "👩‍👩‍👧‍👦 🏳️‍🌈 🧑🏽‍🚀 🇧🇪🇱🇺🇫🇷🇳🇱🇲🇦🇸🇾 👍🏿"
LONG_10K = ("Lorem ipsum dolor sit amet, العربية עברית 🇧🇪 " * 250)[:10_000]
LONG_WORD_10K = ("Ω" + "x" * 99) * 100

# (nickname, group) per phone; nicknames and group names at their column's size.
NICKNAMES = ["W" * 40, "مرحبا Amina שלום 123 👩‍👩‍👧‍👦🇧🇪"[:40], "Ω" * 40]
GROUPS = ["G" * 60, "مجموعة الهجرة Group קבוצה 🏳️‍🌈🇲🇦"[:60], ("Groupe" * 10)[:60]]
ANSWERS = [WORD_300[:280], RTL_MIXED, EMOJI, "Ωmega" * 56, "short", "x" * 280, "Ok 🇧🇪"]

_PREAMBLE = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from workshop import identity, services
from workshop.models import WorkshopSession, WorkshopTemplate, Participant
F = get_user_model().objects.get(username="facilitator")
"""

_SETUP = (
    _PREAMBLE
    + """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
template = WorkshopTemplate.objects.get(slug="texts")
S = services.create_session(template, F, group_count=3, base_url="http://127.0.0.1")
services.configure_groups(S, F, names={groups!r}, mode="balanced")
services.start_session(S, F)
people = []
for nickname in {nicknames!r}:
    p = services.join_session(S.code, nickname="x")
    Participant.objects.filter(pk=p.pk).update(nickname=nickname)
    signed = identity._signer(S.code).sign(str(p.public_id))
    people.append(identity.cookie_name(S.code) + "=" + signed)
store = SessionStore()
store[SESSION_KEY] = str(F.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = F.get_session_auth_hash()
store.create()
steps = {{s.title: s.pk for s in S.ordered_steps()}}
print(json.dumps({{"id": S.pk, "code": S.code, "public_id": str(S.public_id), "cookies": people,
                  "sessionid": store.session_key, "steps": steps}}))
"""
)


def _shell(server: LiveServer, room: dict, code: str) -> str:
    """Participants' texts straight into the database. The server hears
    nothing of it: a facilitator action over HTTP must follow (_act)."""
    head = _PREAMBLE + f"S = WorkshopSession.objects.get(pk={room['id']})\n"
    head += "P = list(S.participants.order_by('id'))\n"
    return server.manage("shell", "-c", head + code)


def _act(room: dict, action: str, **data) -> None:
    """A facilitator's action on the control view, through the server."""
    assert room["facilitator"].post(action, {k: str(v) for k, v in data.items()}) == 200


@pytest.fixture(scope="module")
def texts_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("texts-live"))
    server.prepare(str(PACK))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def room(texts_server):
    code = _SETUP.format(groups=GROUPS, nicknames=NICKNAMES)
    data = json.loads(texts_server.manage("shell", "-c", code).strip().splitlines()[-1])
    data["facilitator"] = LiveSession(
        server=texts_server,
        id=data["id"],
        code=data["code"],
        public_id=data["public_id"],
        participants=[],
        sessionid=data["sessionid"],
        steps=list(data["steps"]),
    )
    return data


@pytest.fixture(scope="module")
def views(browser, texts_server, room):
    """The projector and two phones (a right-to-left nickname, a 40-letter one)."""
    screen = browser.new_page(viewport=PROJECTOR)
    phones = []
    for cookie in room["cookies"][:2]:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        name, value = cookie.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": texts_server.url}])
        phones.append(context.new_page())
    yield screen, phones
    for page in (screen, *phones):
        page.context.close()


def _show(views, server, room, open_questions: bool = False) -> None:
    screen, phones = views
    screen.goto(f"{server.url}/screen/{room['public_id']}/")
    for phone in phones:
        phone.goto(f"{server.url}/p/{room['code']}/")
    for page in (screen, *phones):
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
    if open_questions:
        for phone in phones:
            phone.click(".qna-launcher")
            expect(phone.locator("[data-qna-panel]")).to_be_visible()


_CHECK = (Path(__file__).parent / "any_text_check.js").read_text()


def _assert_fits(page, what: str, projector: bool) -> None:
    bad = page.evaluate(_CHECK, projector)
    assert bad == [], (what, bad[:12])


def _check_all(views, server, room, what: str, screenshot_dir, questions: bool = False) -> None:
    screen, phones = views
    _show(views, server, room, questions)
    screen.screenshot(path=str(screenshot_dir / f"any-text-projector-{what}.png"))
    for n, phone in enumerate(phones):
        phone.screenshot(path=str(screenshot_dir / f"any-text-phone{n}-{what}.png"), full_page=True)
    _assert_fits(screen, f"projector, {what}", True)
    for n, phone in enumerate(phones):
        _assert_fits(phone, f"phone {n}, {what}", False)


def test_a_word_cloud_of_any_text(views, texts_server, room, screenshot_dir):
    _act(room, "step", to=room["steps"]["Word cloud"])
    _act(room, "quiz", do="open")
    _shell(
        texts_server,
        room,
        f"""
from quizzes import services as q
from quizzes.models import Answer, QuestionRun
run = QuestionRun.objects.get(session=S, step__title="Word cloud")
answers = {ANSWERS!r} + [{LONG_WORD_10K!r}, {LONG_10K!r}]
more = range(len(answers) - len(P))
people = P + [services.join_session(S.code, nickname=f"N{{n}}") for n in more]
for n, p in enumerate(people):
    q.submit_answer(p.pk, S.pk, run.pk, "x", f"c{{n}}")
    Answer.objects.filter(run=run, participant=p).update(value=answers[n])
""",
    )
    _act(room, "quiz", do="hide-results")
    _act(room, "quiz", do="show-results")
    _check_all(views, texts_server, room, "cloud-live", screenshot_dir)
    assert views[0].locator(".cloud-word").count() >= len(ANSWERS)
    _act(room, "quiz", do="reveal")
    _check_all(views, texts_server, room, "cloud-reveal", screenshot_dir)
    expect(views[1][0].locator(".phone-reveal .cloud-word").first).to_be_visible()


def test_a_leaderboard_of_any_name(views, texts_server, room, screenshot_dir):
    _act(room, "step", to=room["steps"]["Quiz"])
    _act(room, "quiz", do="open")
    _shell(
        texts_server,
        room,
        """
from quizzes import services as q
from quizzes.models import QuestionRun
run = QuestionRun.objects.get(session=S, step__title="Quiz")
right = run.question.choices.get(correct=True).pk
for n, p in enumerate(P):
    q.submit_answer(p.pk, S.pk, run.pk, [right], f"q{n}")
""",
    )
    _act(room, "quiz", do="reveal")
    _act(room, "quiz", do="show-leaderboard")
    _check_all(views, texts_server, room, "leaderboard", screenshot_dir)
    expect(views[0].locator(".leaderboard .lb-name").first).to_be_visible()


def test_questions_from_the_room_of_any_text(views, texts_server, room, screenshot_dir):
    _act(room, "step", to=room["steps"]["Your questions"])
    out = _shell(
        texts_server,
        room,
        f"""
from qna.models import Question
texts = [{WORD_300[:280]!r}, {RTL_MIXED!r}, {EMOJI!r}, {LONG_10K[:280]!r}]
made = []
for n, t in enumerate(texts):
    who = P[n % len(P)]
    reply = {LONG_10K!r} if n % 2 else {RTL_MIXED!r}
    made.append(Question.objects.create(
        session=S, author=who, nickname=who.nickname, text=t, state="shown", reply=reply))
print(made[0].pk)
""",
    )
    first = int(out.strip().splitlines()[-1])
    _act(room, "questions", do="highlight", question=first)
    try:
        _check_all(views, texts_server, room, "questions", screenshot_dir, questions=True)
        expect(views[0].locator(".qna-highlight-text")).to_be_visible()
        expect(views[1][0].locator(".qna-text").first).to_be_visible()
    finally:
        _act(room, "questions", do="dismiss")


def test_the_exercise_with_any_reasoning(views, texts_server, room, screenshot_dir):
    _act(room, "step", to=room["steps"]["Map migration onto the SDGs"])
    _act(room, "sdg/start", allocation="all", minutes=12)
    _shell(
        texts_server,
        room,
        f"""
from sdgmap.models import ExerciseRun, Goal, GroupCard, Target
reasons = [{LONG_10K!r}, {WORD_300!r} + " " + {RTL_MIXED!r}, {EMOJI!r} + {LONG_WORD_10K!r}]
run = ExerciseRun.objects.get(session=S)
for n, group in enumerate(S.groups.order_by("position")):
    for goal in Goal.objects.filter(number__in=[8, 10]):
        card, _ = GroupCard.objects.get_or_create(run=run, group=group, goal=goal)
        card.reasoning = reasons[n]
        card.rating = ["strong", "some", ""][n]
        card.save()
        card.targets.set(Target.objects.filter(goal=card.goal)[:2])
""",
    )
    _act(room, "sdg/spotlight", sdg=8)
    _check_all(views, texts_server, room, "spotlight", screenshot_dir)
    expect(views[0].locator(".spot-reasoning").first).to_be_visible()
    _act(room, "sdg/spotlight", sdg="")
    _check_all(views, texts_server, room, "map", screenshot_dir)
    _act(room, "sdg/close")
    _act(room, "sdg/reveal")
    _act(room, "languages", screen="fr", control="en")
    _check_all(views, texts_server, room, "reveal-fr", screenshot_dir)
    legend = views[0].locator(".legend")
    expect(legend).to_contain_text("groupes ayant cité cette cible")
    _assert_apart(views[0], ".legend", "#joinbar")
    _act(room, "sdg/spotlight", sdg=8)
    _check_all(views, texts_server, room, "reveal-spotlight-fr", screenshot_dir)


def _assert_apart(page, one: str, other: str) -> None:
    boxes = [page.locator(selector).bounding_box() for selector in (one, other)]
    a, b = boxes
    overlap = (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )
    assert not overlap, (one, a, other, b)
