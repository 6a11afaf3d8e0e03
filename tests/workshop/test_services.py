import pytest

from workshop import services
from workshop.errors import DomainError, NotAllowed, NotFound
from workshop.models import JOIN_CODE_ALPHABET, Participant, WorkshopSession

from ..factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_it_makes_six_character_codes_without_look_alikes(template, facilitator):
    codes = {services.create_session(template, facilitator).code for _ in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    assert len(JOIN_CODE_ALPHABET) ** 6 >= 31**6


def test_a_new_session_starts_as_a_draft_on_the_first_step(session, template):
    assert session.status == WorkshopSession.Status.DRAFT
    assert session.current_step == template.ordered_steps().first()
    assert [g.name for g in session.groups.all()] == ["Group 1", "Group 2"]


def test_moving_past_the_lobby_makes_the_session_live(session, facilitator):
    session = services.move_by(session, 1, facilitator)
    assert session.status == WorkshopSession.Status.LIVE
    assert session.current_step.title == "Who is IOM?"
    session = services.move_by(session, -1, facilitator)
    assert session.current_step.title == "Welcome"


def test_it_refuses_to_move_past_either_end(session, facilitator):
    with pytest.raises(DomainError) as error:
        services.move_by(session, -1, facilitator)
    assert error.value.code == "no_more_steps"


def test_it_refuses_a_step_of_another_workshop(session, facilitator):
    from tests.factories import StepFactory

    foreign = StepFactory()
    with pytest.raises(NotFound):
        services.go_to_step(session, foreign.pk, facilitator)
    session.refresh_from_db()
    assert session.current_step.title == "Welcome"


@pytest.mark.parametrize("persona", ["other_facilitator", "plain_user"])
def test_only_the_sessions_facilitators_may_act(session, persona, request):
    outsider = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        services.move_by(session, 1, outsider)
    with pytest.raises(NotAllowed):
        services.end_session(session, outsider)
    session.refresh_from_db()
    assert session.status == WorkshopSession.Status.DRAFT
    assert session.current_step.title == "Welcome"


def test_a_co_facilitator_may_act(session, co_facilitator):
    session.co_facilitators.add(co_facilitator)
    session = services.move_by(session, 1, co_facilitator)
    assert session.current_step.title == "Who is IOM?"


def test_participants_are_balanced_across_groups(session):
    people = [services.join_session(session.code, nickname=f"P{n}") for n in range(5)]
    sizes = sorted(session.groups.filter(members__in=people).values_list("name", flat=True))
    assert sizes.count("Group 1") in (2, 3) and sizes.count("Group 2") in (2, 3)


def test_a_new_participant_joins_the_smallest_group_first_in_order(session, facilitator):
    first, second = session.groups.order_by("position")
    third = GroupFactory(session=session, name="Group 3", position=first.position + 1)
    second.position = first.position + 2
    second.save()
    # An empty group of another session never counts.
    GroupFactory(name="Elsewhere", position=0)
    people = [services.join_session(session.code, nickname=f"P{n}") for n in range(3)]
    # Sizes 1, 1, 1 by position: first, then third (position between), then second.
    assert [p.group for p in people] == [first, third, second]
    # Members moved away count: the emptied group is the smallest now.
    for person in people[:2]:
        services.move_participant(session, person.pk, second.pk, facilitator)
    assert services.join_session(session.code, nickname="P3").group == first


def test_an_empty_nickname_gets_a_friendly_unique_one(session):
    first = services.join_session(session.code)
    second = services.join_session(session.code)
    assert first.nickname and second.nickname and first.nickname != second.nickname


def test_a_taken_nickname_is_refused(session, participant):
    with pytest.raises(DomainError) as error:
        services.join_session(session.code, nickname="Amina")
    assert error.value.code == "nickname_taken"
    assert session.participants.count() == 1


def test_codes_are_forgiving_about_case_and_spaces(session):
    participant = services.join_session(f" {session.code[:3].lower()} {session.code[3:]} ")
    assert participant.session == session


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        (lambda s, f: None, "unknown_code"),
        (lambda s, f: services.end_session(s, f), "session_ended"),
        (lambda s, f: services.set_joining_locked(s, True, f), "joining_locked"),
    ],
)
def test_joining_is_refused_with_a_clear_reason(session, facilitator, prepare, code):
    prepare(session, facilitator)
    raw = "ZZZZZZ" if code == "unknown_code" else session.code
    with pytest.raises(DomainError) as error:
        services.join_session(raw, nickname="Late")
    assert error.value.code == code
    assert error.value.message
    assert not Participant.objects.filter(nickname="Late").exists()


def test_an_ended_session_is_read_only(session, facilitator):
    services.end_session(session, facilitator)
    for action in (
        lambda: services.move_by(session, 1, facilitator),
        lambda: services.set_joining_locked(session, False, facilitator),
        lambda: services.configure_groups(session, facilitator, names=["A"], mode="balanced"),
    ):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.code == "session_ended"


def test_regrouping_keeps_members_of_kept_groups_and_balances_the_rest(session, facilitator):
    people = [services.join_session(session.code, nickname=f"P{n}") for n in range(4)]
    in_group_1 = {p.pk for p in people if p.group.name == "Group 1"}
    services.configure_groups(
        session, facilitator, names=["Group 1", "Blue", "Green"], mode="balanced"
    )
    for p in people:
        p.refresh_from_db()
        assert p.group is not None
        if p.pk in in_group_1:
            assert p.group.name == "Group 1"
    assert sorted(session.groups.values_list("name", flat=True)) == ["Blue", "Green", "Group 1"]


def test_a_facilitator_can_move_a_participant(session, facilitator, participant):
    target = session.groups.exclude(pk=participant.group_id).get()
    services.move_participant(session, participant.pk, target.pk, facilitator)
    participant.refresh_from_db()
    assert participant.group == target


def test_choosing_a_group_is_only_allowed_in_choose_mode(session, facilitator, participant):
    group = session.groups.first()
    with pytest.raises(NotAllowed):
        services.choose_group(participant, group.pk)
    services.configure_groups(session, facilitator, names=["Group 1", "Group 2"], mode="choose")
    participant.refresh_from_db()
    services.choose_group(participant, group.pk)
    participant.refresh_from_db()
    assert participant.group == group


@pytest.mark.parametrize("raw", ["0", "31", "A\nA", "x" * 61])
def test_bad_group_settings_are_refused(raw):
    with pytest.raises(DomainError):
        services.parse_group_names(raw)


def test_group_names_can_be_a_number_or_a_list():
    assert services.parse_group_names("3") == ["Group 1", "Group 2", "Group 3"]
    assert services.parse_group_names("Red, Blue\nGreen") == ["Red", "Blue", "Green"]
