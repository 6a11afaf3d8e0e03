"""Ranking and points questions: what the server accepts, how it scores a
ranking against a right order, and how it adds up the room's answers."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.urls import reverse

from quizzes import results, services
from quizzes.models import Answer, Question
from workshop import services as workshop_services
from workshop.errors import DomainError
from workshop.models import WorkshopTemplate
from workshop.packs import PackError, export_pack, import_pack, read_pack

from ..conftest import participant_client
from .conftest import PRIORITIES_PACK, go_to_question, question


def _open(session, key, by):
    session = go_to_question(session, key, by)
    return services.open_question(session, by)


def _submit(person, run, value):
    return services.submit_answer(
        person.pk, person.session_id, run.pk, value, f"c-{uuid.uuid4().hex}"
    )


def _ids(key: str, *texts: str) -> list[int]:
    by_text = {c.text: c.pk for c in question(key).choices.all()}
    return [by_text[t] for t in texts]


def _refusal(person, run, value) -> str:
    with pytest.raises(DomainError) as error:
        _submit(person, run, value)
    return error.value.code


# --- ranking ----------------------------------------------------------------------------


def test_it_stores_a_ranking_in_the_order_given(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank", facilitator)
    order = _ids("t-rank", "Climate", "Data", "Rights", "Inclusion")
    _submit(people[0], run, order)
    answer = Answer.objects.get()
    assert answer.value == order
    assert answer.is_correct is None and answer.points == 0  # no right order: a poll


@pytest.mark.parametrize(
    ("texts", "code"),
    [
        (("Data", "Rights", "Inclusion"), "ranking_incomplete"),
        (("Data", "Rights", "Inclusion", "Inclusion"), "ranking_repeated"),
        (("Data", "Data", "Rights", "Inclusion", "Climate"), "ranking_repeated"),
    ],
)
def test_it_refuses_a_ranking_with_a_missing_or_repeated_option(
    priorities_session, facilitator, people, texts, code
):
    run = _open(priorities_session, "t-rank", facilitator)
    assert _refusal(people[0], run, _ids("t-rank", *texts)) == code
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "value", [[999999, 1, 2, 3], "Data", {"x": 1}, [True, False, True, False], None]
)
def test_it_refuses_a_ranking_of_unknown_options(priorities_session, facilitator, people, value):
    run = _open(priorities_session, "t-rank", facilitator)
    with pytest.raises(DomainError):
        _submit(people[0], run, value)
    assert not Answer.objects.exists()


def test_the_form_sends_places_and_they_must_differ(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank", facilitator)
    data, rights, inclusion, climate = _ids("t-rank", "Data", "Rights", "Inclusion", "Climate")
    places = {str(data): "2", str(rights): "2", str(inclusion): "1", str(climate): "4"}
    assert _refusal(people[0], run, places) == "ranking_repeated"
    places[str(rights)] = "3"
    _submit(people[0], run, places)
    assert Answer.objects.get().value == [inclusion, data, rights, climate]


@pytest.mark.parametrize(
    ("texts", "distance", "points"),
    [
        # Right order: SDG 1, 5, 10, 17. Farthest distance for 4 options: 8.
        (("SDG 1", "SDG 5", "SDG 10", "SDG 17"), 0, 10),
        (("SDG 5", "SDG 1", "SDG 10", "SDG 17"), 2, 8),  # one swap of neighbours
        (("SDG 17", "SDG 1", "SDG 5", "SDG 10"), 6, 2),  # the last put first
        (("SDG 17", "SDG 10", "SDG 5", "SDG 1"), 8, 0),  # reversed
    ],
)
def test_a_ranking_scores_by_its_distance_from_the_right_order(
    priorities_session, facilitator, people, texts, distance, points
):
    run = _open(priorities_session, "t-rank-order", facilitator)
    order = _ids("t-rank-order", *texts)
    right = _ids("t-rank-order", "SDG 1", "SDG 5", "SDG 10", "SDG 17")
    assert services.ranking_distance(order, right) == distance
    _submit(people[0], run, order)
    answer = Answer.objects.get()
    assert answer.points == points
    assert answer.is_correct is (distance == 0)


def test_the_room_order_is_by_average_place_with_its_spread(
    priorities_session, facilitator, people
):
    run = _open(priorities_session, "t-rank", facilitator)
    orders = [
        ("Rights", "Data", "Inclusion", "Climate"),
        ("Rights", "Inclusion", "Data", "Climate"),
        ("Data", "Rights", "Climate", "Inclusion"),
        ("Climate", "Rights", "Data", "Inclusion"),
    ]
    for person, texts in zip(people, orders, strict=True):
        _submit(person, run, _ids("t-rank", *texts))
    q = question("t-rank")
    tally = results.tally(run, q, list(q.choices.all()))
    rows = [(bar.label, bar.mean, bar.spread, bar.count) for bar in tally.bars]
    # Places: Rights 1,1,2,2; Data 2,3,1,3; Inclusion 3,2,4,4; Climate 4,4,3,1.
    assert rows == [
        ("Rights", 1.5, 0.5, 10),
        ("Data", 2.2, 0.8, 7),  # 2.25 and 0.83 to one decimal
        ("Climate", 3.0, 1.2, 4),
        ("Inclusion", 3.2, 0.8, 3),
    ]
    assert tally.total == 4


# --- points -----------------------------------------------------------------------------


def test_it_stores_points_for_every_option(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-points", facilitator)
    data, rights, inclusion = _ids("t-points", "Data", "Rights", "Inclusion")
    _submit(people[0], run, {str(data): 60, str(rights): 40})
    assert Answer.objects.get().value == {str(data): 60, str(rights): 40, str(inclusion): 0}


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        ((60, 50, 0), "points_over_budget"),
        ((60, 30, 0), "points_under_budget"),
        ((120, -20, 0), "points_negative"),
        ((50.5, 49.5, 0), "points_not_whole"),
        (("50", "25.5", "24.5"), "points_not_whole"),
        (("fifty", "50", "0"), "points_not_whole"),
        ((True, 99, 0), "points_not_whole"),
    ],
)
def test_it_refuses_points_that_do_not_add_up_or_are_not_whole(
    priorities_session, facilitator, people, shares, code
):
    run = _open(priorities_session, "t-points", facilitator)
    ids = _ids("t-points", "Data", "Rights", "Inclusion")
    value = {str(i): share for i, share in zip(ids, shares, strict=True)}
    assert _refusal(people[0], run, value) == code
    assert not Answer.objects.exists()


@pytest.mark.parametrize("value", [[1, 2, 3], 100, "100", {"999999": 100}])
def test_it_refuses_points_not_given_per_option(priorities_session, facilitator, people, value):
    run = _open(priorities_session, "t-points", facilitator)
    with pytest.raises(DomainError):
        _submit(people[0], run, value)
    assert not Answer.objects.exists()


def test_the_budget_is_the_questions_own(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-points-ten", facilitator)
    left, right = _ids("t-points-ten", "Left", "Right")
    assert _refusal(people[0], run, {str(left): 60, str(right): 40}) == "points_over_budget"
    _submit(people[0], run, {str(left): "7", str(right): "3"})  # as the form sends them
    assert Answer.objects.get().value == {str(left): 7, str(right): 3}


def test_the_projector_adds_up_the_points(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-points", facilitator)
    ids = _ids("t-points", "Data", "Rights", "Inclusion")
    shares = [(100, 0, 0), (50, 25, 25), (10, 30, 60)]
    for person, split in zip(people[:3], shares, strict=True):
        _submit(person, run, {str(i): s for i, s in zip(ids, split, strict=True)})
    q = question("t-points")
    tally = results.tally(run, q, list(q.choices.all()))
    assert [(bar.label, bar.count, bar.pct) for bar in tally.bars] == [
        ("Data", 160, 53),
        ("Rights", 55, 18),
        ("Inclusion", 85, 28),
    ]
    assert tally.total == 3


def test_the_batch_path_applies_the_same_rules(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank-order", facilitator)
    right = _ids("t-rank-order", "SDG 1", "SDG 5", "SDG 10", "SDG 17")
    items = [
        services.AnswerIn(people[0].pk, people[0].session_id, run.pk, right, "a"),
        services.AnswerIn(people[1].pk, people[1].session_id, run.pk, right[:3], "b"),
        services.AnswerIn(people[2].pk, people[2].session_id, run.pk, right[::-1], "c"),
    ]
    outcomes = services.submit_answers(items)
    assert isinstance(outcomes[1], DomainError) and outcomes[1].code == "ranking_incomplete"
    stored = {a.participant_id: a.points for a in Answer.objects.all()}
    assert stored == {people[0].pk: 10, people[2].pk: 0}


# --- packs ------------------------------------------------------------------------------


def test_a_pack_keeps_the_right_order_and_the_budget(priorities_session):
    exported = export_pack(priorities_session.template)
    specs = {q["key"]: q for q in exported["questions"]}
    assert [c.get("rank") for c in specs["t-rank-order"]["choices"]] == [2, 1, 4, 3]
    assert all("rank" not in c for c in specs["t-rank"]["choices"])
    assert specs["t-points-ten"]["budget"] == 10 and "budget" not in specs["t-points"]
    import_pack(exported, replace=True)
    assert export_pack(WorkshopTemplate.objects.get(slug="priorities-mini")) == exported
    assert question("t-rank-order").choices.get(text="SDG 17").correct_rank == 4


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (
            lambda q: q[0].update(choices=q[0]["choices"][:2]),
            "questions[0].choices: must list 3 to 10 choices",
        ),
        (
            lambda q: q[1]["choices"][0].update(rank=3),
            "questions[1].choices: a right order gives every choice its own rank, from 1 to 4",
        ),
        (lambda q: q[2].update(budget=0), "questions[2].budget: must be a whole number"),
        (lambda q: q[0].update(budget=10), "questions[0].budget: only points questions"),
        (lambda q: q[2]["choices"][0].update(rank=1), "questions[2].choices[0].rank: unknown"),
    ],
)
def test_a_pack_with_a_bad_ranking_or_budget_is_refused(db, mutate, error):
    data = read_pack(PRIORITIES_PACK)
    mutate(data["questions"])
    with pytest.raises(PackError) as refused:
        import_pack(data)
    assert any(e.startswith(error) for e in refused.value.errors), refused.value.errors
    assert not Question.objects.exists()


# --- the form that works without JavaScript ----------------------------------------------


def _post(person, run, fields):
    client = participant_client(person)
    url = reverse("quizzes:answer", args=[person.session.code])
    return client.post(url, {"run": run.pk, **fields}, follow=True).content.decode()


def _shares(ids, *points):
    return {f"points-{i}": p for i, p in zip(ids, points, strict=True)}


def test_the_phone_page_offers_a_place_menu_per_option(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank", facilitator)
    page = participant_client(people[0]).get(
        reverse("workshop:participant", args=[priorities_session.code])
    )
    html = page.content.decode()
    for choice in question("t-rank").choices.all():
        assert f'name="rank-{choice.pk}"' in html
    assert f'value="{run.pk}"' in html


def test_a_ranking_and_points_go_through_the_form(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank", facilitator)
    data, rights, inclusion, climate = _ids("t-rank", "Data", "Rights", "Inclusion", "Climate")
    page = _post(
        people[0], run, {f"rank-{data}": "1", f"rank-{rights}": "1", f"rank-{inclusion}": "3"}
    )
    assert "Give each option its own place, from 1 down." in page
    assert not Answer.objects.exists()
    places = {f"rank-{data}": "4", f"rank-{rights}": "1", f"rank-{inclusion}": "3"}
    _post(people[0], run, {**places, f"rank-{climate}": "2"})
    assert Answer.objects.get().value == [rights, climate, inclusion, data]

    run = _open(priorities_session, "t-points", facilitator)
    ids = _ids("t-points", "Data", "Rights", "Inclusion")
    page = _post(people[0], run, _shares(ids, "50", "60", ""))
    assert "That is 10 points too many: share exactly 100." in page
    page = _post(people[0], run, _shares(ids, "50", "-10", "60"))
    assert "Points cannot be negative." in page
    assert not Answer.objects.filter(run=run).exists()
    _post(people[0], run, _shares(ids, "50", "", "50"))
    assert Answer.objects.get(run=run).value == {str(ids[0]): 50, str(ids[1]): 0, str(ids[2]): 50}


# --- the report, the export and the take-away -----------------------------------------


def test_the_report_and_the_export_show_rankings_and_points(
    priorities_session, facilitator, facilitator_client, people
):
    run = _open(priorities_session, "t-rank-order", facilitator)
    sdg1, sdg5, sdg10, sdg17 = _ids("t-rank-order", "SDG 1", "SDG 5", "SDG 10", "SDG 17")
    _submit(people[0], run, [sdg1, sdg5, sdg10, sdg17])
    _submit(people[1], run, [sdg5, sdg1, sdg10, sdg17])
    run = _open(priorities_session, "t-points", facilitator)
    data, rights, inclusion = _ids("t-points", "Data", "Rights", "Inclusion")
    _submit(people[0], run, {str(data): 70, str(rights): 30})
    _submit(people[1], run, {str(data): 10, str(inclusion): 90})

    report = facilitator_client.get(reverse("reports:report", args=[priorities_session.public_id]))
    html = report.content.decode()
    assert "2 answers · 1 right" in html
    # SDG 1 and SDG 5 share the first places: 1.5 on average, half a place
    # apart; the tie keeps the options' own order.
    assert "<td>1</td><td>SDG 5</td><td>1.5</td><td>± 0.5</td><td>2</td>" in html
    assert "<td>2</td><td>SDG 1</td><td>1.5</td><td>± 0.5</td><td>1</td>" in html
    assert "<td>3</td><td>SDG 10</td><td>3.0</td><td>± 0.0</td><td>3</td>" in html
    assert "Data 80; Rights 30; Inclusion 90</title>" in html  # the points chart

    export = facilitator_client.get(
        reverse("reports:export", args=[priorities_session.public_id, "answers"])
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    given = {(row[0], row[2]): (row[4], row[5], row[6], row[7]) for row in rows[1:]}
    first, second = sorted({name for _key, name in given})
    assert given[("t-rank-order", first)] == (
        "1. SDG 1; 2. SDG 5; 3. SDG 10; 4. SDG 17",
        "2 1 4 3",
        "yes",
        "10",
    )
    assert given[("t-rank-order", second)] == (
        "1. SDG 5; 2. SDG 1; 3. SDG 10; 4. SDG 17",
        "1 2 4 3",
        "no",
        "8",
    )
    assert given[("t-points", first)] == ("Data: 70; Rights: 30", "1:70 2:30 3:0", "", "0")


# --- the admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["t-rank", "t-rank-order", "t-points"])
def test_the_admin_edits_and_previews_both_kinds(priorities_session, admin_client, key):
    q = question(key)
    change = admin_client.get(reverse("admin:quizzes_question_change", args=[q.pk]))
    assert change.status_code == 200
    assert b'name="choices-0-correct_rank"' in change.content
    assert b'name="points_budget"' in change.content
    preview = admin_client.get(reverse("quizzes:preview", args=[q.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200 and q.text in html
    assert ("rank-list" in html) == (q.kind == "ranking")
    assert ("points-list" in html) == (q.kind == "points")


def _choice_formset(admin_client, q, rows):
    from django.contrib import admin

    from quizzes.admin import ChoiceInline

    request = admin_client.get("/").wsgi_request
    formset_class = ChoiceInline(Question, admin.site).get_formset(request, q)
    data = {
        "choices-TOTAL_FORMS": str(len(rows)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for index, (text, rank) in enumerate(rows):
        data[f"choices-{index}-text_en"] = text
        data[f"choices-{index}-position"] = str(index + 1)
        data[f"choices-{index}-correct_rank"] = "" if rank is None else str(rank)
    return formset_class(data, instance=q, prefix="choices")


@pytest.mark.parametrize(
    ("rows", "valid"),
    [
        ([("A", None), ("B", None), ("C", None)], True),
        ([("A", 2), ("B", 3), ("C", 1)], True),
        ([("A", None), ("B", None)], False),  # two options cannot be ranked
        ([("A", 1), ("B", 1), ("C", 2)], False),  # a place twice
        ([("A", 1), ("B", None), ("C", 2)], False),  # an option without its place
    ],
)
def test_the_admin_keeps_a_ranking_to_its_rules(priorities_session, admin_client, rows, valid):
    formset = _choice_formset(admin_client, question("t-rank"), rows)
    assert formset.is_valid() is valid, formset.non_form_errors()


def test_the_control_view_shows_the_right_order_before_opening(
    priorities_session, facilitator, facilitator_client
):
    session = go_to_question(priorities_session, "t-rank-order", facilitator)
    page = facilitator_client.get(reverse("workshop:control", args=[session.public_id]))
    assert "1. SDG 1, 2. SDG 5, 3. SDG 10, 4. SDG 17" in page.content.decode()


def test_the_take_away_lists_my_order_and_my_points(priorities_session, facilitator, people):
    run = _open(priorities_session, "t-rank", facilitator)
    data, rights, inclusion, climate = _ids("t-rank", "Data", "Rights", "Inclusion", "Climate")
    _submit(people[0], run, [climate, data, rights, inclusion])
    run = _open(priorities_session, "t-points", facilitator)
    data, rights, inclusion = _ids("t-points", "Data", "Rights", "Inclusion")
    _submit(people[0], run, {str(inclusion): 30, str(data): 70})
    workshop_services.end_session(priorities_session, facilitator)
    url = reverse("reports:takeaway", kwargs={"code": priorities_session.code})
    html = participant_client(people[0]).get(url).content.decode()
    assert "1. Climate, 2. Data, 3. Rights, 4. Inclusion" in html
    assert "Data: 70, Inclusion: 30" in html
