"""Slide images served in the event loop, before Django, with the media
view's headers; everything else is Django's."""

from __future__ import annotations

import pytest
from asgiref.testing import ApplicationCommunicator

from slides.asgi import MediaFiles


async def django_stand_in(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b"django"})


async def get(path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    scope = {"type": "http", "method": method, "path": path, "headers": []}
    communicator = ApplicationCommunicator(MediaFiles(django_stand_in), scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    body = await communicator.receive_output(5)
    await communicator.wait(5)
    return start["status"], dict(start["headers"]), body["body"]


@pytest.fixture
def image(media_root):
    path = media_root / "slides" / "t1" / "en" / "001-phone-0123456789abcdef.webp"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"RIFF-webp-bytes")
    (media_root / "decks").mkdir()
    (media_root / "decks" / "t1-en-0.pdf").write_bytes(b"%PDF-1.4 secret")
    return "/media/slides/t1/en/001-phone-0123456789abcdef.webp"


async def test_it_serves_a_slide_image_for_a_year(image):
    status, headers, body = await get(image)
    assert (status, body) == (200, b"RIFF-webp-bytes")
    assert headers[b"content-type"] == b"image/webp"
    assert headers[b"cache-control"] == b"public, max-age=31536000, immutable"
    assert headers[b"x-content-type-options"] == b"nosniff"


async def test_a_head_request_gets_the_headers_alone(image):
    status, headers, body = await get(image, "HEAD")
    assert (status, body, headers[b"content-length"]) == (200, b"", b"15")


@pytest.mark.parametrize(
    "path",
    [
        "/media/decks/t1-en-0.pdf",
        "/media/slides/../decks/t1-en-0.pdf",
        "/media/slides/t1/en/missing.webp",
        "/static/css/app.css",
    ],
)
async def test_anything_else_goes_to_django(image, path):
    assert (await get(path))[2] == b"django"
