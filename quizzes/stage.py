"""How a question step shows on the projector, the control view and phones.

Broadcast renders carry no participant: a phone's own answer and whether it
was right come from its snapshot (server-rendered data attributes) or from
its browser's storage, matched by quizzes.js against the data the reveal
renders (data-correct).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

import live
from live import CONTROL, PARTICIPANT, SCREEN, presence, register_region
from live.regions import RenderTarget
from workshop import step_kinds

from . import results, sdg_tiles, services, shuffle
from .models import Answer, Question, QuestionRun

TIMER_CHOICES = (15, 30, 60, 90)


def question_context(target: RenderTarget) -> dict[str, Any]:
    step = target.step
    question: Question | None = step.question if step and step.question_id else None
    if question is None:
        return {"quiz": None}
    choices = list(question.choices.all())
    run = services.run_for_step(target.session, step)
    if run is None:  # not opened yet: an unsaved run shows the defaults
        run = QuestionRun(
            session=target.session,
            step=step,
            question=question,
            show_results=question.results_live_by_default(choices),
        )
    now = timezone.now()
    state = run.shown_state(now)  # open past its deadline shows closed, stored or not yet
    revealed = state == QuestionRun.State.REVEALED
    audience = target.audience.kind
    quiz: dict[str, Any] = {
        "question": question,
        "choices": choices,
        "run": run,
        "state": state,
        "state_label": QuestionRun.State(state).label,
        "accepting": services.is_accepting(run, now),
        "locked": state == QuestionRun.State.OPEN and run.answers_locked,
        "revealed": revealed,
        "has_correct": question.has_correct_answer(choices),
        # Not on a phone before the reveal: its page would tell the answer.
        "correct_json": json.dumps(
            services.correct_value(question, choices)
            if revealed or audience != PARTICIPANT
            else None
        ),
        "tiles": sdg_tiles.tiles() if question.kind == Question.Kind.SDG else (),
        "scale_values": list(range(question.scale_min, question.scale_max + 1)),
        "places": list(range(1, len(choices) + 1)),
        **countdown(run, state),
    }
    if run.pk and (audience != PARTICIPANT or revealed):
        quiz["tally"] = results.tally(run, question, choices)
    if run.pk and run.leaderboard_shown and audience in (SCREEN, CONTROL):
        quiz["leaderboard"] = results.leaderboard(target.session)
    if audience == CONTROL:
        quiz["timer_choices"] = TIMER_CHOICES
        if run.pk:
            quiz["answered"] = Answer.objects.filter(run=run).count()
            quiz["connected"] = presence.connected_counts(target.session).total
            if question.kind == Question.Kind.TEXT:
                quiz["moderation"] = results.moderation_queue(run)
    if audience == PARTICIPANT and target.participant is not None and run.pk:
        mine = services.participant_answer(run, target.participant)
        if mine is not None:
            quiz["mine_json"] = json.dumps(mine.value)
            quiz["mine_correct"] = mine.is_correct
            if revealed and question.kind == Question.Kind.RANKING and quiz["has_correct"]:
                quiz["mine_order_points"] = services.order_points(question, choices, mine.value)
    if question.kind == Question.Kind.RANKING:
        quiz["rank_choices"] = _rank_order(question, choices, target, quiz.get("mine_json"))
    return {"quiz": quiz}


def _rank_order(question: Question, choices: list, target: RenderTarget, mine_json) -> list:
    """The options as this phone lists them: in the order it sent, or else
    shuffled for it (quizzes/shuffle.py). A broadcast has no participant: it
    lists them in the canonical order and quizzes.js puts each phone's in."""
    if target.audience.kind != PARTICIPANT or target.participant is None:
        return choices
    if mine_json:
        sent = {pk: place for place, pk in enumerate(json.loads(mine_json))}
        return sorted(choices, key=lambda c: sent.get(c.pk, len(sent)))
    return shuffle.shuffled(choices, target.participant.shuffle_seed, question.pk)


def countdown(run: QuestionRun, state: str) -> dict[str, Any]:
    """What a countdown shows: its deadline on the server's clock (each view
    counts down to it with the server's time, which every frame of regions
    carries: live.hub.server_now_ms), or what is left while it is paused.
    Nothing once the question is no longer open."""
    if state != QuestionRun.State.OPEN:
        return {"closes_at_ms": "", "paused_left_ms": ""}
    if run.is_paused:
        return {"closes_at_ms": "", "paused_left_ms": _ms(run.paused_remaining.total_seconds())}
    if run.closes_at is None:
        return {"closes_at_ms": "", "paused_left_ms": ""}
    return {"closes_at_ms": _ms(run.closes_at.timestamp()), "paused_left_ms": ""}


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def participant_key(target: RenderTarget) -> Any:
    """What of a phone's question stage is its own: the answer it gave (and
    whether it was right). Phones that gave none, or the same one, share a
    render: a countdown carries its deadline, never the time of the render."""
    step = target.step
    if step is None or not step.question_id or target.participant is None:
        return None
    run = services.run_for_step(target.session, step)
    if run is None:
        return None
    mine = services.participant_answer(run, target.participant)
    if mine is not None:
        return (json.dumps(mine.value), mine.is_correct)
    if run.question.kind == Question.Kind.RANKING and run.state == QuestionRun.State.OPEN:
        # Phones that have not ranked yet list the options in an order of their own.
        ids = run.question.choices.values_list("pk", flat=True)
        seed = target.participant.shuffle_seed
        return ("order", tuple(shuffle.shuffled_ids(ids, seed, run.question_id)))
    return None


def register() -> None:
    step_kinds.register(
        step_kinds.StepKindSpec(
            "question", "steps/question", context=question_context, participant_key=participant_key
        )
    )
    # Nested regions: a tally push re-renders these, never the whole stage.
    register_region(SCREEN, "quiz-results", "quizzes/regions/screen-results.html")
    register_region(CONTROL, "quiz-live", "quizzes/regions/control-live.html")
    stage_regions = [(SCREEN, "stage"), (CONTROL, "stage"), (PARTICIPANT, "stage")]
    live.register_topic(services.TOPIC_QUIZ, stage_regions)
    live.register_topic(
        services.TOPIC_ANSWERS,
        [(SCREEN, "quiz-results"), (CONTROL, "quiz-live")],
        delay=services.TALLY_DELAY_SECONDS,
    )
    # "answered out of connected": the control count follows connections too.
    live.extend_topic("presence", [(CONTROL, "quiz-live")])
