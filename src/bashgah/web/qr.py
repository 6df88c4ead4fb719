"""QR codes drawn on the server as inline SVG (segno, pure Python): the page loads nothing from elsewhere
and needs no script, and the content security policy stays as strict as it is."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """``text`` as a square QR code, one SVG unit per module with the standard 4-module quiet zone, black
    on white whatever the page's colours (scanners want contrast); CSS decides its size."""
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, dark="#000", light="#fff"
    )
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))
