"""The rules of Q&A: what a participant may ask and vote, what a facilitator
may do, and that every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qna import services as qna
from qna.models import QnaSettings, Question, TemplateQna, Vote
from workshop import services
from workshop.errors import DomainError

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Question.objects.values().order_by("pk")),
        list(Vote.objects.values().order_by("pk")),
        list(QnaSettings.objects.values().order_by("pk")),
    )


def _refused(code: str, call, *args, **kwargs) -> DomainError:
    before = _snapshot()
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    assert _snapshot() == before
    return caught.value


# --- asking -------------------------------------------------------------------------


def test_it_keeps_a_question_waiting_under_moderation_in_its_language(asker):
    question = qna.ask_question(asker, "  Why   do people\nmigrate? ")
    assert question.text == "Why do people migrate?"
    assert (question.state, question.lang, question.nickname) == ("pending", "fr", "Amina")
    assert question.author == asker and question.shown_at is None


def test_it_shows_a_question_at_once_without_moderation(live_session, facilitator, asker):
    qna.set_options(live_session, facilitator, moderated=False)
    question = qna.ask_question(asker, "Who decides?")
    assert question.state == "shown" and question.shown_at is not None


def test_an_anonymous_question_keeps_no_nickname(asker):
    question = qna.ask_question(asker, "Is it safe?", anonymous=True)
    assert question.anonymous and question.nickname == ""
    assert question.author == asker  # so the phone can show its own question's state


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_question"),
        ("   \n ", "empty_question"),
        ("x" * 281, "text_too_long"),
        ("nul \x00 inside", "bad_text"),
        ("lone \ud800 surrogate", "bad_text"),
        (None, "bad_text"),
        (["a list"], "bad_text"),
    ],
)
def test_bad_text_is_refused_and_changes_nothing(asker, text, code):
    _refused(code, qna.ask_question, asker, text)


def test_280_characters_are_fine(asker):
    assert len(qna.ask_question(asker, "é" * 280).text) == 280


def test_one_question_per_ten_seconds(asker, voter):
    qna.ask_question(asker, "First")
    error = _refused("too_fast", qna.ask_question, asker, "Second")
    assert "10 seconds" in str(error.message)
    qna.ask_question(voter, "Someone else may ask")  # the limit is per participant
    Question.objects.filter(author=asker).update(created_at=timezone.now() - timedelta(seconds=11))
    assert qna.ask_question(asker, "Later").text == "Later"


def test_a_resent_question_is_stored_once(asker):
    first = qna.ask_question(asker, "Once", client_id="c-1")
    again = qna.ask_question(asker, "Once", client_id="c-1")
    assert again.pk == first.pk and Question.objects.count() == 1


def test_no_question_while_qna_is_off(live_session, facilitator, asker):
    qna.set_options(live_session, facilitator, enabled=False)
    _refused("qna_off", qna.ask_question, asker, "Hello?")


def test_no_question_once_the_session_ended(live_session, facilitator, asker):
    services.end_session(live_session, facilitator)
    _refused("session_ended", qna.ask_question, asker, "Too late?")


def test_no_anonymous_question_when_the_facilitator_forbids_them(live_session, facilitator, asker):
    qna.set_options(live_session, facilitator, anonymous_allowed=False)
    _refused("anonymous_off", qna.ask_question, asker, "Who am I?", anonymous=True)
    assert qna.ask_question(asker, "Signed").nickname == "Amina"


# --- voting ----------------------------------------------------------------------------


def test_a_vote_counts_once_and_can_be_taken_back(shown, voter):
    assert qna.vote(voter, shown.pk, client_id="v1") == {
        "question": shown.pk,
        "voted": True,
        "votes": 1,
    }
    assert qna.vote(voter, shown.pk, voted=False, client_id="v2")["votes"] == 0
    assert qna.vote(voter, shown.pk, voted=False, client_id="v3")["votes"] == 0  # no-op
    assert Vote.objects.count() == 0


def test_a_resent_vote_is_not_counted_twice(shown, voter):
    qna.vote(voter, shown.pk, client_id="v1")
    assert qna.vote(voter, shown.pk, client_id="v1") == {
        "question": shown.pk,
        "voted": True,
        "votes": 1,
    }
    assert Vote.objects.count() == 1


def test_a_second_vote_is_refused(shown, voter):
    qna.vote(voter, shown.pk, client_id="v1")
    _refused("already_voted", qna.vote, voter, shown.pk, client_id="v2")


@pytest.mark.parametrize("state", ["pending", "rejected", "answered"])
def test_only_a_shown_question_takes_votes(asker, voter, state):
    question = qna.ask_question(asker, "Q?")
    Question.objects.filter(pk=question.pk).update(state=state)
    _refused("not_votable", qna.vote, voter, question.pk, client_id="v")


@pytest.mark.parametrize("question_id", [None, "abc", 10**9, -1])
def test_a_vote_on_no_question_is_refused(shown, voter, question_id):
    _refused("unknown_question", qna.vote, voter, question_id, client_id="v")


def test_a_vote_on_another_sessions_question_is_refused(shown, template, facilitator):
    other = services.create_session(template, facilitator, base_url="http://testserver")
    outsider = services.join_session(other.code, nickname="Zed")
    _refused("unknown_question", qna.vote, outsider, shown.pk, client_id="v")


def test_no_vote_while_qna_is_off_or_ended(live_session, facilitator, shown, voter):
    qna.set_options(live_session, facilitator, enabled=False)
    _refused("qna_off", qna.vote, voter, shown.pk, client_id="v")
    qna.set_options(live_session, facilitator, enabled=True)
    services.end_session(live_session, facilitator)
    _refused("session_ended", qna.vote, voter, shown.pk, client_id="v")


def test_no_vote_when_the_template_turns_qna_off_and_the_session_kept_it(
    live_session, shown, voter
):
    QnaSettings.objects.filter(session=live_session).delete()
    TemplateQna.objects.update_or_create(
        template=live_session.template, defaults={"enabled": False}
    )
    _refused("qna_off", qna.vote, voter, shown.pk, client_id="v")
    TemplateQna.objects.filter(template=live_session.template).update(enabled=True)
    assert qna.vote(voter, shown.pk, client_id="v")["votes"] == 1


# --- the facilitator ---------------------------------------------------------------------


def test_the_facilitator_moderates_highlights_answers_and_replies(
    live_session, facilitator, asker, voter
):
    first = qna.ask_question(asker, "First?")
    second = qna.ask_question(voter, "Second?")
    qna.approve(live_session, facilitator, first.pk)
    qna.reject(live_session, facilitator, second.pk)
    qna.highlight(live_session, facilitator, first.pk)
    qna.set_reply(live_session, facilitator, first.pk, "  Because.\nAnd more.  ")
    qna.mark_answered(live_session, facilitator, first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.highlighted, first.reply) == (
        "answered",
        True,
        "Because.\nAnd more.",
    )
    assert first.answered_at and first.replied_at and first.highlighted_at
    assert second.state == "rejected"
    qna.dismiss_highlight(live_session, facilitator)
    assert not Question.objects.filter(highlighted=True).exists()
    qna.delete_question(live_session, facilitator, second.pk)
    assert list(Question.objects.values_list("pk", flat=True)) == [first.pk]


def test_one_highlight_at_a_time(live_session, facilitator, asker, voter, shown):
    other = qna.approve(live_session, facilitator, qna.ask_question(voter, "Other?").pk)
    qna.highlight(live_session, facilitator, shown.pk)
    qna.highlight(live_session, facilitator, other.pk)
    assert list(Question.objects.filter(highlighted=True)) == [other]


def test_a_waiting_question_cannot_be_highlighted_or_answered(live_session, facilitator, asker):
    question = qna.ask_question(asker, "Q?")
    _refused("not_shown", qna.highlight, live_session, facilitator, question.pk)
    _refused("not_shown", qna.mark_answered, live_session, facilitator, question.pk)


def test_an_over_long_reply_is_refused(live_session, facilitator, shown):
    _refused("text_too_long", qna.set_reply, live_session, facilitator, shown.pk, "x" * 1001)
    _refused("bad_text", qna.set_reply, live_session, facilitator, shown.pk, "a\x00b")


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (qna.approve, ()),
        (qna.reject, ()),
        (qna.highlight, ()),
        (qna.mark_answered, ()),
        (qna.set_reply, ("Hi",)),
        (qna.delete_question, ()),
    ],
)
def test_only_facilitators_moderate(live_session, shown, other_facilitator, call, args):
    _refused("not_facilitator", call, live_session, other_facilitator, shown.pk, *args)
    _refused("not_facilitator", qna.set_options, live_session, None, enabled=False)
    _refused("not_facilitator", qna.dismiss_highlight, live_session, other_facilitator)


def test_settings_follow_the_templates_default_until_changed(live_session, facilitator):
    TemplateQna.objects.create(template=live_session.template, enabled=False, moderated=False)
    options = qna.settings_for(live_session)
    assert (options.enabled, options.moderated, options.anonymous_allowed) == (False, False, True)
    assert options.pk is None  # nothing stored until the facilitator changes it
    qna.set_options(live_session, facilitator, enabled=True)
    stored = QnaSettings.objects.get(session=live_session)
    assert (stored.enabled, stored.moderated) == (True, False)


def test_a_co_facilitator_may_moderate(live_session, co_facilitator, shown):
    live_session.co_facilitators.add(co_facilitator)
    assert qna.highlight(live_session, co_facilitator, shown.pk).highlighted


def test_the_database_itself_refuses_a_second_vote(shown, voter):
    from django.db import IntegrityError, transaction

    Vote.objects.create(question=shown, participant=voter, client_id="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(question=shown, participant=voter, client_id="b")


def test_a_batch_of_votes_gives_each_its_own_outcome(live_session, facilitator, shown, voter):
    pending = qna.ask_question(voter, "Not shown yet?")
    third = services.join_session(live_session.code, nickname="Chloé")
    outcomes = qna.cast_votes(
        [
            qna.VoteIn(voter.pk, shown.pk, True, "v1"),
            qna.VoteIn(voter.pk, shown.pk, True, "v2"),  # a second vote: refused
            qna.VoteIn(third.pk, pending.pk, True, "v3"),  # not shown: refused
            qna.VoteIn(third.pk, shown.pk, True, "v4"),
            qna.VoteIn(voter.pk, shown.pk, True, "v1"),  # a resend: the same outcome
            qna.VoteIn(None, shown.pk, True, "v5"),
        ]
    )
    # Each acknowledgement carries the count as the whole batch left it.
    assert outcomes[0] == {"question": shown.pk, "voted": True, "votes": 2}
    assert [getattr(o, "code", None) for o in outcomes] == [
        None,
        "already_voted",
        "not_votable",
        None,
        None,
        "not_joined",
    ]
    assert outcomes[3]["votes"] == 2 and outcomes[4]["votes"] == 2
    assert Vote.objects.count() == 2


def test_a_vote_taken_back_and_cast_again_in_one_batch_is_stored_once(live_session, shown, voter):
    Vote.objects.create(question=shown, participant=voter, client_id="old")
    outcomes = qna.cast_votes(
        [
            qna.VoteIn(voter.pk, shown.pk, False, "back"),
            qna.VoteIn(voter.pk, shown.pk, True, "again"),
        ]
    )
    assert [o["voted"] for o in outcomes] == [False, True]
    assert list(Vote.objects.values_list("client_id", flat=True)) == ["again"]
    assert outcomes[1]["votes"] == 1


def test_a_vote_cast_and_taken_back_in_one_batch_leaves_nothing(live_session, shown, voter):
    outcomes = qna.cast_votes(
        [
            qna.VoteIn(voter.pk, shown.pk, True, "on"),
            qna.VoteIn(voter.pk, shown.pk, False, "off"),
        ]
    )
    assert [o["voted"] for o in outcomes] == [True, False]
    assert [o["votes"] for o in outcomes] == [0, 0]
    assert not Vote.objects.exists()
