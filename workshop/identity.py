"""A participant's identity: a signed cookie per session holding their public id.

It survives a refresh, a sleeping phone and a server restart, because it is
checked against the database, not against anything held in memory.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE_SALT = "workshop.participant"
COOKIE_MAX_AGE = 14 * 24 * 3600


def cookie_name(code: str) -> str:
    return f"wp_{code}"


def _signer(code: str) -> signing.TimestampSigner:
    # Salted per session: a cookie of one session means nothing in another.
    return signing.TimestampSigner(salt=f"{COOKIE_SALT}:{code}")


def set_participant_cookie(response: HttpResponse, code: str, public_id: UUID) -> None:
    response.set_cookie(
        cookie_name(code),
        _signer(code).sign(str(public_id)),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def participant_id_from_cookies(cookies: dict[str, str], code: str) -> UUID | None:
    """The public id in this session's cookie, or None if absent or tampered."""
    name = cookie_name(code)
    value = cookies.get(name)
    if not value:
        return None
    try:
        raw = _signer(code).unsign(value, max_age=COOKIE_MAX_AGE)
        return UUID(raw)
    except (signing.BadSignature, ValueError):
        return None


def participant_id_from_request(request: HttpRequest, code: str) -> UUID | None:
    return participant_id_from_cookies(request.COOKIES, code)
