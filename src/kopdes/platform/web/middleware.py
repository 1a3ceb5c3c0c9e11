"""Language choice for pages: Bahasa Indonesia unless the person picked English.

Django's own ``LocaleMiddleware`` follows the browser's Accept-Language header, and many
officers' phones are set to English although they read Indonesian best. Pages therefore
follow only the language switch (its cookie); the JSON API keeps Django's negotiation, so
an integration can ask for English error messages with Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestTooLargeMiddleware:
    """413 for a request body above ``DATA_UPLOAD_MAX_MEMORY_SIZE``, in one place.

    Django raises ``RequestDataTooBig`` lazily, wherever the body is first read (the CSRF
    check, a form, django-ninja's parser), and answers 400 (500 with a traceback under
    ``DEBUG``). Reading it here first, before any view, answers 413 instead: a small JSON
    object like the API's other errors under ``/api/``, a page elsewhere. Files in a
    multipart upload are streamed to disk by Django and do not count; its other fields do.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                # The API takes no file upload and django-ninja reads the raw body, which
                # parsing the fields here would consume: the API's body is read whole.
                if request.content_type == "multipart/form-data" and not request.path.startswith(
                    "/api/"
                ):
                    request.POST  # noqa: B018 - parses the fields (files go to disk)
                else:
                    request.body  # noqa: B018 - read (and kept) once
            except RequestDataTooBig:
                return request_too_large(request)
        return self.get_response(request)


def request_too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    message = _("What was sent is too large (more than %(size)s MB). Nothing was saved.") % {
        "size": f"{limit / 1_048_576:.1f}".replace(".", ",")
    }
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "too_large", "message": message, "field": None},
            status=413,
        )
    # Rendered without the request's context processors, like the 500 page: the request
    # was stopped before the session and the user were read.
    body = loader.get_template("web/errors/413.html").render(
        {"plain_error_page": True, "message": message}
    )
    return HttpResponse(body, status=413)
