import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes import results, services
from quizzes.models import Answer, QuestionRun
from workshop import services as workshop_services
from workshop.errors import DomainError, NotAllowed

from .conftest import go_to_question, question


def _open(session, key, by, **kwargs):
    session = go_to_question(session, key, by)
    return session, services.open_question(session, by, **kwargs)


def _submit(player, run, value, client_id=None):
    return services.submit_answer(
        player.pk, player.session_id, run.pk, value, client_id or f"c-{uuid.uuid4().hex}"
    )


def test_it_opens_closes_and_reveals_the_current_question(quiz_session, facilitator):
    session, run = _open(quiz_session, "t-sdg", facilitator, timer_seconds=30)
    assert run.state == QuestionRun.State.OPEN
    assert (run.closes_at - run.opened_at).total_seconds() == 30
    # A question with a correct answer hides its live results by default.
    assert run.show_results is False
    run = services.close_question(session, facilitator)
    assert run.state == QuestionRun.State.CLOSED and not services.is_accepting(run)
    run = services.reveal_question(session, facilitator)
    assert run.state == QuestionRun.State.REVEALED and run.show_results
    with pytest.raises(DomainError) as error:
        services.open_question(session, facilitator)
    assert error.value.code == "already_revealed"


def test_a_poll_shows_live_results_by_default(quiz_session, facilitator):
    _session, run = _open(quiz_session, "t-word", facilitator)
    assert run.show_results is True


def test_only_a_facilitator_controls_questions(quiz_session, facilitator, other_facilitator):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    with pytest.raises(NotAllowed):
        services.open_question(session, other_facilitator)
    assert not QuestionRun.objects.exists()


def test_a_step_that_is_no_question_cannot_open(quiz_session, facilitator):
    with pytest.raises(DomainError) as error:
        services.open_question(quiz_session, facilitator)
    assert error.value.code == "not_a_question"


def test_it_stores_one_answer_and_scores_it(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-sdg", facilitator)
    right = _submit(players[0], run, [10])
    wrong = _submit(players[1], run, [8])
    assert right.created and wrong.created
    answers = {a.participant_id: a for a in Answer.objects.all()}
    assert answers[players[0].pk].is_correct is True and answers[players[0].pk].points == 1
    assert answers[players[1].pk].is_correct is False and answers[players[1].pk].points == 0


def test_a_resend_is_harmless_and_a_change_replaces(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-sdg", facilitator)
    first = _submit(players[0], run, [3], client_id="abc")
    again = _submit(players[0], run, [3], client_id="abc")
    assert first.created and not again.created and not again.changed
    changed = _submit(players[0], run, [10], client_id="def")
    assert changed.changed
    answer = Answer.objects.get()
    assert answer.value == [10] and answer.is_correct and answer.client_id == "def"


def test_a_question_without_changes_refuses_a_second_answer(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-themes", facilitator)
    choices = list(question("t-themes").choices.all())
    _submit(players[0], run, [choices[0].pk, choices[1].pk], client_id="one")
    with pytest.raises(DomainError) as error:
        _submit(players[0], run, [choices[2].pk], client_id="two")
    assert error.value.code == "already_answered"
    answer = Answer.objects.get()
    assert answer.value == sorted([choices[0].pk, choices[1].pk]) and answer.is_correct


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("t-sdg", [18], "invalid_choice"),
        ("t-sdg", [3, 10], "one_choice_only"),
        ("t-sdg", [], "no_choice"),
        ("t-sdg", ["x"], "invalid_choice"),
        ("t-sdg", {"a": 1}, "invalid_choice"),
        ("t-founded", [999999], "invalid_choice"),
        ("t-one-in", 0, "number_out_of_range"),
        ("t-one-in", 101, "number_out_of_range"),
        ("t-one-in", "eight", "not_a_number"),
        ("t-one-in", "NaN", "not_a_number"),
        ("t-word", "x" * 21, "text_too_long"),
        ("t-word", "   ", "empty_text"),
        ("t-word", 5, "not_text"),
        ("t-scale", 6, "number_out_of_range"),
        ("t-scale", 2.5, "not_a_number"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(
    quiz_session, facilitator, players, key, value, code
):
    _session, run = _open(quiz_session, key, facilitator)
    with pytest.raises(DomainError) as error:
        _submit(players[0], run, value)
    assert error.value.code == code
    assert error.value.message
    assert not Answer.objects.exists()


def test_a_choice_of_another_question_is_invalid(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-founded", facilitator)
    foreign = question("t-themes").choices.first()
    with pytest.raises(DomainError) as error:
        _submit(players[0], run, [foreign.pk])
    assert error.value.code == "invalid_choice"


def test_answers_outside_the_open_window_are_refused(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    run = services.set_results_shown(session, facilitator, True)  # creates a draft run
    with pytest.raises(DomainError) as error:
        _submit(players[0], run, [10])
    assert error.value.code == "question_not_open"
    services.open_question(session, facilitator)
    services.close_question(session, facilitator)
    with pytest.raises(DomainError) as error:
        _submit(players[0], run, [10])
    assert error.value.code == "question_closed"
    assert not Answer.objects.exists()


def test_a_run_of_another_session_is_not_found(quiz_template, quiz_session, facilitator, players):
    other = workshop_services.create_session(quiz_template, facilitator)
    _other, run = _open(other, "t-sdg", facilitator)
    with pytest.raises(DomainError) as error:
        _submit(players[0], run, [10])
    assert error.value.code == "unknown_question"


def test_the_answer_path_is_lean(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-founded", facilitator)
    choice = question("t-founded").choices.first()
    with CaptureQueriesContext(connection) as queries:
        _submit(players[0], run, [choice.pk])
    # run + question, choices, existing answer?, insert (+ savepoints)
    data_queries = [q for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(data_queries) <= 4, [q["sql"] for q in data_queries]


def test_the_tally_counts_what_the_database_holds(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-founded", facilitator)
    choices = list(question("t-founded").choices.all())
    for player, choice in zip(players, [0, 1, 1, 2], strict=True):
        _submit(player, run, [choices[choice].pk])
    tally = results.tally(run, run.question, choices)
    assert tally.total == 4 and tally.right == 2
    assert [b.count for b in tally.bars] == [1, 2, 1]
    assert [b.pct for b in tally.bars] == [25, 50, 25]
    assert [b.size for b in tally.bars] == ["pct-50", "pct-100", "pct-50"]
    assert tally.correct_label == "1951"


def test_the_number_distribution_marks_the_true_value(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-one-in", facilitator)
    for player, guess in zip(players, [8, "10", 50.5, 100], strict=True):
        _submit(player, run, guess)
    tally = results.tally(run, run.question, [])
    assert tally.total == 4 and tally.right == 1
    assert sum(b.count for b in tally.bars) == 4
    assert [b.correct for b in tally.bars].count(True) == 1
    assert tally.median == 30.25 and tally.correct_label == "8 people"


def test_hidden_text_never_reaches_the_cloud(quiz_session, facilitator, players):
    session, run = _open(quiz_session, "t-word", facilitator)
    for player, word in zip(players, ["Skills", "skills", "Ideas", "rude"], strict=True):
        _submit(player, run, word)
    rude = Answer.objects.get(value="rude")
    services.moderate_answer(session, facilitator, rude.pk, action="hide")
    words = {w.label: w.count for w in results.tally(run, run.question, []).words}
    assert words == {"Skills": 2, "Ideas": 1}


def test_approve_first_shows_only_approved_text(quiz_session, facilitator, players):
    q = question("t-word")
    q.approve_first = True
    q.save()
    session, run = _open(quiz_session, "t-word", facilitator)
    _submit(players[0], run, "Hope")
    _submit(players[1], run, "Work")
    assert results.tally(run, q, []).words == []
    services.moderate_answer(
        session, facilitator, Answer.objects.get(value="Work").pk, action="approve"
    )
    assert [w.label for w in results.tally(run, q, []).words] == ["Work"]


def test_moderation_is_for_the_sessions_facilitators(
    quiz_session, facilitator, other_facilitator, players
):
    session, run = _open(quiz_session, "t-word", facilitator)
    _submit(players[0], run, "Hope")
    answer = Answer.objects.get()
    with pytest.raises(NotAllowed):
        services.moderate_answer(session, other_facilitator, answer.pk, action="hide")
    answer.refresh_from_db()
    assert not answer.hidden


def test_all_17_is_right_only_with_all_17(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-all-sdgs", facilitator)
    _submit(players[0], run, list(range(1, 18)))
    _submit(players[1], run, [1, 8, 10])
    right = dict(Answer.objects.values_list("participant_id", "is_correct"))
    assert right == {players[0].pk: True, players[1].pk: False}


def test_speed_bonus_is_off_unless_turned_on(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    run = services.set_speed_bonus(session, facilitator, True)
    assert run.speed_bonus
    run = services.open_question(session, facilitator, timer_seconds=60)
    _submit(players[0], run, [10])
    assert Answer.objects.get().points == 2  # 1 point + a full bonus at once
    with pytest.raises(DomainError):
        services.set_speed_bonus(session, facilitator, False)


def test_the_leaderboard_sums_points_per_person_and_group(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-sdg", facilitator)
    _submit(players[0], run, [10])
    _submit(players[1], run, [10])
    _submit(players[2], run, [1])
    board = results.leaderboard(quiz_session)
    assert [p["participant__nickname"] for p in board.people] == ["P0", "P1"]
    assert sum(g["points"] for g in board.groups) == 2


def test_a_batch_stores_many_answers_in_a_few_queries(quiz_session, facilitator, players):
    _session, run = _open(quiz_session, "t-sdg", facilitator)
    more = [workshop_services.join_session(quiz_session.code, nickname=f"B{n}") for n in range(40)]
    items = [
        services.AnswerIn(p.pk, p.session_id, run.pk, [10 if n % 2 else 3], f"b-{p.pk}")
        for n, p in enumerate([*players, *more])
    ]
    with CaptureQueriesContext(connection) as queries:
        outcomes = services.submit_answers(items)
    assert all(o.created for o in outcomes)
    assert Answer.objects.filter(run=run).count() == 44
    data_queries = [q for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(data_queries) <= 6, [q["sql"][:80] for q in data_queries]


def test_a_batch_refuses_each_bad_answer_on_its_own(quiz_session, facilitator, players):
    session, run = _open(quiz_session, "t-themes", facilitator)  # no changes allowed
    choices = [c.pk for c in question("t-themes").choices.all()]
    a, b, c, d = players

    def item(player, value, client_id, run_id=run.pk):
        return services.AnswerIn(player.pk, session.pk, run_id, value, client_id)

    outcomes = services.submit_answers(
        [
            item(a, [choices[0]], "a1"),
            item(a, [choices[0]], "a1"),  # the outbox resent it
            item(a, [choices[1]], "a2"),  # a change, refused here
            item(b, [999], "b1"),
            item(c, [choices[2]], "c1", run_id="nope"),
            item(d, [choices[0], choices[1]], "d1"),
        ]
    )
    assert outcomes[0].created and not outcomes[1].created and not outcomes[1].changed
    assert outcomes[1].answer_id == outcomes[0].answer_id
    assert [getattr(o, "code", None) for o in outcomes[2:5]] == [
        "already_answered",
        "invalid_choice",
        "unknown_question",
    ]
    assert outcomes[5].created
    stored = dict(Answer.objects.values_list("participant_id", "value"))
    assert stored == {a.pk: [choices[0]], d.pk: sorted(choices[:2])}


def test_a_batch_applies_a_change_after_an_earlier_answer(quiz_session, facilitator, players):
    session, run = _open(quiz_session, "t-sdg", facilitator)
    _submit(players[0], run, [3], client_id="first")
    outcomes = services.submit_answers(
        [
            services.AnswerIn(players[0].pk, session.pk, run.pk, [10], "second"),
            services.AnswerIn(players[1].pk, session.pk, run.pk, [10], "other"),
        ]
    )
    assert outcomes[0].changed and not outcomes[0].created and outcomes[1].created
    answer = Answer.objects.get(participant=players[0])
    assert answer.value == [10] and answer.is_correct and answer.client_id == "second"
