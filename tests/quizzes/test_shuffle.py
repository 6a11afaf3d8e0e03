"""A ranking's options come to each participant in an order of their own,
stable across reloads, on the phone and in the form that works without
script; the projector keeps the canonical order."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from live import PARTICIPANT, Audience
from live.regions import render_regions
from quizzes import shuffle
from workshop import services as room

from ..conftest import participant_client
from .conftest import question
from .test_priorities import _open, _submit

pytestmark = pytest.mark.django_db


def _listed(html: str) -> list[str]:
    """The options' texts in the order a page lists them for ranking."""
    return re.findall(r'class="rank-text" id="rank-text-[^"]+">([^<]+)<', html)


def _phone(person, session) -> str:
    page = participant_client(person).get(reverse("workshop:participant", args=[session.code]))
    return page.content.decode()


def test_the_order_key_is_the_32_bit_fnv_1a_that_the_phones_compute_too():
    # quizzes.js computes this very function (shuffleKey) for pushed stages.
    assert shuffle.order_key("", 0, 0) != shuffle.order_key("", 0, 1)
    value = shuffle.FNV_OFFSET
    for byte in b"ab12cd34:7:42":
        value = ((value ^ byte) * shuffle.FNV_PRIME) % 2**32
    assert shuffle.order_key("ab12cd34", 7, 42) == value


def test_each_phone_lists_the_options_in_an_order_of_its_own_stable_across_reloads(
    priorities_session, facilitator
):
    _open(priorities_session, "t-rank", facilitator)
    people = [room.join_session(priorities_session.code, nickname=f"R{n}") for n in range(8)]
    orders = [_listed(_phone(person, priorities_session)) for person in people]
    assert all(sorted(order) == ["Climate", "Data", "Inclusion", "Rights"] for order in orders)
    assert len({tuple(order) for order in orders}) > 1  # shuffled per participant
    assert _listed(_phone(people[0], priorities_session)) == orders[0]  # the same on reload
    ids = [c.pk for c in question("t-rank").choices.all()]
    expected = shuffle.shuffled_ids(ids, people[0].shuffle_seed, question("t-rank").pk)
    by_id = {c.pk: c.text for c in question("t-rank").choices.all()}
    assert orders[0] == [by_id[pk] for pk in expected]


def test_the_form_without_script_numbers_the_places_in_the_phones_order(
    priorities_session, facilitator, people
):
    run = _open(priorities_session, "t-rank", facilitator)
    html = _phone(people[0], priorities_session)
    listed = _listed(html)
    by_text = {c.text: c.pk for c in question("t-rank").choices.all()}
    for place, text in enumerate(listed, start=1):
        menu = re.search(rf'name="rank-{by_text[text]}">(.*?)</select>', html).group(1)
        assert f'<option value="{place}" selected>' in menu
    # Sent as shown, it is stored in that order.
    client = participant_client(people[0])
    form = {"run": run.pk, **{f"rank-{by_text[t]}": str(p) for p, t in enumerate(listed, 1)}}
    client.post(reverse("quizzes:answer", args=[priorities_session.code]), form)
    answer = run.answers.get()
    assert answer.value == [by_text[t] for t in listed]


def test_a_phone_that_ranked_lists_its_own_order(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank", facilitator)
    by_text = {c.text: c.pk for c in question("t-rank").choices.all()}
    sent = ["Rights", "Climate", "Data", "Inclusion"]
    _submit(people[0], run, [by_text[t] for t in sent])
    assert _listed(_phone(people[0], priorities_session)) == sent


def test_the_projector_and_a_broadcast_keep_the_canonical_order(
    priorities_session, facilitator, people
):
    _open(priorities_session, "t-rank", facilitator)
    screen = Client().get(reverse("workshop:screen", args=[priorities_session.public_id]))
    html = screen.content.decode()
    assert html.index("Data") < html.index("Rights") < html.index("Inclusion")
    # A push to the phones has no participant: the canonical order, which
    # each phone's script puts in its own.
    audience = Audience(PARTICIPANT, priorities_session.pk, people[0].group_id, "en")
    priorities_session.refresh_from_db()
    (stage,) = render_regions(priorities_session, audience, ["stage"])
    assert _listed(stage["html"]) == ["Data", "Rights", "Inclusion", "Climate"]
