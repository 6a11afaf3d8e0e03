"""A query compiled once gives what the ORM's own queryset gives
(workshop/prepared.py), on SQLite and on PostgreSQL alike."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from workshop import services
from workshop.models import Group, Participant, WorkshopSession
from workshop.prepared import PreparedQuery

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
