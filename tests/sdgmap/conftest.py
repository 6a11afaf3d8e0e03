from pathlib import Path

import pytest

from sdgmap.packs import ReferenceExtension
from tests.factories import StepFactory
from workshop import packs
from workshop import services as room
from workshop.models import Step

IOM_PACK = Path(packs.__file__).parent / "packs" / "iom-leaving-no-one-behind.yaml"


@pytest.fixture
def iom_reference(template):
    """The IOM pack's reference mapping on the test template (a workshop
    like the IOM one), as importing the pack would give it."""
    section = {"sdg_reference": packs.read_pack(IOM_PACK)["sdg_reference"]}
    ReferenceExtension().apply(packs.PackContext(section), template)
    return template.sdg_reference


@pytest.fixture
def exercise_step(template, iom_reference):
    return StepFactory(template=template, position=4, kind=Step.Kind.EXERCISE, title="Map the SDGs")


@pytest.fixture
def on_exercise(session, exercise_step, facilitator):
    """The session, with three groups, on the exercise step."""
    room.configure_groups(
        session, facilitator, names=["Group 1", "Group 2", "Group 3"], mode="balanced"
    )
    room.go_to_step(session, exercise_step.pk, facilitator)
    session.refresh_from_db()
    return session


@pytest.fixture
def members(on_exercise):
    """Two members in each of the three groups: {group name: [p1, p2]}."""
    people = [
        room.join_session(on_exercise.code, nickname=n)
        for n in ("Amina", "Bruno", "Chloe", "Dries", "Emma", "Farid")
    ]
    by_group: dict[str, list] = {}
    for p in people:
        by_group.setdefault(p.group.name, []).append(p)
    return by_group


@pytest.fixture(autouse=True)
def _sdg_reference_data(request):
    """The SDGs come from a data migration; a transactional test's flush
    empties the tables, so load them again when they are gone."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from sdgmap.loader import load_into_current_models
    from sdgmap.models import Goal

    if not Goal.objects.exists():
        load_into_current_models()
