import pytest

from live.audiences import CONTROL, PARTICIPANT, SCREEN, Audience
from live.regions import RenderTarget
from sdgmap import services
from sdgmap.display import ExerciseDisplay
from sdgmap.models import CardEdit, ExerciseRun, GroupCard
from workshop import services as room
from workshop.errors import DomainError, NotAllowed


def _edit(participant, sdg, field, value, **kwargs):
    return services.edit_card(participant, sdg=sdg, field=field, value=value, **kwargs)


def _display(session, kind=SCREEN, group=None):
    session.refresh_from_db()
    audience = Audience(kind, session.pk, group.pk if group else None)
    return ExerciseDisplay(RenderTarget(session, audience, session.current_step, group))


# --- allocation ------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [1, 2, 3, 5, 17, 20])
def test_it_shares_the_sdgs_out_balanced_with_every_sdg_covered(groups):
    shares = services.share_out(list(range(100, 100 + groups)))
    covered = {n for numbers in shares.values() for n in numbers}
    sizes = [len(numbers) for numbers in shares.values()]
    assert covered == set(range(1, 18))
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1


def test_it_starts_with_all_17_for_every_group(on_exercise, facilitator):
    run = services.start_exercise(on_exercise, facilitator, allocation="all", minutes=20)
    assert run.state == ExerciseRun.State.OPEN and run.ends_at is not None
    for group in on_exercise.groups.all():
        assert run.goal_numbers_for(group.pk) == list(range(1, 18))


def test_it_starts_with_shared_sdgs(on_exercise, facilitator):
    run = services.start_exercise(on_exercise, facilitator, allocation="shared", minutes=0)
    shares = [run.goal_numbers_for(g.pk) for g in on_exercise.groups.all()]
    assert sorted(n for share in shares for n in share) == list(range(1, 18))
    assert sorted(len(s) for s in shares) == [5, 6, 6]
    assert run.ends_at is None


def test_only_facilitators_start_and_only_on_the_exercise_step(
    session, on_exercise, other_facilitator, facilitator
):
    with pytest.raises(NotAllowed):
        services.start_exercise(on_exercise, other_facilitator, allocation="all", minutes=5)
    with pytest.raises(DomainError) as error:
        services.start_exercise(on_exercise, facilitator, allocation="both", minutes=5)
    assert error.value.code == "bad_allocation"
    room.move_by(on_exercise, -1, facilitator)
    on_exercise.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.start_exercise(on_exercise, facilitator, allocation="all", minutes=5)
    assert error.value.code == "not_an_exercise"
    assert not ExerciseRun.objects.exists()


# --- cards -------------------------------------------------------------------------------


@pytest.fixture
def open_run(on_exercise, facilitator, members):
    return services.start_exercise(on_exercise, facilitator, allocation="all", minutes=15)


def test_members_of_a_group_edit_the_same_card(open_run, members):
    amina, bruno = members["Group 1"]
    _edit(amina, 8, "rating", "strong")
    _edit(bruno, 8, "target", {"code": "8.8", "on": True})
    _edit(amina, 8, "target", {"code": "8.7", "on": True})
    result = _edit(bruno, 8, "reasoning", "Fair recruitment protects migrant workers.")
    card = GroupCard.objects.get(run=open_run, group=amina.group, goal__number=8)
    assert card.rating == "strong"
    assert sorted(t.code for t in card.targets.all()) == ["8.7", "8.8"]
    assert card.reasoning == "Fair recruitment protects migrant workers."
    assert card.version == 4 and result["version"] == 4
    assert card.updated_by == bruno
    assert CardEdit.objects.filter(card=card).count() == 4


def test_a_teammates_newer_text_is_never_silently_overwritten(open_run, members):
    amina, bruno = members["Group 1"]
    first = _edit(
        amina, 1, "reasoning", "Remittances lift families out of poverty.", base_version=0
    )
    # Bruno started typing from version 0, before Amina's text arrived.
    result = _edit(bruno, 1, "reasoning", "Diaspora investment.", base_version=0)
    card = GroupCard.objects.get(run=open_run, group=amina.group, goal__number=1)
    assert result["outcome"] == "conflict"
    assert result["changed_by"] == "Amina"
    assert result["current_text"] == "Remittances lift families out of poverty."
    assert card.reasoning == "Remittances lift families out of poverty."
    kept = CardEdit.objects.get(card=card, participant=bruno)
    assert kept.outcome == "conflict" and kept.value == "Diaspora investment."
    # Having seen it, Bruno saves again from the version he now knows.
    again = _edit(
        bruno,
        1,
        "reasoning",
        "Remittances and diaspora investment.",
        base_version=first["reasoning_version"],
    )
    assert again["outcome"] == "applied"
    card.refresh_from_db()
    assert card.reasoning == "Remittances and diaspora investment."


def test_my_own_consecutive_saves_never_conflict(open_run, members):
    amina, _ = members["Group 1"]
    _edit(amina, 3, "reasoning", "Health", base_version=0)
    result = _edit(amina, 3, "reasoning", "Health workers", base_version=0)
    assert result["outcome"] == "applied"


def test_a_resent_message_changes_nothing_twice(open_run, members):
    amina, _ = members["Group 1"]
    one = _edit(amina, 10, "target", {"code": "10.7", "on": True}, client_id="m-1")
    two = _edit(amina, 10, "target", {"code": "10.7", "on": True}, client_id="m-1")
    assert one == two
    assert CardEdit.objects.filter(client_id="m-1").count() == 1


def test_an_edit_that_changes_nothing_is_not_recorded(open_run, members):
    amina, _ = members["Group 1"]
    _edit(amina, 5, "rating", "some")
    result = _edit(amina, 5, "rating", "some")
    assert result["unchanged"] is True
    assert CardEdit.objects.count() == 1


@pytest.mark.parametrize(
    ("sdg", "field", "value", "code"),
    [
        (18, "rating", "strong", "unknown_sdg"),
        ("x", "rating", "strong", "unknown_sdg"),
        (8, "rating", "very", "bad_rating"),
        (8, "target", {"code": "8.99", "on": True}, "unknown_target"),
        (8, "target", {"code": "10.7", "on": True}, "target_of_other_sdg"),
        (8, "reasoning", "x" * 501, "reasoning_too_long"),
        (8, "colour", "red", "bad_field"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(open_run, members, sdg, field, value, code):
    amina, _ = members["Group 1"]
    with pytest.raises(DomainError) as error:
        _edit(amina, sdg, field, value)
    assert error.value.code == code
    assert error.value.message
    assert not GroupCard.objects.exists() and not CardEdit.objects.exists()


def test_someone_without_a_group_cannot_edit(open_run, members, on_exercise, facilitator):
    amina, _ = members["Group 1"]
    room.move_participant(on_exercise, amina.pk, None, facilitator)
    amina.refresh_from_db()
    with pytest.raises(NotAllowed) as error:
        _edit(amina, 8, "rating", "strong")
    assert error.value.code == "not_in_group"


def test_a_group_only_edits_the_sdgs_it_was_given(on_exercise, facilitator, members):
    run = services.start_exercise(on_exercise, facilitator, allocation="shared", minutes=0)
    amina, _ = members["Group 1"]
    other = next(n for n in range(1, 18) if n not in run.goal_numbers_for(amina.group_id))
    with pytest.raises(NotAllowed) as error:
        _edit(amina, other, "rating", "some")
    assert error.value.code == "sdg_not_assigned"


def test_cards_are_read_only_before_the_start_and_after_closing(on_exercise, facilitator, members):
    amina, _ = members["Group 1"]
    with pytest.raises(DomainError) as error:
        _edit(amina, 8, "rating", "strong")
    assert error.value.code == "exercise_not_open"
    services.start_exercise(on_exercise, facilitator, allocation="all", minutes=0)
    _edit(amina, 8, "rating", "strong")
    services.close_exercise(on_exercise, facilitator)
    with pytest.raises(DomainError) as error:
        _edit(amina, 8, "rating", "none")
    assert error.value.code == "exercise_closed"
    assert GroupCard.objects.get().rating == "strong"


# --- the plenary ---------------------------------------------------------------------------


def test_the_map_counts_ratings_and_progress(open_run, members, on_exercise):
    g1, g2, g3 = (members[f"Group {n}"] for n in (1, 2, 3))
    _edit(g1[0], 10, "rating", "strong")
    _edit(g2[1], 10, "rating", "some")
    _edit(g3[0], 10, "rating", "strong")
    _edit(g3[0], 13, "rating", "none")
    ex = _display(on_exercise)
    tally = {t.goal.number: t for t in ex.tallies}
    assert (tally[10].strong, tally[10].some, tally[10].none, tally[10].groups) == (2, 1, 0, 3)
    assert tally[13].none == 1 and tally[1].rated == 0
    assert [(p.group.name, p.done, p.assigned) for p in ex.progress] == [
        ("Group 1", 1, 17),
        ("Group 2", 1, 17),
        ("Group 3", 2, 17),
    ]


def test_spotlight_hide_and_reveal_compare_with_the_reference(
    open_run, members, on_exercise, facilitator
):
    amina = members["Group 1"][0]
    chloe = members["Group 2"][0]
    for code in ("8.7", "8.3"):
        _edit(amina, 8, "target", {"code": code, "on": True})
    _edit(amina, 8, "reasoning", "Decent work for migrant workers.")
    _edit(chloe, 8, "target", {"code": "8.8", "on": True})
    services.set_spotlight(on_exercise, facilitator, 8)
    card = GroupCard.objects.get(group=amina.group, goal__number=8)
    services.set_reasoning_hidden(on_exercise, facilitator, card.pk, True)
    services.reveal_reference(on_exercise, facilitator)
    ex = _display(on_exercise)
    assert ex.run.is_revealed
    spot = ex.spotlight
    assert spot["goal"].number == 8 and spot["reference"] == ["8.5", "8.7", "8.8"]
    assert spot["rows"][0]["card"].reasoning_hidden
    tally = next(t for t in ex.tallies if t.goal.number == 8)
    assert tally.agreed == [("8.5", 0), ("8.7", 1), ("8.8", 1)]
    assert tally.beyond == [("8.3", 1)]
    assert tally.actions == [1, 2, 4]
    mine = _display(on_exercise, PARTICIPANT, amina.group)
    row = next(r for r in mine.my_cards if r.goal.number == 8)
    assert (row.agreed, row.beyond, row.missed) == (["8.7"], ["8.3"], ["8.5", "8.8"])


def test_only_facilitators_run_the_plenary(open_run, on_exercise, other_facilitator, plain_user):
    for user in (other_facilitator, plain_user):
        for action in (
            lambda u: services.close_exercise(on_exercise, u),
            lambda u: services.reveal_reference(on_exercise, u),
            lambda u: services.set_spotlight(on_exercise, u, 8),
        ):
            with pytest.raises(NotAllowed):
                action(user)
    open_run.refresh_from_db()
    assert open_run.state == "open" and open_run.spotlight is None


def test_control_render_does_not_grow_queries_with_cards(
    open_run, members, on_exercise, django_assert_max_num_queries
):
    from live.regions import render_regions

    for group_members in members.values():
        for sdg in range(1, 18):
            _edit(group_members[0], sdg, "rating", "some")
    on_exercise.refresh_from_db()
    with django_assert_max_num_queries(40):
        render_regions(on_exercise, Audience(CONTROL, on_exercise.pk))
    with django_assert_max_num_queries(40):
        render_regions(on_exercise, Audience(SCREEN, on_exercise.pk))


def test_a_full_phone_stage_stays_well_under_the_64_kib_socket_limit(
    open_run, members, on_exercise
):
    """daphne refuses to send a websocket message over 64 KiB: the worst case
    (17 cards, every target ticked, 500-character reasoning, French) must fit."""
    import json

    from live.regions import render_regions
    from sdgmap.models import Target

    amina = members["Group 1"][0]
    amina.language = "fr"
    for sdg in range(1, 18):
        _edit(amina, sdg, "rating", "strong")
        _edit(
            amina,
            sdg,
            "targets",
            list(Target.objects.filter(goal__number=sdg).values_list("code", flat=True)),
        )
        _edit(amina, sdg, "reasoning", ("Les envois de fonds réduisent la pauvreté. " * 12)[:500])
    on_exercise.refresh_from_db()
    audience = Audience(PARTICIPANT, on_exercise.pk, amina.group_id, "fr")
    regions = render_regions(on_exercise, audience)  # the snapshot: every region
    size = len(json.dumps({"t": "regions", "regions": regions, "snapshot": True}).encode())
    assert size < 60 * 1024, size
