"""A streaming response, for the tests of the HTTP handler
(tests/scale/test_join_storm.py): the app's own are static files and
slide images, which need files on disk."""

from django.http import StreamingHttpResponse
from django.urls import path


async def _parts():
    for part in (b"one,", b"two,", b"three"):
        yield part


def _stream(request):
    return StreamingHttpResponse(_parts())


urlpatterns = [path("stream/", _stream)]
