"""Decks made once per test run by Chromium (tests.slides.pdfs), and a
media folder of each test's own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from ..factories import UserFactory
from . import pdfs


@dataclass(frozen=True)
class Decks:
    en_5: bytes  # 16:9
    fr_3: bytes  # 4:3
    nl_5: bytes  # 16:9
    en_6: bytes  # 16:9: a new version with one more page
    en_3: bytes  # 16:9: a new version with two pages fewer
    encrypted: bytes
    owner_locked: bytes  # encrypted with an empty user password: opens, but refused
    broken: bytes


@pytest.fixture(scope="session")
def decks() -> Decks:
    en_5, fr_3, nl_5, en_6, en_3 = pdfs.make_decks(
        [
            ("en", 5, "16:9"),
            ("fr", 3, "4:3"),
            ("nl", 5, "16:9"),
            ("en", 6, "16:9"),
            ("en", 3, "16:9"),
        ]
    )
    return Decks(
        en_5=en_5,
        fr_3=fr_3,
        nl_5=nl_5,
        en_6=en_6,
        en_3=en_3,
        encrypted=pdfs.encrypted(fr_3),
        owner_locked=pdfs.encrypted(fr_3, user_password=""),
        broken=pdfs.broken(en_5),
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # One worker: the tests' decks are small, and the machine is shared.
    settings.SLIDES_RENDER_WORKERS = 1
    return settings.MEDIA_ROOT


def stored_files(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def admin_client(db):
    """A superuser's client (pytest-django has one too; this one is ada)."""
    client = Client()
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    return client
