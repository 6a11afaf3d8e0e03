"""A full rehearsal of the IOM workshop in real browsers.

One facilitator on the control view, a projector at 1920x1080 and twelve
phones at 390x844 in three groups (one phone in French, one in Dutch) run the
real pack from the welcome to the last step: every quiz question is opened,
answered by every phone, closed and revealed; the groups map the SDGs; one
phone reloads in the middle and one loses its connection and comes back. At
each kind of step the projector must fit its screen and the phone's controls
must be big enough for a thumb. At the end, the report holds what was entered.

Screenshots go to test-artifacts/screenshots/rehearsal-*.png.
"""

# ruff: noqa: E501  (the page checks are JavaScript, kept readable)
from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from ..conftest import BROWSER_EXPECT_TIMEOUT_MS, sign_in
from ..live_server import ROOT, LiveServer

pytestmark = pytest.mark.browser

IOM_PACK = ROOT / "workshop" / "packs" / "iom-leaving-no-one-behind.yaml"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
CONTROL = {"width": 1440, "height": 1000}

# Twelve people; joining is balanced, so phone k lands in group k % 3 + 1.
NAMES = [
    "Amina", "Bruno", "Chloé", "Dries", "Elif", "Farid",
    "Greet", "Hugo", "Ines", "Jonas", "Kofi", "Lotte",
]  # fmt: skip
LOCALES = {2: "fr-BE", 3: "nl-BE"}  # Chloé (group 3) in French, Dries (group 1) in Dutch
RELOADER = 4  # Elif reloads in the middle of the workshop
DROPPER = 6  # Greet loses her connection and comes back
WORDS = [
    "Skills", "Ideas", "Diversité", "Kennis", "Courage", "Food",
    "Energy", "Talent", "Music", "Hope", "Languages", "Work",
]  # fmt: skip
# The SDG card each phone works on in the exercise (two phones of a group may share one).
CARDS = [8, 10, 1, 3, 13, 4, 8, 17, 5, 16, 11, 10]

STEP_TITLE = ".agenda-item.current .agenda-title"


def _text(value, lang="en"):
    if isinstance(value, dict):
        return value.get(lang) or value["en"]
    return value


def _fit_problems(page) -> list[str]:
    """What does not fit the viewport, or is cut off inside its own box."""
    return page.evaluate(
        """() => {
          const out = [];
          const de = document.documentElement;
          if (de.scrollHeight > innerHeight + 1) out.push('page scrolls vertically: ' + de.scrollHeight);
          if (de.scrollWidth > innerWidth + 1) out.push('page scrolls horizontally: ' + de.scrollWidth);
          for (const el of document.querySelectorAll('main *, #stage *, body > *')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
            if (el.closest('[hidden], .visually-hidden')) continue;
            const name = el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '');
            if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1) out.push(name + ' beyond the screen');
            const style = getComputedStyle(el);
            const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
            if (clips && (el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2)) out.push(name + ' cuts its text off');
          }
          return [...new Set(out)].slice(0, 8);
        }"""
    )


def _small_targets(page) -> list[str]:
    """Visible controls on a phone smaller than 44x44 CSS pixels."""
    return page.evaluate(
        """() => {
          const out = [];
          const sel = 'button, a.button, select, input[type=text], textarea, summary, label.choice, label.sdg-choice, label.scale-point, .rating-choice label, input[type=submit]';
          for (const el of document.querySelectorAll(sel)) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || el.closest('[hidden], noscript, .visually-hidden, details:not([open]) > :not(summary)')) continue;
            if (r.height < 44 || r.width < 44) out.push(el.tagName.toLowerCase() + ' "' + (el.innerText || el.value || el.name || '').trim().slice(0, 30) + '" ' + Math.round(r.width) + 'x' + Math.round(r.height));
          }
          return [...new Set(out)].slice(0, 8);
        }"""
    )


@pytest.fixture
def patient_expect():
    """Twelve phones on a loaded two-core machine: give pushes time to arrive."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=BROWSER_EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def iom_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("rehearsal"))
    server.prepare(str(IOM_PACK))
    server.start()
    yield server
    server.stop()


def _join(browser, server, code, k):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES.get(k, "en-GB")
    )
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.fill("#id_nickname", NAMES[k])
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/p/{code}/")
    return phone


def _answer(phone, k, question):
    """Phone k answers; returns what it chose, for the report's checks."""
    kind = question["kind"]
    form = phone.locator("[data-quiz-form]")
    if kind == "text":
        form.locator("input[type=text]").fill(WORDS[k])
        value = WORDS[k]
    elif kind == "single":
        choices = question["choices"]
        right = next(i for i, c in enumerate(choices) if c["correct"])
        index = right if k % 3 != 2 else (right + 1) % len(choices)
        form.locator(".choice").nth(index).click()
        value = index
    elif kind == "multiple":
        picks = sorted({0, k % len(question["choices"])})
        for index in picks:
            form.locator(".choice").nth(index).click()
        value = picks
    elif kind == "sdg" and not question.get("multiple"):
        value = [10, 10, 8][k % 3]
        form.locator(f".sdg-choice.sdg-{value}").click()
    elif kind == "sdg":
        value = sorted({1, 8, 10, k % 17 + 1})
        for goal in value:
            form.locator(f".sdg-choice.sdg-{goal}").click()
    elif kind == "number":
        value = 5 + k
        form.locator(".number-input").fill(str(value))
    elif kind == "scale":
        value = k % 5 + 1
        form.locator(".scale-point").nth(value - 1).click()
    elif kind == "ranking":
        # Each phone lists the options in an order of its own and moves one up a
        # place; what it sends is the order its page shows.
        count = len(question["choices"])
        moved = 1 + k % (count - 1)
        form.locator(".rank-move[data-move=up]").nth(moved).click()
        value = [t.strip() for t in form.locator(".rank-item .rank-text").all_inner_texts()]
    elif kind == "points":
        count = len(question["choices"])
        value = [0] * count
        value[k % count] += 60
        value[(2 * k + 1) % count] += 40
        for index, points in enumerate(value):
            form.locator("[data-points-for]").nth(index).fill(str(points))
    else:  # pragma: no cover - a new kind in the pack must be taught to the rehearsal
        raise AssertionError(f"the rehearsal does not know how to answer a {kind} question")
    phone.click("[data-quiz-submit]")
    return value


def test_the_whole_iom_workshop(browser, iom_server, screenshot_dir, patient_expect):
    server = iom_server
    pack = yaml.safe_load(IOM_PACK.read_text(encoding="utf-8"))
    steps = pack["template"]["steps"]
    questions = {q["key"]: q for q in pack["questions"]}
    shots = screenshot_dir
    problems: list[str] = []

    def shoot(name, page, *, full_page=False):
        page.screenshot(path=str(shots / f"rehearsal-{name}.png"), full_page=full_page)

    def check_projector(where):
        problems.extend(f"projector, {where}: {p}" for p in _fit_problems(screen))

    def check_phone(where, phone):
        problems.extend(f"phone, {where}: {p}" for p in _small_targets(phone))

    # --- The facilitator creates the session and opens the projector ---------
    control = browser.new_page(viewport=CONTROL)
    sign_in(control, server)
    control.select_option("#id_template", label=_text(pack["template"]["title"]))
    control.fill("#id_group_count", "3")
    control.click("text=Create session")
    control.wait_for_url("**/facilitate/*/")
    code = control.locator(".code-pill").inner_text().strip()
    screen = browser.new_page(viewport=PROJECTOR)
    screen.goto(
        server.url + control.locator("text=Open the projector screen").get_attribute("href")
    )
    expect(control.locator(STEP_TITLE)).to_have_text(_text(steps[0]["title"]))

    phones = [_join(browser, server, code, k) for k in range(len(NAMES))]
    langs = [LOCALES.get(k, "en")[:2] for k in range(len(NAMES))]
    for k, phone in enumerate(phones):
        expect(phone.locator(".me .chip")).to_contain_text(str(k % 3 + 1))
        expect(phone.locator("#stage h1")).to_have_text(_text(steps[0]["title"], langs[k]))
    watched = [phones[0], phones[2], phones[3]]  # English, French, Dutch
    expect(screen.locator("#stage")).to_contain_text(code)
    check_projector("lobby")
    for phone in watched:
        check_phone("lobby", phone)
    shoot("01-lobby-projector", screen)
    shoot("01-lobby-phone", phones[0])
    shoot("01-lobby-phone-fr", phones[2])

    answers: dict[str, list] = {}
    kinds_shot: set[str] = set()
    for position, step in enumerate(steps, start=1):
        title = _text(step["title"])
        if position > 1:
            control.click("button[value=next]")
            expect(control.locator(STEP_TITLE)).to_have_text(title)
        kind = step["kind"]
        if kind == "content":
            expect(screen.locator("#stage h1")).to_have_text(title)
            for phone in watched:
                lang = langs[phones.index(phone)]
                expect(phone.locator("#stage h1")).to_have_text(_text(step["title"], lang))
            check_projector(title)
            if "content" not in kinds_shot:
                kinds_shot.add("content")
                shoot("02-content-projector", screen)
                shoot("02-content-phone-nl", phones[3])
        elif kind == "question":
            question = questions[step["question"]]
            qtext = _text(question["text"])
            expect(screen.locator(".quiz-question")).to_have_text(qtext)
            check_projector(f"{title}, before opening")
            timer = control.locator("#quiz-timer")
            if timer.count():
                timer.select_option("")  # the rehearsal runs faster than any timer
            control.click("[data-testid=quiz-open]")
            expect(control.locator("[data-testid=quiz-state]")).to_have_text("Open")
            for phone in watched:
                expect(phone.locator(".quiz-question")).to_have_text(
                    _text(question["text"], langs[phones.index(phone)])
                )
            for phone in phones:
                expect(phone.locator("[data-quiz-submit]")).to_be_visible()
            # The quiz speaks the phone's language, not only the content.
            expect(phones[2].locator("[data-quiz-submit]")).to_have_text("Envoyer ma réponse")
            expect(phones[3].locator("[data-quiz-submit]")).to_have_text("Mijn antwoord versturen")
            if question["kind"] not in kinds_shot:
                kinds_shot.add(question["kind"])
                shoot(f"03-question-{question['kind']}-phone", phones[1])
                check_phone(f"{title}, open", phones[1])
                check_phone(f"{title}, open (French)", phones[2])
            dropper = phones[DROPPER]
            dropping = step["question"] == "forcibly-displaced"
            if dropping:
                # Greet's phone loses the network while she answers.
                dropper.context.set_offline(True)
                dropper.evaluate("window.Live.dropConnection()")
                expect(dropper.locator("#connection-banner")).to_be_visible()
            values = []
            for k, phone in enumerate(phones):
                values.append(_answer(phone, k, question))
            answers[step["question"]] = values
            if dropping:
                # A wait with feedback: her answer is safe on the phone and will go.
                expect(dropper.locator("[data-answer-status]")).to_contain_text("No connection")
            expected = len(phones) - 1 if dropping else len(phones)
            expect(control.locator("[data-testid=answered]")).to_have_text(str(expected))
            if dropping:
                shoot("04-dropped-phone", dropper)
                dropper.context.set_offline(False)
                # Back online: the outbox resends her answer, once.
                expect(dropper.locator("#connection-banner")).to_be_hidden(timeout=20_000)
                expect(control.locator("[data-testid=answered]")).to_have_text(str(len(phones)))
            if step["question"] == "migrant-children-share":
                # Elif reloads in the middle of the workshop: her answer is still in.
                phones[RELOADER].reload()
                expect(phones[RELOADER].locator("[data-answer-status]")).to_have_text(
                    re.compile("Your answer is in")
                )
            if step["question"] == "sdg-explicit-migration":
                control.click("[data-testid=quiz-show-results]")
                expect(control.locator("[data-testid=quiz-hide-results]")).to_be_visible()
                expect(screen.locator("[data-testid=answer-total]")).to_have_text("12")
                check_projector(f"{title}, live results")
                shoot("05-question-live-projector", screen)
            shot_open = f"open-{question['kind']}"
            if shot_open not in kinds_shot:
                kinds_shot.add(shot_open)
                check_projector(f"{title}, open")
                shoot(f"03-question-{question['kind']}-projector", screen)
            control.click("[data-testid=quiz-close]")
            expect(control.locator("[data-testid=quiz-state]")).to_have_text("Closed")
            control.click("[data-testid=quiz-reveal]")
            expect(control.locator("[data-testid=quiz-state]")).to_have_text("Revealed")
            for phone in (*watched, phones[RELOADER], phones[DROPPER]):
                expect(phone.locator(".phone-reveal")).to_be_visible()
            if question["kind"] == "single" or (
                question["kind"] == "sdg" and not question.get("multiple")
            ):
                expect(phones[0].locator(".verdict")).to_have_text("You were right!")
            check_projector(f"{title}, revealed")
            shot_reveal = f"reveal-{question['kind']}"
            if shot_reveal not in kinds_shot:
                kinds_shot.add(shot_reveal)
                shoot(f"06-reveal-{question['kind']}-projector", screen)
                shoot(f"06-reveal-{question['kind']}-phone", phones[0])
        elif kind == "exercise":
            expect(screen.locator(".sdg-tile")).to_have_count(17)
            control.click("[data-testid=sdg-start]")
            expect(control.locator("[data-testid=sdg-state]")).to_have_text("Open")
            for phone in phones:
                expect(phone.locator(".sdg-card")).to_have_count(17)
            check_phone("exercise", phones[0])
            reasons = {}
            saved_on = {}  # (group, sdg) -> the reasoning its card holds now
            for k, phone in enumerate(phones):
                sdg = CARDS[k]
                card = phone.locator(f"#card-{sdg}")
                # A teammate saved this card before: her phone edits on top of
                # that save (otherwise the product rightly reports a conflict).
                if (k % 3, sdg) in saved_on:
                    expect(phone.locator(f"#reasoning-{sdg}")).to_have_value(saved_on[k % 3, sdg])
                if card.get_attribute("open") is None:
                    card.locator("summary").click()
                expect(card).to_have_attribute("open", "")
                card.locator(f"#rating-{sdg}-{'strong' if k % 2 == 0 else 'some'}").check()
                card.locator(f"input[name=targets][value='{sdg}.1']").check()
                reasons[k] = f"{NAMES[k]}: migration helps SDG {sdg} through target {sdg}.1"
                phone.fill(f"#reasoning-{sdg}", reasons[k])
                phone.locator(f"#reasoning-{sdg}").blur()
                saved = phone.locator("#sdg-cards").get_attribute("data-msg-saved")
                expect(phone.locator(f"#card-status-{sdg}")).to_have_text(saved)
                saved_on[k % 3, sdg] = reasons[k]
            for k, phone in enumerate(phones):
                sdg = CARDS[k]
                # Teammates on the same card, one after the other: the last save wins.
                last = max(j for j in range(len(phones)) if j % 3 == k % 3 and CARDS[j] == sdg)
                expect(phone.locator(f"#reasoning-{sdg}")).to_have_value(reasons[last])
            done = len({(k % 3, sdg) for k, sdg in enumerate(CARDS)})
            expect(control.locator(".sdg-progress h3 .muted")).to_contain_text(f"{done} of 51")
            check_phone("exercise, card open", phones[0])
            check_projector("exercise, map")
            shoot("07-exercise-projector", screen)
            shoot("07-exercise-phone", phones[0])
            shoot("07-exercise-phone-fr", phones[2])
            control.click("button.sdg-pick[value='8']")
            spot = screen.locator("[data-testid=spotlight]")
            expect(spot).to_contain_text(reasons[6])
            check_projector("exercise, spotlight")
            shoot("08-spotlight-projector", screen)
            control.click("[data-testid=sdg-close]")
            for phone in phones:
                expect(phone.locator(".sdg-compare")).to_be_visible()
            control.click("[data-testid=sdg-reveal]")
            expect(spot.locator(".spotlight-ref")).to_contain_text("8.5")
            check_projector("exercise, reference in the spotlight")
            shoot("09-reference-spotlight-projector", screen)
            control.click("text=Back to the map")
            expect(screen.locator(".sdg-grid")).to_be_visible()
            expect(screen.locator(".aa-list li")).to_have_count(6)
            check_projector("exercise, reference map")
            shoot("09-reference-projector", screen)
            expect(phones[0].locator(".aa-list li")).to_have_count(6)
            shoot("09-reference-phone", phones[0])
            exercise_reasons = reasons
        else:  # lobby steps later in the run of show
            expect(screen.locator("#stage h1")).to_have_text(title)
            check_projector(title)

    expect(control.locator("button[value=next]")).to_be_visible()
    assert len(answers) == len(questions), "every question of the pack was asked"

    # --- The report: everything that was entered -----------------------------
    control.goto(server.url + control.locator("a.button", has_text="Report").get_attribute("href"))
    report = control.locator("main")
    expect(report.locator("h1")).to_have_text("Workshop report")
    for k in range(len(NAMES)):
        last = max(j for j in range(len(NAMES)) if j % 3 == k % 3 and CARDS[j] == CARDS[k])
        expect(report).to_contain_text(exercise_reasons[last])
    asked = report.locator(".report-question")
    expect(asked).to_have_count(len(questions))
    for index, (key, values) in enumerate(answers.items()):
        item = asked.nth(index)
        expect(item).to_contain_text(_text(questions[key]["text"]))
        expect(item).to_contain_text(f"{len(values)} answers")
        if questions[key]["kind"] == "text":
            for word in values:
                expect(item).to_contain_text(word)
        if questions[key]["kind"] == "single":
            right = sum(1 for k in range(len(NAMES)) if k % 3 != 2)
            expect(item).to_contain_text(f"{right} right")
        if questions[key]["kind"] == "points":
            totals = [sum(column) for column in zip(*values, strict=True)]
            for choice, total in zip(questions[key]["choices"], totals, strict=True):
                label = _text(choice["text"])
                expect(item.locator("svg title")).to_contain_text(f"{label} {total}")
    expect(report).to_contain_text(re.compile("français 1", re.I))
    expect(report).to_contain_text("Nederlands 1")
    shoot("10-report", control, full_page=False)

    for phone in phones:
        phone.context.close()
    (shots / "rehearsal-problems.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert not problems, "The rehearsal found:\n" + "\n".join(problems)


def test_every_step_fits_the_projector_in_french_and_dutch(browser, iom_server, patient_expect):
    """French and Dutch run longer than English: every step of the IOM pack, as
    the projector shows it in those languages (the admin's preview), fits
    1920x1080 with nothing cut off."""
    page = browser.new_page(viewport=PROJECTOR)
    sign_in(page, iom_server)
    page.goto(iom_server.url + "/admin/workshop/step/?o=3")
    links = page.locator("a[href*='/preview/screen/']")
    expect(links.first).to_be_visible()
    urls = sorted(set(links.evaluate_all("els => els.map(a => a.getAttribute('href'))")))
    pack = yaml.safe_load(IOM_PACK.read_text(encoding="utf-8"))
    assert len(urls) >= len(pack["template"]["steps"])
    problems = []
    for url in urls:
        for lang in ("fr", "nl"):
            page.goto(f"{iom_server.url}{url}?lang={lang}")
            expect(page.locator(".screen-main")).to_be_visible()
            page.evaluate("document.querySelector('.preview-bar')?.remove()")
            title = page.locator(".screen-main h1").first.inner_text()
            problems.extend(f"{lang} {title!r}: {p}" for p in _fit_problems(page))
    page.close()
    assert not problems, "Too long for the projector:\n" + "\n".join(problems)
