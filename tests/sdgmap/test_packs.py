from pathlib import Path

import pytest

from sdgmap.models import ExerciseConfig
from workshop import packs

pytestmark = pytest.mark.django_db

PACK = Path(__file__).parent / "data" / "sdg-pack.yaml"


def test_an_exercise_step_carries_its_defaults_and_round_trips():
    template = packs.import_pack(packs.read_pack(PACK))
    config = ExerciseConfig.objects.get(step__template=template)
    assert (config.allocation, config.minutes) == ("all", 12)
    exported = packs.export_pack(template)
    step = next(s for s in exported["template"]["steps"] if s["kind"] == "exercise")
    assert step["exercise"] == {"allocation": "all", "minutes": 12}


def test_the_settings_are_optional():
    data = packs.read_pack(PACK)
    del data["template"]["steps"][1]["exercise"]
    template = packs.import_pack(data)
    assert not ExerciseConfig.objects.filter(step__template=template).exists()


@pytest.mark.parametrize(
    ("settings", "kind", "error"),
    [
        ({"allocation": "some"}, "exercise", "exercise.allocation: must be all or shared"),
        ({"minutes": -1}, "exercise", "exercise.minutes: must be a whole number"),
        ({"minutes": "ten"}, "exercise", "exercise.minutes: must be a whole number"),
        ({"colour": "red"}, "exercise", "exercise.colour: unknown field"),
        ("shared", "exercise", "must be a mapping"),
        ({"minutes": 5}, "content", "only an exercise step has exercise settings"),
    ],
)
def test_bad_settings_name_their_place_and_change_nothing(settings, kind, error):
    data = packs.read_pack(PACK)
    data["template"]["steps"][1]["exercise"] = settings
    data["template"]["steps"][1]["kind"] = kind
    with pytest.raises(packs.PackError) as raised:
        packs.import_pack(data)
    assert any(error in e and "template.steps[1]" in e for e in raised.value.errors), raised
    assert not ExerciseConfig.objects.exists()
