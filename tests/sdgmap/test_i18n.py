import gettext
from pathlib import Path

import pytest

import sdgmap
from live.audiences import PARTICIPANT, SCREEN, Audience
from live.regions import render_regions
from sdgmap import services
from workshop.errors import DomainError

from ..workshop.test_i18n import _po_entries

LOCALE = Path(sdgmap.__file__).parent / "locale"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_it_ships_complete_compiled_catalogues(language):
    po = _po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(po) > 100
    assert [msgid for msgid, msgstr in po.items() if not msgstr] == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert [m for m, s in po.items() if catalogue.gettext(m) != s] == []


@pytest.mark.django_db
def test_each_audience_reads_the_exercise_in_its_language(on_exercise, facilitator, members):
    services.start_exercise(on_exercise, facilitator, allocation="all", minutes=0)
    amina = members["Group 1"][0]
    services.edit_card(amina, sdg=8, field="rating", value="strong")
    on_exercise.screen_language = "nl"
    on_exercise.save()
    phone = render_regions(on_exercise, Audience(PARTICIPANT, on_exercise.pk, amina.group_id, "fr"))
    stage = next(r for r in phone if r["id"] == "stage")["html"]
    assert "Travail décent et croissance économique" in stage
    assert "Fort" in stage and "Quelles cibles ?" in stage
    screen = render_regions(on_exercise, Audience(SCREEN, on_exercise.pk), ["stage"])[0]["html"]
    assert "Eerlijk werk" in screen or "Waardig werk" in screen
    assert "Sterk" in screen


@pytest.mark.django_db
def test_refusals_come_in_the_readers_language(on_exercise, facilitator, members):
    from django.utils import translation

    services.start_exercise(on_exercise, facilitator, allocation="all", minutes=0)
    with pytest.raises(DomainError) as error:
        services.edit_card(members["Group 1"][0], sdg=8, field="reasoning", value="x" * 501)
    with translation.override("nl"):
        assert str(error.value.message).startswith("Houd de redenering onder 500 tekens")
