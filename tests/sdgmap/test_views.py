import pytest
from django.test import Client
from django.urls import reverse

from sdgmap import services
from sdgmap.models import CardEdit, ExerciseRun, GroupCard

from ..conftest import participant_client

pytestmark = pytest.mark.django_db

ACTIONS = [
    ("sdgmap:start", {"allocation": "shared", "minutes": "15"}),
    ("sdgmap:close", {}),
    ("sdgmap:more_time", {}),
    ("sdgmap:reveal", {}),
    ("sdgmap:spotlight", {"sdg": "8"}),
    ("sdgmap:hide", {"card": "1", "hidden": "1"}),
]


def _url(name, session):
    return reverse(name, kwargs={"public_id": session.public_id})


def test_the_facilitator_runs_the_exercise_from_the_control_view(
    facilitator_client, on_exercise, members
):
    response = facilitator_client.post(
        _url("sdgmap:start", on_exercise),
        {"allocation": "shared", "minutes": "15"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="sdg-progress"' in html and "Close the exercise" in html
    run = ExerciseRun.objects.get()
    assert run.state == "open" and run.allocation == "shared"
    facilitator_client.post(_url("sdgmap:spotlight", on_exercise), {"sdg": "10"})
    facilitator_client.post(_url("sdgmap:reveal", on_exercise), {})
    run.refresh_from_db()
    assert run.spotlight.number == 10 and run.state == "revealed"


def test_a_refusal_comes_back_as_a_message(facilitator_client, on_exercise, members):
    response = facilitator_client.post(
        _url("sdgmap:close", on_exercise), {}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Start the exercise first." in response.content.decode()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_outsiders_cannot_run_the_exercise(
    name, data, on_exercise, members, other_facilitator, plain_user
):
    for user in (other_facilitator, plain_user, None):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.post(_url(name, on_exercise), data)
        assert response.status_code in (302, 403)
    assert not ExerciseRun.objects.exists()


def test_the_card_form_works_without_javascript(on_exercise, facilitator, members):
    services.start_exercise(on_exercise, facilitator, allocation="all", minutes=0)
    amina = members["Group 1"][0]
    client = participant_client(amina)
    page = client.get(reverse("workshop:participant", kwargs={"code": on_exercise.code}))
    assert 'id="card-17"' in page.content.decode()
    assert "Eradicate extreme poverty" in page.content.decode()  # descriptions on page loads
    response = client.post(
        reverse("sdgmap:card_save", kwargs={"code": on_exercise.code}),
        {
            "sdg": "10",
            "rating": "strong",
            "targets": ["10.7", "10.c"],
            "reasoning": "Safe, regular pathways.",
            "base_version": "0",
        },
    )
    assert response.status_code == 302
    card = GroupCard.objects.get()
    assert (card.rating, card.reasoning) == ("strong", "Safe, regular pathways.")
    assert sorted(t.code for t in card.targets.all()) == ["10.7", "10.c"]
    # Too long: refused with a message, nothing changed.
    response = client.post(
        reverse("sdgmap:card_save", kwargs={"code": on_exercise.code}),
        {"sdg": "10", "rating": "none", "reasoning": "x" * 501},
        follow=True,
    )
    assert "500 characters" in response.content.decode()
    card.refresh_from_db()
    assert card.rating == "strong" and CardEdit.objects.count() == 3


def test_someone_who_has_not_joined_is_sent_to_the_join_page(on_exercise):
    response = Client().post(reverse("sdgmap:card_save", kwargs={"code": on_exercise.code}), {})
    assert response.status_code == 302 and "/j/" in response["Location"]


def test_target_texts_come_in_each_language(client):
    fr = client.get(reverse("sdgmap:target_texts", kwargs={"lang": "fr"})).json()
    assert len(fr) == 169 and fr["10.7"].startswith("Faciliter la migration")
    assert client.get(reverse("sdgmap:target_texts", kwargs={"lang": "xx"})).status_code == 404
