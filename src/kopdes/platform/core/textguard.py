"""Refuse a posted page form whose text holds a control character, before any view runs.

Every ``forms.Form`` of kopdes inherits ``core.forms.KopdesForm`` and every API request body
``core.schemas.InputSchema``; a few pages still read ``request.POST`` by hand (a reason, a
loan's purpose). This middleware is the net under all of them: a POST whose fields (names
or values) hold a character ``domain.text`` refuses even in a
multi-line field (a NUL, an escape, a bidi override, ...) answers 400 with a page that
names the character and the field, and no view, so nothing is written. Line breaks and tabs
pass here (a textarea may hold them); a single-line form field refuses them itself.
The API (``/api/``) reads JSON bodies, checked by ``InputSchema``. Uploaded file names need
no check: Django's multipart parser already drops their unprintable characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader

from kopdes.domain.text import TextError, first_refused
from kopdes.platform.core.forms import refused_message


def _posted_texts(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for name, values in request.POST.lists():
        yield name, name
        for value in values:
            yield name, value


def refused_field(request: HttpRequest) -> tuple[str, TextError] | None:
    """The first posted field holding a refused character, and the error, or None."""
    for name, text in _posted_texts(request):
        found = first_refused(text, multiline=True)
        if found is not None:
            return name, TextError(found)
    return None


class TextGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not request.path.startswith("/api/"):
            try:
                refused = refused_field(request)
            except (SuspiciousOperation, MultiPartParserError, OSError):
                refused = None  # too large or unreadable: Django's own handling answers
            if refused is not None:
                return text_refused(*refused)
        return self.get_response(request)


def text_refused(field: str, error: TextError) -> HttpResponse:
    # Shown without the request's context processors, like the 413 and 500 pages.
    safe_field = "".join(c for c in field if first_refused(c) is None)[:80]
    body = loader.get_template("core/text_refused.html").render(
        {"plain_error_page": True, "message": refused_message(error), "field": safe_field}
    )
    return HttpResponse(body, status=400)
