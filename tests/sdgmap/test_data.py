from django.core.management import call_command
from django.utils import translation

from sdgmap.models import Goal, Reference, ReferenceTheme, Target, readable_text_colour


def test_it_has_the_17_sdgs_and_169_targets_from_the_migration(db):
    assert Goal.objects.count() == 17
    assert Target.objects.count() == 169
    assert Target.objects.filter(code__in=["4.b", "10.c", "17.19"]).count() == 3
    assert Goal.objects.get(number=10).colour == "#DD1367"


def test_it_quotes_target_10_7_and_translates(db):
    target = Target.objects.get(code="10.7")
    assert target.description_en.startswith("Facilitate orderly, safe, regular and responsible")
    with translation.override("fr"):
        assert Goal.objects.get(number=1).short_name == "Pas de pauvreté"


def test_the_shared_data_carries_no_reference_mapping(db):
    """A reference belongs to a workshop template and comes with its pack."""
    assert not Reference.objects.exists() and not ReferenceTheme.objects.exists()


def test_it_reloads_idempotently_and_keeps_admin_rows(db):
    call_command("load_sdgs", verbosity=0)
    call_command("load_sdgs", verbosity=0)
    assert Goal.objects.count() == 17
    assert Target.objects.count() == 169


def test_it_picks_the_text_colour_with_more_contrast():
    assert readable_text_colour("#FCC30B") == "#000000"  # SDG 7 yellow
    assert readable_text_colour("#19486A") == "#ffffff"  # SDG 17 navy
    assert readable_text_colour("not a colour") == "#000000"


def test_it_serves_the_sdg_colours_as_a_stylesheet(client, db):
    response = client.get("/sdg/colours.css")
    assert response["Content-Type"].startswith("text/css")
    body = response.content.decode()
    assert ".sdg-c-7 { background-color: #FCC30B; color: #000000;" in body
    assert ".sdg-c-17 { background-color: #19486A; color: #ffffff;" in body
