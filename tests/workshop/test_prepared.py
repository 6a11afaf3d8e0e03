"""A query compiled once gives what the ORM's own queryset gives, and an
insert written once stores what the ORM's create stores
(workshop/prepared.py), on SQLite and on PostgreSQL alike."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from live import presence
from workshop import services
from workshop.models import Connection, Group, Participant, WorkshopSession
from workshop.prepared import PreparedInsert, PreparedQuery

pytestmark = pytest.mark.django_db


def _same_values(a, b) -> None:
    fields = [f.attname for f in type(a)._meta.concrete_fields]
    assert {f: getattr(a, f) for f in fields} == {f: getattr(b, f) for f in fields}


def test_the_phone_participant_is_the_orm_one_with_its_relations(session):
    group = Group.objects.create(session=session, name="Lions", position=1)
    amina = Participant.objects.create(session=session, nickname="Amina", group=group)
    Participant.objects.create(session=session, nickname="Other")
    session.current_step = session.template.steps.order_by("position")[1]
    session.save(update_fields=["current_step"])

    with CaptureQueriesContext(connection) as queries:
        found = services.phone_participant(session.code, amina.public_id)
        # Everything the phone's page reads first, from that one query.
        session_read, step, group_read = found.session, found.session.current_step, found.group
    assert len(queries) == 1

    expected = Participant.objects.select_related("session", "session__current_step", "group").get(
        pk=amina.pk
    )
    _same_values(found, expected)
    _same_values(session_read, expected.session)
    _same_values(step, expected.session.current_step)
    _same_values(group_read, group)
    assert isinstance(found.public_id, uuid.UUID) and found.public_id == amina.public_id
    assert found.session.created_at == expected.session.created_at  # converters applied
    found.nickname = "Amina B."
    found.save(update_fields=["nickname"])  # a usable instance: its state says it is stored
    assert Participant.objects.get(pk=amina.pk).nickname == "Amina B."


def test_a_participant_without_group_or_step_has_none(session, participant):
    Participant.objects.filter(pk=participant.pk).update(group=None)
    WorkshopSession.objects.filter(pk=session.pk).update(current_step=None)
    found = services.phone_participant(session.code, participant.public_id)
    assert found.pk == participant.pk
    assert found.group is None
    assert found.session.current_step_id is None and found.session.current_step is None


def test_no_match_is_none_and_the_arguments_are_not_mixed_up(session, participant, facilitator):
    other = services.create_session(session.template, facilitator)
    assert services.phone_participant(other.code, participant.public_id) is None
    assert services.phone_participant(session.code, uuid.uuid4()) is None
    assert services.phone_participant(session.code, participant.public_id).pk == participant.pk


def test_a_join_reads_only_its_fields_under_the_lock(session):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        found = services.find_joinable_session(session.code.lower())
    assert found.pk == session.pk
    assert found.get_deferred_fields() >= {"title", "current_step_id"}
    sql = queries[0]["sql"].upper()
    assert ("FOR UPDATE" in sql) == connection.features.has_select_for_update


def test_a_query_whose_argument_is_not_an_exact_parameter_fails_loudly(session):
    twice = PreparedQuery(
        lambda code: (
            WorkshopSession.objects.filter(code=code) | WorkshopSession.objects.filter(title=code)
        ),
        code=WorkshopSession._meta.get_field("code"),
    )
    with pytest.raises(ValueError, match="must appear once"):
        twice.first(code=session.code)
    with pytest.raises(TypeError, match="expected the arguments"):
        services._PHONE_PARTICIPANT.first(code=session.code)


# --- inserts written once ----------------------------------------------------------------


def test_an_insert_stores_what_the_orm_would_with_defaults_filled_in(session):
    group = Group.objects.create(session=session, name="Lions", position=1)
    with CaptureQueriesContext(connection) as queries:
        made = PreparedInsert(Participant).create(session=session, nickname="Amina", group=group)
    assert len(queries) == 1

    stored = Participant.objects.get(pk=made.pk)
    _same_values(made, stored)
    assert stored.group == group and stored.language == "en"  # the field's default
    assert isinstance(stored.public_id, uuid.UUID)  # its default, made for this row
    assert stored.joined_at is not None  # auto_now_add
    made.nickname = "Amina B."
    made.save(update_fields=["nickname"])  # a usable instance: its state says it is stored
    assert Participant.objects.get(pk=made.pk).nickname == "Amina B."


def test_two_inserts_get_their_own_keys_and_defaults(session):
    insert = PreparedInsert(Participant)
    first = insert.create(session=session, nickname="One")
    second = insert.create(session=session, nickname="Two")
    assert first.pk != second.pk and first.public_id != second.public_id
    assert set(session.participants.values_list("nickname", flat=True)) == {"One", "Two"}


def test_a_connection_row_keeps_its_process(participant):
    process_id = presence.register_process()
    connection_id = presence.add_connection(process_id, participant)
    stored = Connection.objects.get(pk=connection_id)
    assert stored.process_id == process_id
    assert (stored.session_id, stored.participant_id) == (participant.session_id, participant.pk)


def test_a_failed_insert_rolls_its_transaction_back(session, participant):
    with transaction.atomic():
        Group.objects.create(session=session, name="Written before", position=9)
        with pytest.raises(IntegrityError):
            PreparedInsert(Participant).create(session=session, nickname=participant.nickname)
        assert transaction.get_rollback()  # as save() leaves it: nothing of it is kept
    assert not Group.objects.filter(name="Written before").exists()
    assert session.participants.count() == 1


@pytest.mark.parametrize("model", [Participant, Connection])
def test_nobody_listens_to_the_models_inserted_without_save(model):
    # PreparedInsert sends no model signals: a receiver added later would
    # silently miss every join. This fails first.
    for signal in (pre_save, post_save):
        assert not signal.has_listeners(model), f"{signal} has a receiver for {model.__name__}"
