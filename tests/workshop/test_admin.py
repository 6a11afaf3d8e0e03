"""Content administration: duplicating a template, previewing a step."""

import pytest
from django.test import Client
from django.urls import reverse

from workshop.models import Step, WorkshopSession, WorkshopTemplate

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    return client


def test_it_duplicates_a_template_from_the_admin(admin_client, template):
    response = admin_client.post(
        reverse("admin:workshop_workshoptemplate_changelist"),
        {"action": "duplicate", "_selected_action": [template.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = WorkshopTemplate.objects.exclude(pk=template.pk).get()
    assert copy.title == "Leaving no one behind (copy)"
    assert [s.title for s in copy.ordered_steps()] == [s.title for s in template.ordered_steps()]


@pytest.mark.parametrize("audience", ["screen", "participant"])
def test_it_previews_a_step_as_the_projector_and_as_a_phone(admin_client, template, audience):
    step = template.ordered_steps().get(title_en="Who is IOM?")
    step.title_fr = "Qui est l'OIM ?"
    step.save()
    url = reverse("admin:workshop_step_preview", args=[step.pk, audience])
    html = admin_client.get(url + "?lang=fr").content.decode()
    assert "Qui est l&#x27;OIM ?" in html and '<html lang="fr">' in html
    assert f'body class="{"screen" if audience == "screen" else "phone"} preview"' in html
    assert "Since 1951" in html  # body falls back to English
    assert not WorkshopSession.objects.exists()  # the preview keeps nothing


def test_the_lobby_preview_shows_a_join_code(admin_client, template):
    lobby = template.ordered_steps().get(kind=Step.Kind.LOBBY)
    html = admin_client.get(reverse("admin:workshop_step_preview", args=[lobby.pk, "screen"]))
    assert "lobby-code" in html.content.decode()


def test_the_step_list_links_to_previews(admin_client, template):
    html = admin_client.get(reverse("admin:workshop_step_changelist")).content.decode()
    assert "/preview/screen/" in html and "/preview/participant/" in html


def test_the_preview_is_for_staff_only(client, template):
    step = template.ordered_steps().first()
    response = client.get(reverse("admin:workshop_step_preview", args=[step.pk, "screen"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
