"""What each audience sees of a slide step, the media the app serves, the
admin upload, and the files that go with a deleted deck or template."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from live.audiences import CONTROL, PARTICIPANT, SCREEN, Audience
from live.regions import render_regions
from slides import services
from slides.models import Deck, DeckUpload, Slide
from workshop import services as workshop_services
from workshop.models import Step

from ..factories import UserFactory
from .conftest import stored_files
from .uploads import editor_client, finished, page_upload, until_refreshes_stop, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def slide_session(template, decks, session, facilitator):
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    step = template.steps.get(kind="slide", slide_number=2)
    return workshop_services.go_to_step(session, step.pk, facilitator)


def stage_html(session, kind: str, language: str = "en") -> str:
    audience = Audience(kind, session.pk, None, language)
    return render_regions(session, audience, ["stage"])[0]["html"]


def slide(template, language: str, number: int) -> Slide:
    return Slide.objects.get(deck__template=template, deck__language=language, number=number)


def test_a_french_phone_shows_the_french_slide_its_text_and_fetches_the_next(slide_session):
    template = slide_session.template
    html = stage_html(slide_session, PARTICIPANT, "fr")
    assert slide(template, "fr", 2).phone_url in html
    assert "Diapositive 2" in html and "La migration est un moteur" in html
    assert f'data-prefetch="{slide(template, "fr", 3).phone_url}"' in html
    assert "This slide is in English" not in html


def test_a_dutch_phone_shows_the_english_slide_marked_as_english(slide_session):
    html = stage_html(slide_session, PARTICIPANT, "nl")
    assert slide(slide_session.template, "en", 2).phone_url in html
    assert 'class="slide-text" lang="en"' in html
    assert "Deze dia is in het Engels." in html


def test_a_template_with_a_french_deck_only_shows_it_marked_to_everyone(
    template, decks, session, facilitator
):
    services.upload_deck(template, "fr", decks.fr_3)
    step = template.steps.get(kind="slide", slide_number=1)
    session = workshop_services.go_to_step(session, step.pk, facilitator)
    html = stage_html(session, PARTICIPANT, "nl")
    assert slide(template, "fr", 1).phone_url in html
    assert 'class="slide-text" lang="fr"' in html and "Deze dia is in een andere taal." in html
    assert slide(template, "fr", 1).projector_url in stage_html(session, SCREEN)


def test_the_projector_shows_the_projector_image_in_its_language(slide_session):
    slide_session.screen_language = "fr"
    slide_session.save()
    html = stage_html(slide_session, SCREEN)
    assert slide(slide_session.template, "fr", 2).projector_url in html
    assert slide(slide_session.template, "fr", 3).projector_url in html  # fetched ahead


def test_the_control_view_shows_the_slide_the_next_and_thumbnails(slide_session):
    step = Step.objects.get(pk=slide_session.current_step_id)
    step.facilitator_notes = "Pause for questions"
    step.save()
    slide_session.refresh_from_db()
    audience = Audience(CONTROL, slide_session.pk)
    regions = render_regions(slide_session, audience, ["stage", "agenda"])
    stage, agenda = (r["html"] for r in regions)
    template = slide_session.template
    assert slide(template, "en", 2).phone_url in stage
    assert slide(template, "en", 3).thumbnail_url in stage
    assert "Pause for questions" in stage
    for number in range(1, 6):
        assert slide(template, "en", number).thumbnail_url in agenda


def test_a_step_whose_page_is_gone_says_so(slide_session, decks):
    services.upload_deck(slide_session.template, "en", decks.en_3)
    step = slide_session.template.steps.get(kind="slide", slide_number=5)
    session = workshop_services.go_to_step(slide_session, step.pk, slide_session.facilitator)
    assert "Slide 5 is not in the deck." in stage_html(session, PARTICIPANT)


def test_the_app_serves_slide_images_for_a_year(slide_session, client):
    image = slide(slide_session.template, "en", 1)
    response = client.get(image.projector_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    body = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (1920, 1080)


def test_the_uploaded_pdf_is_never_served(slide_session, client, media_root):
    deck = Deck.objects.get(template=slide_session.template, language="en")
    assert (media_root / deck.source).is_file()
    for path in [deck.source, "slides/../" + deck.source, "slides/x.pdf", "slides/%2e%2e/x.webp"]:
        assert client.get(f"/media/{path}").status_code == 404


def test_deleting_a_template_deletes_its_files(
    template, decks, media_root, django_capture_on_commit_callbacks
):
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    assert stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        template.delete()
    assert stored_files(media_root) == set()


def test_deleting_a_deck_keeps_the_other_languages(
    template, decks, media_root, django_capture_on_commit_callbacks
):
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    with django_capture_on_commit_callbacks(execute=True):
        Deck.objects.get(language="fr").delete()
    left = stored_files(media_root)
    assert left == Deck.objects.get(language="en").file_names()


def test_the_orphans_command_lists_what_nothing_uses(template, decks, media_root, capsys):
    services.upload_deck(template, "en", decks.en_5)
    stray = media_root / "slides" / "t999" / "en" / "001-phone-abc.webp"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left behind")
    call_command("media_orphans")
    assert capsys.readouterr().out.split() == ["slides/t999/en/001-phone-abc.webp"]
    call_command("media_orphans", "--delete")
    assert not stray.exists() and Slide.objects.count() == 5
    for name in Deck.objects.get().file_names():
        assert (media_root / name).is_file()


@pytest.mark.django_db(transaction=True)
def test_the_admin_uploads_in_the_background_and_says_what_it_did(admin_client, template, decks):
    until_refreshes_stop(admin_client, upload(admin_client, template, "en", decks.en_5))
    response = upload(admin_client, template, "en", decks.en_3)
    first = response.content.decode()
    assert 'http-equiv="refresh"' in first and "Rendered" not in first
    html = until_refreshes_stop(admin_client, response)
    assert "Rendered 3 pages in" in html and "Pages removed: 4, 5." in html
    assert "These steps show a page this deck no longer has" in html
    assert "Open the deck" in html
    assert Deck.objects.get(template=template).page_count == 3
    upload_row = DeckUpload.objects.filter(template=template).first()
    assert upload_row.state == "done" and upload_row.pages_done == upload_row.pages_total == 3


@pytest.mark.django_db(transaction=True)
def test_a_decks_admin_page_uploads_its_new_version(admin_client, template, decks):
    until_refreshes_stop(admin_client, upload(admin_client, template, "en", decks.en_5))
    deck = Deck.objects.get(template=template)
    data = {
        "pdf": SimpleUploadedFile("deck.pdf", decks.en_6),
        "slides-TOTAL_FORMS": 5,
        "slides-INITIAL_FORMS": 5,
        **{f"slides-{n}-id": s.pk for n, s in enumerate(deck.slides.all())},
        **{f"slides-{n}-deck": deck.pk for n in range(5)},
    }
    url = reverse("admin:slides_deck_change", args=[deck.pk])
    html = until_refreshes_stop(admin_client, admin_client.post(url, data, follow=True))
    assert "Rendered 6 pages in" in html and "Pages added: 6. Pages removed: none." in html
    assert Deck.objects.get(pk=deck.pk).page_count == 6


def test_the_admin_shows_why_a_file_was_refused(admin_client, template, decks):
    response = upload(admin_client, template, "en", b"GIF89a not a deck")
    assert response.status_code == 200 and not response.redirect_chain
    assert "This file is not a PDF" in response.content.decode()
    assert not Deck.objects.exists() and not DeckUpload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_broken_deck_fails_in_the_admin_and_changes_nothing(admin_client, template, decks):
    until_refreshes_stop(admin_client, upload(admin_client, template, "en", decks.en_5))
    before = sorted(template.steps.values_list("id", "position", "slide_number"))
    html = until_refreshes_stop(admin_client, upload(admin_client, template, "en", decks.encrypted))
    assert "This PDF is encrypted or protected by a password" in html
    assert "Nothing was changed." in html
    assert Deck.objects.get(template=template).page_count == 5
    assert sorted(template.steps.values_list("id", "position", "slide_number")) == before


def test_staff_who_may_not_edit_templates_cannot_upload(client, template, decks):
    client.force_login(UserFactory(username="sam", is_staff=True))
    response = upload(client, template, "en", decks.en_5)
    assert response.status_code == 403 or "/admin/login/" in response.redirect_chain[-1][0]
    assert not Deck.objects.exists() and not DeckUpload.objects.exists()


def step_image(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def step_form(step, **changes):
    data = {
        "template": step.template_id,
        "kind": step.kind,
        "title_en": step.title_en,
        "facts-TOTAL_FORMS": 0,
        "facts-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_content_step_with_an_image_needs_alt_text(admin_client, template, media_root):
    """And a new image replaces the old one's file."""
    step = template.steps.get(title="Who is IOM?")
    url = reverse("admin:workshop_step_change", args=[step.pk])
    response = admin_client.post(url, step_form(step, image=step_image()))
    assert "alt text" in response.content.decode()
    step.refresh_from_db()
    assert not step.image and not stored_files(media_root)
    admin_client.post(url, step_form(step, image=step_image(), image_alt_en="A teal square"))
    step.refresh_from_db()
    assert step.image.name.startswith(f"images/t{template.pk}/")
    assert stored_files(media_root) == {step.image.name}


def test_a_content_step_shows_its_image_with_alt_text_per_language(template, session, facilitator):
    step = template.steps.get(title="Who is IOM?")
    step.image = "images/t1/abc.png"
    step.image_alt_en, step.image_alt_fr = "A map", "Une carte"
    step.save()
    session = workshop_services.go_to_step(session, step.pk, facilitator)
    assert 'alt="Une carte"' in stage_html(session, PARTICIPANT, "fr")
    assert 'alt="A map" lang="en"' in stage_html(session, PARTICIPANT, "nl")


@pytest.mark.django_db(transaction=True)
def test_an_editor_uploads_from_the_run_of_show_side(template, decks):
    client = editor_client()
    editor_page = client.get(reverse("workshop:run_of_show", kwargs={"slug": template.slug}))
    assert reverse("slides:upload", kwargs={"slug": template.slug}) in editor_page.content.decode()
    html = finished(client, page_upload(client, template, "fr", decks.fr_3))
    assert "Rendered 3 pages in" in html
    assert Deck.objects.get(template=template).language == "fr"
    assert template.steps.filter(kind="slide").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_upload_page_shows_a_refusal_and_changes_nothing(template, decks):
    client = editor_client()
    html = finished(client, page_upload(client, template, "en", decks.encrypted))
    assert "This PDF is encrypted or protected by a password" in html
    assert not Deck.objects.exists() and not template.steps.filter(kind="slide").exists()


def test_a_file_that_is_not_a_pdf_is_refused_at_once(template):
    response = page_upload(editor_client(), template, "en", b"GIF89a not a deck")
    assert response.status_code == 400 and not response.redirect_chain
    assert "This file is not a PDF" in response.content.decode()
    assert not Deck.objects.exists()


def test_the_upload_page_is_for_editors_only(client, template, decks, facilitator):
    url = reverse("slides:upload", kwargs={"slug": template.slug})
    assert "/admin/login/" in client.get(url)["Location"]
    client.force_login(facilitator)  # staff, but may not edit templates
    assert client.get(url).status_code == 403
    assert page_upload(client, template, "en", decks.en_5).status_code == 403
    assert not Deck.objects.exists()


def test_a_phone_may_zoom_into_the_slide(slide_session):
    from ..conftest import participant_client

    participant = workshop_services.join_session(slide_session.code, nickname="Zoé")
    html = participant_client(participant).get(f"/p/{slide_session.code}/").content.decode()
    viewport = re.search(r'<meta name="viewport" content="([^"]*)"', html).group(1)
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
    assert 'class="slide-image"' in html


@pytest.mark.parametrize("audience", ["screen", "participant"])
def test_the_admin_previews_a_slide_step(slide_session, admin_client, audience):
    step = slide_session.template.steps.get(kind="slide", slide_number=3)
    url = reverse("admin:workshop_step_preview", args=[step.pk, audience])
    html = admin_client.get(url + "?lang=fr").content.decode()
    size = "projector" if audience == "screen" else "phone"
    assert getattr(slide(slide_session.template, "fr", 3), f"{size}_url") in html


def test_a_step_before_a_slide_fetches_that_slide_ahead(template, decks, session, facilitator):
    """From a question, content or exercise step too, as between slides."""
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    content = template.steps.get(title="SDG 10 and target 10.7")  # the step before slide 1
    assert template.ordered_steps().filter(position=content.position + 1, kind="slide").exists()
    session = workshop_services.go_to_step(session, content.pk, facilitator)
    fr_phone = stage_html(session, PARTICIPANT, "fr")
    assert f'data-prefetch="{slide(template, "fr", 1).phone_url}"' in fr_phone
    assert f'data-prefetch="{slide(template, "en", 1).projector_url}"' in stage_html(
        session, SCREEN
    )


def test_a_step_before_another_kind_fetches_nothing_ahead(template, decks, session, facilitator):
    services.upload_deck(template, "en", decks.en_5)
    welcome = template.ordered_steps().first()
    session = workshop_services.go_to_step(session, welcome.pk, facilitator)
    assert "data-prefetch" not in stage_html(session, PARTICIPANT)
