"""The upload job's state in the database: its progress and heartbeat, a
job whose server stopped, and one upload of a deck at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from slides import jobs, services
from slides.models import Deck, DeckUpload

from ..factories import TemplateFactory
from .uploads import editor_client, finished, page_upload, upload

pytestmark = pytest.mark.django_db

STOPPED = "The server stopped while rendering this deck; upload it again."


def rendering_upload(template, language="en", *, seconds_ago: float) -> DeckUpload:
    beat = timezone.now() - timedelta(seconds=seconds_ago)
    return DeckUpload.objects.create(
        template=template,
        language=language,
        pages_done=2,
        pages_total=5,
        started_at=beat,
        heartbeat_at=beat,
    )


def stale(settings, template, language="en") -> DeckUpload:
    return rendering_upload(
        template, language, seconds_ago=settings.SLIDES_UPLOAD_STALE_SECONDS + 1
    )


def progress_page(client, template, job: DeckUpload) -> str:
    url = reverse("slides:upload", kwargs={"slug": template.slug})
    return client.get(f"{url}?job={job.public_id}").content.decode()


def test_a_rendering_upload_shows_its_pages_and_comes_again(template):
    job = rendering_upload(template, seconds_ago=1)
    html = progress_page(editor_client(), template, job)
    assert "Rendering: 2 of 5 pages." in html
    assert '<meta http-equiv="refresh" content="2">' in html  # without JavaScript
    assert 'hx-trigger="every 1s"' in html  # with it


def test_an_upload_whose_heartbeat_stopped_shows_as_failed(settings, template, admin_client):
    job = stale(settings, template)
    html = progress_page(editor_client(), template, job)
    assert STOPPED in html
    assert "hx-trigger" not in html and 'http-equiv="refresh"' not in html
    admin_html = admin_client.get(reverse("admin:slides_deck_upload", args=[job.public_id]))
    assert STOPPED in admin_html.content.decode()
    assert 'http-equiv="refresh"' not in admin_html.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_heartbeat_stopped_does_not_block_a_new_one(settings, template, decks):
    job = stale(settings, template)
    client = editor_client()
    html = finished(client, page_upload(client, template, "en", decks.en_5))
    assert "Rendered 5 pages in" in html
    job.refresh_from_db()
    assert job.state == "failed" and job.error == STOPPED and job.finished_at
    assert Deck.objects.get(template=template).page_count == 5


def test_a_live_upload_blocks_another_of_the_same_deck_only(template, decks, admin_client):
    rendering_upload(template, "en", seconds_ago=1)
    response = page_upload(editor_client(), template, "en", decks.en_5)
    assert response.status_code == 400
    assert "A deck in this language is being rendered now" in response.content.decode()
    admin_response = upload(admin_client, template, "en", decks.en_5)
    assert "A deck in this language is being rendered now" in admin_response.content.decode()
    assert DeckUpload.objects.count() == 1
    # Another language's deck may be uploaded meanwhile.
    assert page_upload(editor_client("eda2"), template, "fr", decks.fr_3).redirect_chain


def test_the_heartbeat_moves_on_as_pages_render(template, decks):
    job = rendering_upload(template, seconds_ago=30)
    jobs._render_and_store(job.pk, decks.en_5)
    job.refresh_from_db()
    assert job.state == "done" and (job.pages_done, job.pages_total) == (5, 5)
    assert job.heartbeat_at > timezone.now() - timedelta(seconds=30)
    assert job.finished_at and job.result["pages"] == 5 and job.result["steps_added"] == 5


def test_an_upload_given_up_while_rendering_stores_nothing(template, decks, monkeypatch):
    """A job declared stale (its server seemed gone) and then done must not
    overwrite the deck a newer upload may be writing."""
    job = rendering_upload(template, seconds_ago=1)
    real_render = services.render_pdf

    def render_then_given_up(data, progress=None):
        rendered = real_render(data, progress=progress)
        DeckUpload.objects.filter(pk=job.pk).update(state="failed", error=STOPPED)
        return rendered

    monkeypatch.setattr(services, "render_pdf", render_then_given_up)
    jobs._render_and_store(job.pk, decks.en_5)
    job.refresh_from_db()
    assert job.state == "failed" and not Deck.objects.exists()
    assert not template.steps.filter(kind="slide").exists()


def test_a_failed_upload_says_why_and_keeps_the_template(template, decks):
    job = rendering_upload(template, seconds_ago=1)
    jobs._render_and_store(job.pk, decks.broken)
    job.refresh_from_db()
    assert job.state == "failed" and "damaged" in job.error
    assert not Deck.objects.exists() and not template.steps.filter(kind="slide").exists()


@pytest.mark.parametrize("job", ["not-a-uuid", "0b5e3f7c-1111-4222-8333-944455556666"])
def test_an_unknown_upload_says_so(template, job):
    url = reverse("slides:upload", kwargs={"slug": template.slug})
    html = editor_client().get(f"{url}?job={job}").content.decode()
    assert "This upload is not known here (any more)." in html and "hx-trigger" not in html


def test_another_templates_upload_is_not_shown_here(template):
    job = rendering_upload(TemplateFactory(), seconds_ago=1)
    html = progress_page(editor_client(), template, job)
    assert "This upload is not known here (any more)." in html


def test_a_write_that_meets_a_locked_table_is_tried_again(monkeypatch):
    from django.db import OperationalError

    from slides import jobs

    monkeypatch.setattr(jobs, "LOCKED_RETRY_SECONDS", 0)
    tries = []

    def write():
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("database table is locked: slides_deckupload")
        return 1

    assert jobs._while_locked(write) == 1 and len(tries) == 3


def test_another_database_error_is_not_tried_again():
    from django.db import OperationalError

    from slides import jobs

    tries = []

    def write():
        tries.append(1)
        raise OperationalError("no such table: slides_deckupload")

    with pytest.raises(OperationalError):
        jobs._while_locked(write)
    assert len(tries) == 1
