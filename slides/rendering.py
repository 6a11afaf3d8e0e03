"""Turn a PDF into slide images and text, in worker processes.

PDFium is not thread-safe, and a 60-page deck keeps a core busy for seconds:
this module is run in processes of its own (``render_deck``), never in a
server thread. It imports nothing of Django, so a spawned worker starts fast.

A PDF is only ever rendered: no form environment is set up, so PDFium runs
none of its JavaScript, and embedded files are never read.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

# Each image is at most this box, in pixels: the projector's is letterboxed
# into 1920x1080 whatever the page's aspect ratio.
SIZES: dict[str, tuple[int, int]] = {
    "projector": (1920, 1080),
    "phone": (800, 1200),
    "thumbnail": (320, 240),
}
WEBP_QUALITY = 82
# Pillow's WebP effort, 0 (fast) to 6: 4 took twice as long as 2 for a few
# per cent smaller files on slides, which are mostly flat colour and text.
WEBP_METHOD = 2
PDF_MAGIC = b"%PDF-"


class RenderError(Exception):
    """A deck that cannot be used, with a stable ``code`` and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __reduce__(self):
        # Raised in a worker process and pickled back to the caller.
        return (RenderError, (self.code, self.message))


@dataclass
class RenderedPage:
    number: int
    width_pt: float
    height_pt: float
    text: str
    # size name -> (webp bytes, width, height)
    images: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)

    def digest(self, size: str) -> str:
        return hashlib.sha256(self.images[size][0]).hexdigest()[:16]


@dataclass
class RenderedDeck:
    pages: list[RenderedPage]
    seconds: float


def check_header(data: bytes, max_bytes: int) -> None:
    """The checks that need no PDF library: size and the PDF signature."""
    if len(data) > max_bytes:
        raise RenderError(
            "too_large",
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.",
        )
    # The specification allows bytes before the header; 1 KiB is what readers accept.
    if PDF_MAGIC not in data[:1024]:
        raise RenderError("not_pdf", "This file is not a PDF. Export the deck to PDF first.")


# Pages a worker renders per task: small tasks keep both workers busy to
# the end when some pages (photos) take far longer than others.
PAGES_PER_TASK = 4
Progress = Callable[[int, int], None]


def render_deck(
    data: bytes,
    *,
    max_bytes: int,
    max_pages: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RenderedDeck:
    """Every page of ``data`` at every size, rendered by ``workers`` spawned
    processes. Raises RenderError, having written nothing anywhere, for a
    file that is not a PDF, is encrypted or broken, or is over a limit.
    ``progress(pages done, pages)`` is called as tasks come back."""
    started = time.perf_counter()
    check_header(data, max_bytes)
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf_file:
        pdf_file.write(data)
        pdf_file.flush()
        # spawn, not fork: the server process has threads and an event loop.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            count = pool.submit(inspect_pdf, pdf_file.name).result()
            if count > max_pages:
                raise RenderError(
                    "too_many_pages",
                    f"The deck has {count} pages; the limit is {max_pages}.",
                )
            if count == 0:
                raise RenderError("empty", "The PDF has no pages.")
            futures = [pool.submit(render_pages, pdf_file.name, c) for c in _chunks(count)]
            done = 0
            for future in as_completed(futures):
                done += len(future.result())
                if progress is not None:
                    progress(done, count)
            pages = [page for future in futures for page in future.result()]
    return RenderedDeck(pages=pages, seconds=time.perf_counter() - started)


def _chunks(count: int) -> list[list[int]]:
    """A few pages per task, handed to whichever worker is free."""
    return [list(range(i, min(i + PAGES_PER_TASK, count))) for i in range(0, count, PAGES_PER_TASK)]


def inspect_pdf(path: str) -> int:
    """The number of pages; RenderError for an encrypted or broken file."""
    with _open(path) as pdf:
        return len(pdf)


def render_pages(path: str, indexes: list[int]) -> list[RenderedPage]:
    with _open(path) as pdf:
        return [_render_page(pdf, i) for i in indexes]


class _open:
    """A PDF opened with PDFium, refused if it is encrypted in any way
    (even with an empty user password: an owner's restrictions are a sign
    the deck was not meant to be copied)."""

    def __init__(self, path: str) -> None:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        try:
            self.pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as error:
            if "password" in str(error).lower():
                raise RenderError(
                    "encrypted", "This PDF is protected by a password. Upload it unprotected."
                ) from None
            raise RenderError(
                "broken", "This PDF is damaged and cannot be read. Export it again."
            ) from None
        if raw.FPDF_GetSecurityHandlerRevision(self.pdf) != -1:
            self.pdf.close()
            raise RenderError(
                "encrypted", "This PDF is encrypted. Export or save it without protection."
            )

    def __enter__(self):
        return self.pdf

    def __exit__(self, *exc) -> None:
        self.pdf.close()


def _render_page(pdf, index: int) -> RenderedPage:
    page = pdf[index]
    try:
        width_pt, height_pt = page.get_size()
        box_w, box_h = SIZES["projector"]
        scale = min(box_w / width_pt, box_h / height_pt)
        # Forms are drawn from their appearance streams; none is run.
        image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
        text = _page_text(page)
    finally:
        page.close()
    rendered = RenderedPage(index + 1, width_pt, height_pt, text)
    for size, box in SIZES.items():
        rendered.images[size] = _webp(image, box)
    return rendered


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    # PDFium ends lines with \r\n and marks generated hyphens with \x02.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip().replace("\x00", "")


def _webp(image, box: tuple[int, int]) -> tuple[bytes, int, int]:
    from PIL import Image

    scale = min(box[0] / image.width, box[1] / image.height, 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    resized.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return out.getvalue(), size[0], size[1]
