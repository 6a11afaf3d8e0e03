"""The quiz section of content packs: a top-level ``questions:`` list, and
``question: <key>`` on question steps.

A template's questions belong to its own quiz, the one whose key is the
template's slug; keys are unique within a quiz only. Importing a pack creates
or updates the questions of that quiz alone (choices too, position by
position, so the answers of past sessions keep pointing at their choices).
A step may name a question the pack does not list: the template's own, or
failing that the one question of that key in another quiz. The import stops,
changing nothing, when that key is ambiguous, or when it would change a
question that another template asks.
"""

from __future__ import annotations

from typing import Any

from workshop.models import Step, WorkshopTemplate
from workshop.packs import LANGUAGES, PackContext, check_text, is_slug, text_of, translated

from .models import (
    RANKING_MAX_OPTIONS,
    RANKING_MIN_OPTIONS,
    TEXT_MAX_LENGTH_LIMIT,
    Choice,
    Question,
    Quiz,
)

QUESTION_KEYS = {
    "key", "kind", "text", "explanation", "choices", "correct_sdgs", "multiple", "number",
    "scale", "max_length", "approve_first", "allow_change", "show_results_live",
    "timer", "points", "budget",
}  # fmt: skip
NUMBER_KEYS = {"correct", "min", "max", "unit", "tolerance"}
SCALE_KEYS = {"min", "max", "min_label", "max_label"}
MAX_CHOICES = 12
MAX_BUDGET = 1000


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class QuizPackExtension:
    step_keys = {"question"}
    top_keys = {"questions"}

    def validate(self, ctx: PackContext) -> None:
        questions = ctx.data.get("questions", [])
        keys: set[str] = set()
        if not isinstance(questions, list):
            ctx.error("questions", "must be a list")
            questions = []
        own_quiz = _own_quiz(ctx)
        for index, spec in enumerate(questions):
            place = f"questions[{index}]"
            if not isinstance(spec, dict):
                ctx.error(place, "must be a mapping")
                continue
            errors_before = len(ctx.errors)
            key = spec.get("key")
            if not is_slug(key, 80):
                ctx.error(f"{place}.key", "is required: a short name of letters, digits, dashes")
            elif key in keys:
                ctx.error(f"{place}.key", f"'{key}' is used twice")
            else:
                keys.add(key)
            self._validate_question(ctx, spec, place)
            if len(ctx.errors) == errors_before:  # only a valid spec can be compared
                _check_other_templates(ctx, spec, place, own_quiz)
        ctx.extra["question_keys"] = keys
        ctx.extra["borrowed_questions"] = self._validate_steps(ctx, keys, own_quiz)

    def _validate_steps(
        self, ctx: PackContext, keys: set[str], own_quiz: Quiz | None
    ) -> dict[str, int]:
        """Each step's question; returns the ids of those the pack does not list."""
        borrowed: dict[str, int] = {}
        steps = ctx.data["template"].get("steps") or []
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, dict) or "question" not in step:
                continue
            place = f"template.steps[{index}].question"
            key = step["question"]
            if step.get("kind") != Step.Kind.QUESTION:
                ctx.error(place, "only a step of kind 'question' can ask a question")
            elif isinstance(key, str) and key in keys:
                continue
            elif (found := _question_named(ctx, place, key, own_quiz)) is not None:
                borrowed[key] = found.pk
        return borrowed

    def _validate_question(self, ctx: PackContext, spec: dict[str, Any], place: str) -> None:
        for name in spec:
            if name not in QUESTION_KEYS:
                ctx.error(f"{place}.{name}", "unknown field")
        kind = spec.get("kind")
        if kind not in Question.Kind.values:
            ctx.error(f"{place}.kind", f"must be one of {', '.join(Question.Kind.values)}")
        check_text(ctx, spec.get("text"), f"{place}.text", required=True, max_length=300)
        check_text(
            ctx, spec.get("explanation"), f"{place}.explanation", required=False, max_length=3000
        )
        for flag in ("multiple", "approve_first", "allow_change", "show_results_live"):
            if flag in spec and not isinstance(spec[flag], bool):
                ctx.error(f"{place}.{flag}", "must be true or false")
        for name, low, high in (("timer", 1, 3600), ("points", 0, 1000)):
            if name in spec and not (
                isinstance(spec[name], int) and not isinstance(spec[name], bool)
                and low <= spec[name] <= high
            ):  # fmt: skip
                ctx.error(f"{place}.{name}", f"must be a whole number from {low} to {high}")
        choices = spec.get("choices")
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            self._validate_choices(ctx, choices, place, 2, MAX_CHOICES, ("text", "correct"))
            if (
                kind == Question.Kind.SINGLE
                and isinstance(choices, list)
                and sum(1 for c in choices if isinstance(c, dict) and c.get("correct")) > 1
            ):
                ctx.error(f"{place}.choices", "a single-choice question has one correct choice")
        elif kind == Question.Kind.RANKING:
            self._validate_choices(
                ctx, choices, place, RANKING_MIN_OPTIONS, RANKING_MAX_OPTIONS, ("text", "rank")
            )
            _validate_right_order(ctx, choices, place)
        elif kind == Question.Kind.POINTS:
            self._validate_choices(ctx, choices, place, 2, MAX_CHOICES, ("text",))
        elif choices is not None:
            ctx.error(f"{place}.choices", "only questions with options have choices")
        if "budget" in spec:
            budget = spec["budget"]
            if kind != Question.Kind.POINTS:
                ctx.error(f"{place}.budget", "only points questions have this")
            elif not (isinstance(budget, int) and not isinstance(budget, bool)) or not (
                1 <= budget <= MAX_BUDGET
            ):
                ctx.error(f"{place}.budget", f"must be a whole number from 1 to {MAX_BUDGET}")
        if kind == Question.Kind.SDG:
            sdgs = spec.get("correct_sdgs", [])
            if not isinstance(sdgs, list) or any(
                not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 17 for n in sdgs
            ):
                ctx.error(f"{place}.correct_sdgs", "must list SDG numbers from 1 to 17")
            elif len(sdgs) > 1 and not spec.get("multiple"):
                ctx.error(f"{place}.correct_sdgs", "several correct SDGs need 'multiple: true'")
        elif "correct_sdgs" in spec:
            ctx.error(f"{place}.correct_sdgs", "only SDG questions have correct SDGs")
        if kind == Question.Kind.NUMBER:
            self._validate_number(ctx, spec.get("number"), f"{place}.number")
        elif "number" in spec:
            ctx.error(f"{place}.number", "only number questions have this")
        if kind == Question.Kind.SCALE:
            self._validate_scale(ctx, spec.get("scale"), f"{place}.scale")
        elif "scale" in spec:
            ctx.error(f"{place}.scale", "only scale questions have this")
        if "max_length" in spec:
            length = spec["max_length"]
            if kind != Question.Kind.TEXT:
                ctx.error(f"{place}.max_length", "only open-text questions have this")
            elif not (isinstance(length, int) and 1 <= length <= TEXT_MAX_LENGTH_LIMIT):
                ctx.error(f"{place}.max_length", f"must be from 1 to {TEXT_MAX_LENGTH_LIMIT}")

    def _validate_choices(
        self, ctx: PackContext, choices: Any, place: str, low: int, high: int, names: tuple
    ) -> None:
        if not isinstance(choices, list) or not low <= len(choices) <= high:
            ctx.error(f"{place}.choices", f"must list {low} to {high} choices")
            return
        for c_index, choice in enumerate(choices):
            c_place = f"{place}.choices[{c_index}]"
            if not isinstance(choice, dict):
                ctx.error(c_place, f"must be a mapping with {' and '.join(names)}")
                continue
            for name in choice:
                if name not in names:
                    ctx.error(f"{c_place}.{name}", "unknown field")
            check_text(ctx, choice.get("text"), f"{c_place}.text", required=True, max_length=200)
            if not isinstance(choice.get("correct", False), bool):
                ctx.error(f"{c_place}.correct", "must be true or false")

    def _validate_number(self, ctx: PackContext, spec: Any, place: str) -> None:
        if not isinstance(spec, dict):
            ctx.error(place, "is required: a mapping with correct, min and max")
            return
        for name in spec:
            if name not in NUMBER_KEYS:
                ctx.error(f"{place}.{name}", "unknown field")
        for name in ("correct", "min", "max", "tolerance"):
            if name in spec and not _is_number(spec[name]):
                ctx.error(f"{place}.{name}", "must be a number")
        low, high, correct = spec.get("min"), spec.get("max"), spec.get("correct")
        if _is_number(low) and _is_number(high) and low >= high:
            ctx.error(f"{place}.max", "must be greater than min")
        if _is_number(correct) and (
            (_is_number(low) and correct < low) or (_is_number(high) and correct > high)
        ):
            ctx.error(f"{place}.correct", "must lie between min and max")
        check_text(ctx, spec.get("unit"), f"{place}.unit", required=False, max_length=40)

    def _validate_scale(self, ctx: PackContext, spec: Any, place: str) -> None:
        if not isinstance(spec, dict):
            ctx.error(place, "is required: a mapping with min and max")
            return
        for name in spec:
            if name not in SCALE_KEYS:
                ctx.error(f"{place}.{name}", "unknown field")
        low, high = spec.get("min"), spec.get("max")
        if not (isinstance(low, int) and isinstance(high, int) and -100 <= low < high <= 100):
            ctx.error(place, "min and max must be whole numbers, min below max (at most 100)")
        elif high - low > 10:
            ctx.error(place, "a scale has at most 11 points")
        check_text(ctx, spec.get("min_label"), f"{place}.min_label", required=False, max_length=60)
        check_text(ctx, spec.get("max_label"), f"{place}.max_label", required=False, max_length=60)

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None:
        quiz, _ = Quiz.objects.get_or_create(key=template.slug, defaults={"title": ""})
        for name, value in translated(ctx.data["template"]["title"], "title").items():
            setattr(quiz, name, value)
        quiz.save()
        question_ids = dict(ctx.extra["borrowed_questions"])
        for position, spec in enumerate(ctx.data.get("questions", []), start=1):
            question_ids[spec["key"]] = upsert_question(spec, quiz, position).pk
        for step, step_spec in ctx.steps:
            key = step_spec.get("question")
            if key:
                step.question_id = question_ids[key]
                step.save(update_fields=["question"])

    def slug_in_use(self, slug: str) -> bool:
        """A quiz of this key would take a new template's questions."""
        return Quiz.objects.filter(key=slug).exists()

    # --- export: what ``apply`` reads, defaults left out, in a stable order -------------

    def export(self, template: WorkshopTemplate) -> dict[str, Any]:
        questions: list[Question] = []
        steps = template.ordered_steps().filter(question__isnull=False).select_related("question")
        for step in steps:
            if step.question not in questions:
                questions.append(step.question)
        return {"questions": [question_spec(q) for q in questions]} if questions else {}

    def export_step(self, step: Step) -> dict[str, Any]:
        question_id = getattr(step, "question_id", None)
        return {"question": step.question.key} if question_id else {}


def _validate_right_order(ctx: PackContext, choices: Any, place: str) -> None:
    """A ranking's right order is optional; given, every option has its own
    place, 1 to n (``rank:``)."""
    if not isinstance(choices, list):
        return
    ranks = [c.get("rank") for c in choices if isinstance(c, dict)]
    if all(rank is None for rank in ranks):
        return
    if sorted(r if isinstance(r, int) and not isinstance(r, bool) else 0 for r in ranks) != list(
        range(1, len(choices) + 1)
    ):
        ctx.error(
            f"{place}.choices",
            f"a right order gives every choice its own rank, from 1 to {len(choices)}",
        )


def _own_quiz(ctx: PackContext) -> Quiz | None:
    """The quiz the pack's questions go to: its key is the template's slug."""
    slug = ctx.data["template"].get("slug")
    return Quiz.objects.filter(key=slug).first() if isinstance(slug, str) else None


def _question_named(ctx: PackContext, place: str, key: Any, own_quiz: Quiz | None):
    """The question a step names without the pack listing it: the template's
    own, else the only one of that key; None (and an error) otherwise."""
    if not isinstance(key, str) or not key:
        ctx.error(place, f"unknown question '{key}'; list it under 'questions'")
        return None
    if own_quiz is not None and (own := own_quiz.questions.filter(key=key).first()):
        return own
    found = list(Question.objects.filter(key=key).select_related("quiz").order_by("id"))
    if not found:
        ctx.error(place, f"unknown question '{key}'; list it under 'questions'")
        return None
    if len(found) > 1:
        quizzes = ", ".join(f"'{q.quiz.key}'" if q.quiz else "(no quiz)" for q in found)
        ctx.error(
            place,
            f"'{key}' is ambiguous: quizzes {quizzes} each have a question of that key; "
            "list the question under 'questions' to give this template its own",
        )
        return None
    return found[0]


def _check_other_templates(
    ctx: PackContext, spec: dict[str, Any], place: str, own_quiz: Quiz | None
) -> None:
    """Refuse to change a question that another template's steps ask, or to
    make a template share it without asking it already (a quiz whose key was
    once another template's slug holds that template's questions)."""
    question = own_quiz.questions.filter(key=spec["key"]).first() if own_quiz else None
    if question is None:
        return
    slug = ctx.data["template"].get("slug")
    asked_here = question.steps.filter(template__slug=slug).exists()
    changes = _would_change(question, spec)
    if asked_here and not changes:
        return
    others = question.steps.exclude(template__slug=slug).values_list("template__slug", flat=True)
    if not others:
        return
    names = ", ".join(repr(other) for other in sorted(set(others)))
    what = (
        f"importing would change the question '{spec['key']}' that template {names} also asks"
        if changes
        else f"importing would share the question '{spec['key']}' of template {names}"
    )
    ctx.error(f"{place}.key", f"{what}; give this question another key")


def _would_change(question: Question, spec: dict[str, Any]) -> bool:
    for name, value in question_fields(spec).items():
        current = getattr(question, name)
        if isinstance(value, str):
            current = current or ""  # a missing translation is NULL in the table
        if current != value:
            return True
    return _choices_of(question) != [_choice_fields(c) for c in spec.get("choices") or []]


def _choices_of(question: Question) -> list[dict[str, Any]]:
    return [
        {
            "correct": c.correct,
            "correct_rank": c.correct_rank,
            **{f"text_{lang}": getattr(c, f"text_{lang}") or "" for lang in LANGUAGES},
        }
        for c in question.choices.order_by("position", "id")
    ]


def _choice_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "correct": bool(spec.get("correct", False)),
        "correct_rank": spec.get("rank"),
        **translated(spec["text"], "text"),
    }


def _number(value: float | None) -> int | float | None:
    """281.0 -> 281: a pack says what people typed."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def question_spec(question: Question) -> dict[str, Any]:
    Kind = Question.Kind
    spec: dict[str, Any] = {"key": question.key, "kind": question.kind}
    spec["text"] = text_of(question, "text")
    if explanation := text_of(question, "explanation"):
        spec["explanation"] = explanation
    if question.is_choice:
        spec["choices"] = [
            {"text": text_of(choice, "text"), "correct": choice.correct}
            for choice in question.choices.order_by("position", "id")
        ]
    elif question.has_options:
        spec["choices"] = [
            {"text": text_of(choice, "text")}
            | ({"rank": choice.correct_rank} if choice.correct_rank else {})
            for choice in question.choices.order_by("position", "id")
        ]
    if question.kind == Kind.POINTS and question.points_budget != 100:
        spec["budget"] = question.points_budget
    if question.kind == Kind.SDG:
        if question.multiple:
            spec["multiple"] = True
        if question.correct_sdgs:
            spec["correct_sdgs"] = sorted(question.correct_sdgs)
    if question.kind == Kind.NUMBER:
        number: dict[str, Any] = {}
        for key, value in (
            ("correct", question.number_correct),
            ("min", question.number_min),
            ("max", question.number_max),
        ):
            if value is not None:
                number[key] = _number(value)
        if question.number_tolerance:
            number["tolerance"] = _number(question.number_tolerance)
        if unit := text_of(question, "unit"):
            number["unit"] = unit
        spec["number"] = number
    if question.kind == Kind.SCALE:
        scale: dict[str, Any] = {"min": question.scale_min, "max": question.scale_max}
        for key in ("min_label", "max_label"):
            if label := text_of(question, f"scale_{key}"):
                scale[key] = label
        spec["scale"] = scale
    if question.kind == Kind.TEXT and question.max_length != 60:
        spec["max_length"] = question.max_length
    if question.approve_first:
        spec["approve_first"] = True
    if not question.allow_change:
        spec["allow_change"] = False
    if question.show_results_live is not None:
        spec["show_results_live"] = question.show_results_live
    if question.timer_seconds:
        spec["timer"] = question.timer_seconds
    if question.points != 1:
        spec["points"] = question.points
    return spec


def question_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """A valid question spec -> the Question's content fields (not its quiz,
    key or position)."""
    number = spec.get("number") or {}
    scale = spec.get("scale") or {}
    return {
        "kind": spec["kind"],
        "multiple": bool(spec.get("multiple", False)),
        "correct_sdgs": sorted(spec.get("correct_sdgs", [])),
        "number_correct": number.get("correct"),
        "number_min": number.get("min"),
        "number_max": number.get("max"),
        "number_tolerance": number.get("tolerance", 0),
        "scale_min": scale.get("min", 1),
        "scale_max": scale.get("max", 5),
        "max_length": spec.get("max_length", 60),
        "approve_first": spec.get("approve_first", False),
        "allow_change": spec.get("allow_change", True),
        "show_results_live": spec.get("show_results_live"),
        "timer_seconds": spec.get("timer"),
        "points": spec.get("points", 1),
        "points_budget": spec.get("budget", 100),
        **translated(spec["text"], "text"),
        **translated(spec.get("explanation"), "explanation"),
        **translated(number.get("unit"), "unit"),
        **translated(scale.get("min_label"), "scale_min_label"),
        **translated(scale.get("max_label"), "scale_max_label"),
    }


def upsert_question(spec: dict[str, Any], quiz: Quiz, position: int) -> Question:
    """Create or update the question of this key in this quiz, and no other."""
    question = quiz.questions.filter(key=spec["key"]).first() or Question(key=spec["key"])
    fields = {"quiz": quiz, "position": position, **question_fields(spec)}
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    existing = list(question.choices.order_by("position", "id"))
    specs = spec.get("choices") or []
    for index, choice_spec in enumerate(specs):
        choice = existing[index] if index < len(existing) else Choice(question=question)
        choice.position = index + 1
        for name, value in _choice_fields(choice_spec).items():
            setattr(choice, name, value)
        choice.save()
    Choice.objects.filter(pk__in=[c.pk for c in existing[len(specs) :]]).delete()
    return question
