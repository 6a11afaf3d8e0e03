"""Scale-out with shared media: two daphne processes on one PostgreSQL and
one Redis, and one media folder (docs/deploy.md's shared volume). A deck
uploaded once is served by either process, to phones on either."""

from __future__ import annotations

import re

import pytest

from bench import clients

from ..live_server import FACILITATOR, LiveServer
from ..scale.test_two_processes import DATA, next_region, scale_out_env
from . import pdfs

UPLOAD = """
from pathlib import Path
from slides import services
from workshop.models import WorkshopTemplate
template = WorkshopTemplate.objects.get(slug="mini-workshop")
services.upload_deck(template, "en", Path({pdf!r}).read_bytes())
"""
IMAGE = re.compile(r'class="slide-image" src="([^"]+)"')


@pytest.fixture(scope="module")
def two_servers_one_media(tmp_path_factory):
    media = tmp_path_factory.mktemp("shared-media")
    first = LiveServer(
        tmp_path_factory.mktemp("media-a"), {**scale_out_env(), "MEDIA_ROOT": str(media)}
    )
    second = LiveServer(tmp_path_factory.mktemp("media-b"), {"MEDIA_ROOT": str(media)}, peer=first)
    try:
        first.prepare(str(DATA / "mini-pack.yaml"))
        pdf = first.workdir / "deck.pdf"
        pdf.write_bytes(pdfs.make_decks([("en", 2, "16:9")])[0])
        first.manage("shell", "-c", UPLOAD.format(pdf=str(pdf)))
        first.start()
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


async def test_either_process_serves_the_slides_the_other_shows(two_servers_one_media):
    a, b = two_servers_one_media
    facilitator = await clients.sign_in(a.url, *FACILITATOR)
    public_id, code = await clients.create_session(facilitator, "Mini workshop", groups=0)
    lea = await clients.join(b.url, code, "Léa")
    await lea.post_form(f"/p/{code}/language", {"language": "fr"}, page=f"/p/{code}/")
    phone_b = await lea.websocket(f"/ws/participant/{code}/")
    await next_region(phone_b, "stage", lambda html: True)

    slide = await _slide_step_id(facilitator, public_id)
    await clients.go(facilitator, public_id, to=slide)
    html = await next_region(phone_b, "stage", lambda html: "slide-image" in html)
    # No French deck: the English slide, marked as such on the French phone.
    assert "Slide 1" in html and "Cette diapositive est en anglais." in html
    url = IMAGE.search(html).group(1)
    served = [await clients.Browser(server.url).get(url) for server in (a, b)]
    assert [r.status for r in served] == [200, 200]
    assert served[0].body == served[1].body and served[0].body[:4] == b"RIFF"
    await phone_b.close()


async def _slide_step_id(facilitator, public_id: str) -> str:
    page = await facilitator.get(f"/facilitate/{public_id}/")
    # The agenda's buttons carry each step's id; slide steps show a thumbnail.
    found = re.search(
        r'value="(\d+)"[^>]*>\s*<span class="agenda-number">\d+</span>\s*<img', page.text
    )
    assert found, "no slide step in the agenda"
    return found.group(1)
