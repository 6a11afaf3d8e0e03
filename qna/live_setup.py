"""How Q&A plugs into the live room, the report and the packs: everything
registered from QnaConfig.ready, through the public APIs of live/,
workshop.step_kinds, workshop.packs and reports.registry."""

from __future__ import annotations

from live import CONTROL, PARTICIPANT, SCREEN, register_region, register_topic
from workshop import packs, step_kinds

from . import consumers, report, services  # noqa: F401  (consumers: the socket actions)
from .packs import QnaPackExtension

# The phones' Questions panel, the control view's queue, the Questions step's
# list on the projector and the highlight over every step.
PHONE_PANEL = (PARTICIPANT, "qna")
# The phones' vote counts alone: a vote re-renders these few bytes, not the
# list (the list of 100 questions, pushed to 1,000 phones at every burst of
# votes, held the acknowledgements back by seconds in the benchmark).
PHONE_COUNTS = (PARTICIPANT, "qna-counts")
CONTROL_QUEUE = (CONTROL, "qna")
SCREEN_TOP = (SCREEN, "qna-top")
SCREEN_HIGHLIGHT = (SCREEN, "qna-highlight")


def register() -> None:
    # The same for every group: one render per language serves the room.
    # Stepless: none reads the step, so a vote's render skips the step's
    # context (during a quiz question it cost a third of each render).
    register_region(*PHONE_PANEL, "qna/regions/participant.html", group_blind=True, stepless=True)
    register_region(
        *PHONE_COUNTS, "qna/regions/participant_counts.html", group_blind=True, stepless=True
    )
    register_region(*CONTROL_QUEUE, "qna/regions/control.html", stepless=True)
    # Nested in the Questions step: a vote re-renders the list, not the stage.
    register_region(*SCREEN_TOP, "qna/regions/screen_top.html", stepless=True)
    # In the projector's page outside the stage: over every step.
    register_region(*SCREEN_HIGHLIGHT, "qna/regions/screen_highlight.html", stepless=True)
    step_kinds.register(step_kinds.StepKindSpec("questions", "qna/step"))
    packs.register_extension(QnaPackExtension())
    report.register()
    register_topic(services.TOPIC_QNA, [PHONE_PANEL, CONTROL_QUEUE, SCREEN_TOP, SCREEN_HIGHLIGHT])
    # A question waiting for approval: only the facilitators see it.
    register_topic(services.TOPIC_QUEUE, [CONTROL_QUEUE], delay=services.VOTES_DELAY_SECONDS)
    # Coalesced longer than the counts: with votes spread over 100 questions,
    # the top 20 gains a question from outside it in one batch out of two,
    # and the panel (57 KB to every phone) pushed every 0.25 s held the
    # acknowledgements back by a second (make bench ARGS="--qa").
    register_topic(services.TOPIC_RANKING, [PHONE_PANEL], delay=services.RANKING_DELAY_SECONDS)
    register_topic(
        services.TOPIC_VOTES,
        [PHONE_COUNTS, CONTROL_QUEUE, SCREEN_TOP, SCREEN_HIGHLIGHT],
        delay=services.VOTES_DELAY_SECONDS,
    )
