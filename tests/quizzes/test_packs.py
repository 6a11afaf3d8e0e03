import copy
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from quizzes.models import Choice, Question, Quiz
from workshop.models import Step, WorkshopTemplate
from workshop.packs import PackError, import_pack, read_pack

from .conftest import QUIZ_PACK

pytestmark = pytest.mark.django_db

IOM_PACK = (
    Path(__file__).resolve().parents[2] / "workshop" / "packs" / "iom-leaving-no-one-behind.yaml"
)


def test_the_iom_pack_imports_with_its_questions_where_the_deck_puts_them():
    call_command("import_pack", str(IOM_PACK), "--skip-existing")
    template = WorkshopTemplate.objects.get()
    steps = list(template.ordered_steps())
    assert all(s.question_id for s in steps if s.kind == Step.Kind.QUESTION)
    keys = [s.question.key for s in steps if s.question_id]
    assert keys.index("sdg-explicit-migration") + 1 == keys.index("sdg-migration-contributes")
    quiz_time = next(i for i, s in enumerate(steps) if s.title == "Quiz time!")
    assert steps[quiz_time + 1].question.key == "sdg-explicit-migration"
    assert steps[quiz_time + 2].question.key == "sdg-migration-contributes"
    assert "10.7" in steps[quiz_time + 3].title
    first = Question.objects.get(key="sdg-explicit-migration")
    assert first.kind == "sdg" and first.correct_sdgs == [10] and not first.multiple
    assert "target 10.7" in first.explanation
    everything = Question.objects.get(key="sdg-migration-contributes")
    assert everything.correct_sdgs == list(range(1, 18)) and everything.multiple
    assert Question.objects.count() >= 10
    assert Question.objects.get(key="migrants-one-in").number_correct == 8
    assert Question.objects.get(key="iom-founded").choices.get(correct=True).text == "1951"
    # Run again as `make run` does: nothing changes.
    call_command("import_pack", str(IOM_PACK), "--skip-existing")
    assert WorkshopTemplate.objects.count() == 1


def test_reimporting_updates_questions_in_place():
    import_pack(read_pack(QUIZ_PACK))
    choice_ids = list(Choice.objects.filter(question__key="t-founded").values_list("pk", flat=True))
    data = read_pack(QUIZ_PACK)
    spec = next(q for q in data["questions"] if q["key"] == "t-founded")
    spec["text"] = {"en": "Since when?"}
    spec["choices"] = spec["choices"][:2]
    import_pack(data, replace=True)
    founded = Question.objects.get(key="t-founded")
    assert founded.text == "Since when?"
    assert list(founded.choices.values_list("pk", flat=True)) == choice_ids[:2]


def test_a_question_serves_several_templates():
    import_pack(read_pack(QUIZ_PACK))
    other = {
        "format": 1,
        "template": {
            "slug": "other",
            "title": {"en": "Other"},
            "steps": [{"kind": "question", "question": "t-sdg", "title": {"en": "Again"}}],
        },
    }
    import_pack(other)
    assert Question.objects.get(key="t-sdg").steps.count() == 2
    assert Quiz.objects.filter(key="quiz-mini").exists()


# --- question keys belong to a template's quiz ------------------------------------


def _pack(slug: str, steps: list[dict], questions: list[dict] | None = None) -> dict:
    data = {"format": 1, "template": {"slug": slug, "title": {"en": slug}, "steps": steps}}
    if questions is not None:
        data["questions"] = questions
    return data


FOUNDED_ELSEWHERE = {
    "key": "t-founded",
    "kind": "single",
    "text": {"en": "When was the city founded?"},
    "choices": [{"text": {"en": "1200"}, "correct": True}, {"text": {"en": "1500"}}],
}
ASK_FOUNDED = {"kind": "question", "question": "t-founded", "title": {"en": "History"}}


def _founded_of(slug: str) -> Question:
    return Question.objects.get(quiz__key=slug, key="t-founded")


def test_it_keeps_question_keys_unique_within_a_quiz_only():
    mini, other = Quiz.objects.create(key="mini"), Quiz.objects.create(key="other")
    Question.objects.create(quiz=mini, key="same", text="One")
    Question.objects.create(quiz=other, key="same", text="Two")
    with pytest.raises(IntegrityError):
        Question.objects.create(quiz=mini, key="same", text="Three")


def test_another_templates_pack_with_the_same_key_leaves_the_first_question_alone():
    data = read_pack(QUIZ_PACK)
    next(q for q in data["questions"] if q["key"] == "t-founded")["text"]["fr"] = "Depuis quand ?"
    import_pack(data)
    city = import_pack(_pack("city", [ASK_FOUNDED], [FOUNDED_ELSEWHERE]))

    ours = _founded_of("quiz-mini")
    assert (ours.text_en, ours.text_fr) == (
        "Since which year has IOM been supporting migrants?",
        "Depuis quand ?",
    )
    assert [c.text for c in ours.choices.all()] == ["1919", "1951", "1990"]
    theirs = _founded_of("city")
    assert [c.text for c in theirs.choices.all()] == ["1200", "1500"]
    assert city.ordered_steps().get().question == theirs
    quiz_step = WorkshopTemplate.objects.get(slug="quiz-mini").ordered_steps()
    assert quiz_step.get(question__key="t-founded").question == ours


REUSED_KEY_PACK = """\
format: 1
template:
  slug: quiz-mini
  title: {en: "A new quiz"}
  steps:
    - {kind: question, question: t-founded, title: {en: "History"}}
questions:
  - key: t-founded
    kind: single
    text: {en: "When was the city founded?"}
    choices: [{text: {en: "1200"}, correct: true}, {text: {en: "1500"}}]
"""


def test_it_refuses_to_change_a_question_another_template_asks(tmp_path):
    import_pack(read_pack(QUIZ_PACK))
    # Renamed in the admin: its quiz keeps the old slug as its key.
    WorkshopTemplate.objects.filter(slug="quiz-mini").update(slug="quiz-mini-2024")
    path = tmp_path / "reused.yaml"
    path.write_text(REUSED_KEY_PACK, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_pack", str(path))

    assert (
        "questions[0].key (line 8): importing would change the question 't-founded' that "
        "template 'quiz-mini-2024' also asks; give this question another key"
    ) in str(error.value)
    assert "nothing was changed" in str(error.value)
    assert not WorkshopTemplate.objects.filter(slug="quiz-mini").exists()
    assert [c.text for c in _founded_of("quiz-mini").choices.all()] == ["1919", "1951", "1990"]


def test_a_new_template_may_not_take_over_the_questions_of_a_renamed_one():
    import_pack(read_pack(QUIZ_PACK))
    WorkshopTemplate.objects.filter(slug="quiz-mini").update(slug="quiz-mini-2024")

    with pytest.raises(PackError) as error:
        import_pack(read_pack(QUIZ_PACK))  # the same questions: they would be shared

    assert (
        "questions[1].key: importing would share the question 't-founded' of template "
        "'quiz-mini-2024'; give this question another key"
    ) in error.value.errors
    assert len(error.value.errors) == 7  # each of its questions, named
    assert not WorkshopTemplate.objects.filter(slug="quiz-mini").exists()


def test_a_template_reimports_a_question_another_asks_when_it_is_unchanged():
    template = import_pack(read_pack(QUIZ_PACK))
    import_pack(_pack("other", [{**ASK_FOUNDED, "title": {"en": "Again"}}]))
    steps_before = list(template.steps.values_list("pk", flat=True))

    import_pack(read_pack(QUIZ_PACK), replace=True)  # the same content: allowed
    changed = read_pack(QUIZ_PACK)
    next(q for q in changed["questions"] if q["key"] == "t-founded")["points"] = 5
    with pytest.raises(PackError) as error:
        import_pack(changed, replace=True)

    assert any("'t-founded' that template 'other' also asks" in e for e in error.value.errors)
    assert _founded_of("quiz-mini").points == 1
    assert list(template.steps.values_list("pk", flat=True)) != steps_before  # first reimport
    assert WorkshopTemplate.objects.get(slug="other").ordered_steps().get().question.points == 1


def test_a_step_naming_a_key_of_several_quizzes_is_ambiguous():
    import_pack(read_pack(QUIZ_PACK))
    import_pack(_pack("city", [ASK_FOUNDED], [FOUNDED_ELSEWHERE]))

    with pytest.raises(PackError) as error:
        import_pack(_pack("third", [ASK_FOUNDED]))

    assert error.value.errors == [
        "template.steps[0].question: 't-founded' is ambiguous: quizzes 'quiz-mini', 'city' "
        "each have a question of that key; list the question under 'questions' to give "
        "this template its own"
    ]
    assert not WorkshopTemplate.objects.filter(slug="third").exists()
    assert not Quiz.objects.filter(key="third").exists()


def test_a_step_naming_an_unlisted_key_asks_its_own_templates_question_first():
    import_pack(read_pack(QUIZ_PACK))
    import_pack(_pack("city", [ASK_FOUNDED], [FOUNDED_ELSEWHERE]))
    data = _pack("city", [ASK_FOUNDED])  # no questions listed: the city's own
    template = import_pack(data, replace=True)
    assert template.ordered_steps().get().question == _founded_of("city")


def _broken(mutate):
    data = read_pack(QUIZ_PACK)
    mutate(data)
    with pytest.raises(PackError) as error:
        import_pack(copy.deepcopy(data))
    assert not WorkshopTemplate.objects.exists() and not Question.objects.exists()
    return error.value.errors


def test_bad_questions_are_named_by_their_place():
    def mutate(data):
        data["questions"][0]["kind"] = "essay"
        data["questions"][1]["choices"][0]["correct"] = "yes"
        data["questions"][3]["number"]["min"] = 200
        data["questions"][4]["max_length"] = 10000
        data["questions"][2]["key"] = "t-sdg"
        data["template"]["steps"][1]["question"] = "nope"
        data["questions"][5]["scale"] = {"min": 5, "max": 1}
        data["questions"][6]["colour"] = "red"

    errors = _broken(mutate)
    kinds = "single, multiple, sdg, number, text, scale, ranking, points"
    assert f"questions[0].kind: must be one of {kinds}" in errors
    assert "questions[1].choices[0].correct: must be true or false" in errors
    assert "questions[3].number.max: must be greater than min" in errors
    assert "questions[4].max_length: must be from 1 to 280" in errors
    assert "questions[2].key: 't-sdg' is used twice" in errors
    assert (
        "template.steps[1].question: unknown question 'nope'; list it under 'questions'" in errors
    )
    assert any(e.startswith("questions[5].scale:") for e in errors)
    assert "questions[6].colour: unknown field" in errors


def test_a_question_key_that_is_not_a_slug_is_refused():
    def mutate(data):
        data["questions"][0]["key"] = "t sdg?"

    errors = _broken(mutate)
    assert "questions[0].key: is required: a short name of letters, digits, dashes" in errors


def test_sdg_answers_must_be_goals():
    def mutate(data):
        data["questions"][0]["correct_sdgs"] = [0, 18]

    assert "questions[0].correct_sdgs: must list SDG numbers from 1 to 17" in _broken(mutate)


def test_every_question_of_the_iom_pack_renders_for_every_view(facilitator):
    from live.audiences import CONTROL, PARTICIPANT, SCREEN, Audience
    from live.regions import render_regions
    from quizzes import services as quiz_services
    from workshop import services

    call_command("import_pack", str(IOM_PACK), "--skip-existing")
    session = services.create_session(WorkshopTemplate.objects.get(), facilitator)
    amina = services.join_session(session.code, nickname="Amina")
    for step in session.ordered_steps().filter(kind=Step.Kind.QUESTION):
        session = services.go_to_step(session, step.pk, facilitator)
        for state in ("draft", "open", "revealed"):
            if state == "open":
                quiz_services.open_question(session, facilitator, timer_seconds=30)
            elif state == "revealed":
                quiz_services.reveal_question(session, facilitator)
            for audience, who in (
                (Audience(SCREEN, session.pk), None),
                (Audience(CONTROL, session.pk), None),
                (Audience(PARTICIPANT, session.pk, amina.group_id, "fr"), amina),
            ):
                html = render_regions(session, audience, ["stage"], who)[0]["html"]
                assert "Placeholder" not in html, (step.question.key, audience.kind)
                assert "style=" not in html
            if state == "revealed" and step.question.explanation:
                assert step.question.explanation[:30] in "".join(
                    r["html"]
                    for r in render_regions(session, Audience(SCREEN, session.pk), ["stage"])
                ).replace("&#x27;", "'")
