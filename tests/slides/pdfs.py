"""PDFs made for the tests, by Chromium's page.pdf() from HTML: nothing is
downloaded. A deck's pages carry their language's words, so a test can tell
which deck a phone shows."""

from __future__ import annotations

import html
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.live_server import CHROMIUM, CHROMIUM_ARGS, ROOT

WORDS = {"en": "Slide", "fr": "Diapositive", "nl": "Dia"}
# Page boxes: 16:9 as presentation software exports it, and 4:3.
FORMATS = {"16:9": ("10in", "5.625in"), "4:3": ("10in", "7.5in")}
COLOURS = ["#0b3d91", "#8a1c2b", "#1d6b3a", "#6b4b1d", "#3d1d6b", "#1d5c6b"]


def slide_text(language: str, number: int) -> str:
    return f"{WORDS[language]} {number}"


def deck_html(language: str, pages: int, aspect: str = "16:9") -> str:
    width, height = FORMATS[aspect]
    sections = "".join(
        f'<section style="background:{COLOURS[n % len(COLOURS)]}">'
        f"<h1>{html.escape(slide_text(language, n))}</h1>"
        f"<p>{html.escape(body_text(language, n))}</p></section>"
        for n in range(1, pages + 1)
    )
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><style>'
        f"@page {{ size: {width} {height}; margin: 0 }}"
        f"html, body {{ margin: 0 }}"
        f"section {{ width: {width}; height: {height}; color: white; box-sizing: border-box;"
        f" padding: 0.6in; font-family: sans-serif; page-break-after: always; overflow: hidden }}"
        f"h1 {{ font-size: 48pt; margin: 0 0 0.3in }} p {{ font-size: 24pt }}"
        f"</style></head><body>{sections}</body></html>"
    )


def body_text(language: str, number: int) -> str:
    lines = {
        "en": "Migration drives sustainable development",
        "fr": "La migration est un moteur du développement durable",
        "nl": "Migratie stuwt duurzame ontwikkeling",
    }
    return f"{lines[language]} ({number})"


def make_decks(specs: list[tuple[str, int, str]]) -> list[bytes]:
    """One PDF per (language, pages, aspect), made in one browser.

    In a process of its own: Playwright's sync API marks an event loop as
    running in its thread, which the async tests and the browser tests'
    own Playwright would trip on."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "tests.slides.pdfs", folder, json.dumps(specs)],
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        return [(Path(folder) / f"{i}.pdf").read_bytes() for i in range(len(specs))]


def _write_decks(folder: str, specs: list[tuple[str, int, str]]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for i, (language, pages, aspect) in enumerate(specs):
                page.set_content(deck_html(language, pages, aspect))
                pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                (Path(folder) / f"{i}.pdf").write_bytes(pdf)
        finally:
            browser.close()


def encrypted(pdf: bytes, user_password: str = "secret") -> bytes:  # noqa: S107
    """The same deck, encrypted with pypdf (a dev dependency only)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken(pdf: bytes) -> bytes:
    """A PDF cut in the middle: its header is right, the rest is not."""
    return pdf[: len(pdf) // 3]


if __name__ == "__main__":
    _write_decks(sys.argv[1], [tuple(spec) for spec in json.loads(sys.argv[2])])


def with_script_and_attachment(pdf: bytes) -> bytes:
    """The same deck with document JavaScript that would open an alert and
    an embedded file: a PDF that a viewer might run, to be rendered only."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_open_action(JavaScript("app.alert('ran');"))
    writer.add_attachment("payload.sh", b"#!/bin/sh\necho ran\n")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
