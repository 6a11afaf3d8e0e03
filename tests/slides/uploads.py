"""Uploading decks as the tests' users do: in the admin and on the
run-of-show side, and following an upload's progress until it ends."""

from __future__ import annotations

import re
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ..factories import UserFactory


def upload(client, template, language, data, name="deck.pdf"):
    return client.post(
        reverse("admin:slides_deck_add"),
        {"template": template.pk, "language": language, "pdf": SimpleUploadedFile(name, data)},
        follow=True,
    )


def until_refreshes_stop(client, response) -> str:
    """Load the admin's progress page again, as its <meta refresh> does,
    until the upload ends."""
    assert response.redirect_chain, response.content.decode()[:500]
    url = response.redirect_chain[-1][0]
    assert "/admin/slides/deck/upload/" in url
    html = response.content.decode()
    deadline = time.monotonic() + 60
    while 'http-equiv="refresh"' in html:
        assert time.monotonic() < deadline, "the upload did not end within 60 s"
        time.sleep(0.1)
        html = client.get(url).content.decode()
    return html


def editor_client(username="eda") -> Client:
    from django.contrib.auth.models import Permission

    editor = UserFactory(username=username, is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_workshoptemplate"))
    client = Client()
    client.force_login(editor)
    return client


def page_upload(client, template, language, data):
    return client.post(
        reverse("slides:upload", kwargs={"slug": template.slug}),
        {"language": language, "pdf": SimpleUploadedFile("deck.pdf", data)},
        follow=True,
    )


def finished(client, response) -> str:
    """Follow an upload's progress until it ends (the page polls it so)."""
    assert response.redirect_chain, response.content.decode()[:500]
    page = response.content.decode()
    job = re.search(r"/slides/jobs/([0-9a-f-]{36})", page).group(1)
    url = re.search(r'hx-get="([^"]+)"', page).group(1)
    assert url.endswith(job)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        html = client.get(url).content.decode()
        if "hx-trigger" not in html:
            return html
        time.sleep(0.1)
    raise AssertionError("the upload did not end within 60 s")
