"""The media the app serves itself: rendered slides and step images.

Only those: the uploaded PDFs (``decks/``) and anything else in the storage
are refused, whatever the path says.
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

# A folder we serve, safe path segments, an image extension: no "..", no PDF.
SERVED = re.compile(r"(?:slides|images)/(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+\.(webp|png|jpe?g|gif)")
CONTENT_TYPES = {
    "webp": "image/webp",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}
# Every served name carries a hash of its bytes: it never changes content.
CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    match = SERVED.fullmatch(path)
    if match is None:
        raise Http404("not a served file")
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("no such file") from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[match.group(1)])
    response["Cache-Control"] = CACHE_CONTROL
    return response
