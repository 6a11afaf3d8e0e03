"""At the reveal of a ranking with a right order, each phone shows the
points its own order earned ("Points for your order: 8 of 10") next to the
right order; before the reveal no phone's page holds the right order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer

from ..conftest import participant_client
from .conftest import question
from .test_priorities import _ids, _open, _submit

pytestmark = pytest.mark.django_db

RIGHT = ("SDG 1", "SDG 5", "SDG 10", "SDG 17")


def _phone(person, session) -> str:
    page = participant_client(person).get(reverse("workshop:participant", args=[session.code]))
    return page.content.decode()


@pytest.mark.parametrize(
    ("texts", "points"),
    [
        (RIGHT, 10),
        (("SDG 5", "SDG 1", "SDG 10", "SDG 17"), 8),  # 1 - 2/8 of 10: 7.5, to even
        (("SDG 17", "SDG 1", "SDG 5", "SDG 10"), 2),  # 1 - 6/8 of 10: 2.5, to even
        (("SDG 17", "SDG 10", "SDG 5", "SDG 1"), 0),
    ],
)
def test_the_order_points_are_what_the_answer_stored(
    priorities_session, facilitator, people, texts, points
):
    run = _open(priorities_session, "t-rank-order", facilitator)
    order = _ids("t-rank-order", *texts)
    _submit(people[0], run, order)
    choices = list(question("t-rank-order").choices.all())
    assert services.order_points(question("t-rank-order"), choices, order) == points
    assert Answer.objects.get().points == points


def test_a_phone_shows_its_own_points_and_the_right_order_at_the_reveal(
    priorities_session, facilitator, people
):
    run = _open(priorities_session, "t-rank-order", facilitator)
    _submit(people[0], run, _ids("t-rank-order", "SDG 5", "SDG 1", "SDG 10", "SDG 17"))
    _submit(people[1], run, _ids("t-rank-order", *RIGHT))
    services.reveal_question(priorities_session, facilitator)
    partly = _phone(people[0], priorities_session)
    assert "Points for your order: 8 of 10" in partly
    assert "1. SDG 1, 2. SDG 5, 3. SDG 10, 4. SDG 17" in partly.replace("\u00ad", "")
    assert "Points for your order: 10 of 10" in _phone(people[1], priorities_session)
    # A phone that did not rank gets the line hidden, for its script to fill
    # in if it answered on this phone and the reveal came as a push.
    silent = _phone(people[2], priorities_session)
    assert 'data-my-points data-points="10" data-testid="my-points" hidden>' in silent


def test_no_phone_holds_the_right_order_before_the_reveal(priorities_session, facilitator, people):
    _open(priorities_session, "t-rank-order", facilitator)
    right = str(_ids("t-rank-order", *RIGHT))
    assert 'data-correct="null"' in _phone(people[0], priorities_session)
    assert right not in _phone(people[0], priorities_session)
    services.reveal_question(priorities_session, facilitator)
    assert f'data-correct="{right}"' in _phone(people[0], priorities_session)


@pytest.mark.parametrize(
    ("language", "line"),
    [("fr", "Points pour votre ordre : 8 sur 10"), ("nl", "Punten voor je volgorde: 8 van 10")],
)
def test_the_points_line_comes_in_the_phones_language(
    priorities_session, facilitator, people, language, line
):
    run = _open(priorities_session, "t-rank-order", facilitator)
    _submit(people[0], run, _ids("t-rank-order", "SDG 5", "SDG 1", "SDG 10", "SDG 17"))
    services.reveal_question(priorities_session, facilitator)
    people[0].language = language
    people[0].save(update_fields=["language"])
    page = _phone(people[0], priorities_session)
    assert line in page
    assert line.split(":")[0].rstrip() in page.split('data-text="order-points">')[1]
