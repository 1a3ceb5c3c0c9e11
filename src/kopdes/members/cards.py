"""The member card: a credit-card-size PDF (85.6 x 54 mm) with a signed QR code."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string

from kopdes.domain.text import printable
from kopdes.members.services import member_card_payload


def card_qr_svg(member) -> str:
    """Inline SVG of the QR code carrying the signed card payload."""
    qr = segno.make(member_card_payload(member), error="m")
    return qr.svg_inline(scale=3, border=2)


def card_pdf(member) -> bytes:
    from weasyprint import HTML

    # A name stored before control characters were refused still prints (U+FFFD).
    html = printable(
        render_to_string(
            "members/card_pdf.html",
            {"member": member, "koperasi": member.koperasi, "qr_svg": card_qr_svg(member)},
        )
    )

    def refuse(url, *args, **kwargs):  # nothing is fetched: the QR code is inline
        raise ValueError("no external resources")

    return HTML(string=html, url_fetcher=refuse).write_pdf()
