"""QR codes made on the server, so a venue with no internet still gets one."""

import segno


def qr_svg(url: str, *, css_class: str = "qr") -> str:
    """An inline SVG that scales with its container (no fixed width/height)."""
    qr = segno.make(url, error="m")
    return qr.svg_inline(
        scale=1, border=2, omitsize=True, svgclass=css_class, dark="#000", light="#fff"
    )
