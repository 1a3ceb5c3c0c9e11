"""Render a Django template to PDF with WeasyPrint (A4, koperasi header, page numbers).

The template (in any app) should extend ``documents/base_pdf.html`` and fill
``{% block content %}``.
WeasyPrint never fetches anything from the network: the stylesheet is read from disk and
``url_fetcher`` refuses every other URL, so a memo containing ``<img src=http://...>``
(escaped anyway by the template engine) cannot make the server call out.
Characters no document should hold (a NUL or another control character, a lone surrogate;
``domain.text``) are shown as U+FFFD in the rendered HTML, so a row stored before such text
was refused still prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries

from kopdes.domain.text import printable

STYLESHEET = Path(__file__).with_name("report.css")
# Not an app, so the project's template loader does not see our folder: a small engine
# that looks here first and then in every app's templates/ (so app templates can extend
# ``documents/base_pdf.html``).
_ENGINE = Engine(
    dirs=[str(Path(__file__).with_name("templates"))],
    app_dirs=True,
    libraries=get_installed_libraries(),
)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"external resource refused in PDF: {url[:80]}")


def render_pdf(template_name: str, context: dict[str, Any], request: Any = None) -> bytes:
    """The PDF bytes of ``template_name`` rendered with ``context``."""
    from weasyprint import CSS, HTML  # imported late: loading pango takes a moment

    html = printable(_ENGINE.get_template(template_name).render(Context(context)))
    document = HTML(string=html, base_url=str(STYLESHEET.parent), url_fetcher=_no_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def pdf_response(
    template_name: str, context: dict[str, Any], filename: str, request: Any = None
) -> HttpResponse:
    """An HTTP download of the rendered PDF."""
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response


def safe_filename(name: str) -> str:
    """Letters, digits, dot, dash and underscore only (a header value must stay plain)."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "-" for c in name)
    return cleaned.strip("-") or "dokumen"
