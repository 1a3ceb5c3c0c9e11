"""Language choice for pages: Bahasa Indonesia unless the person picked English.

Django's own ``LocaleMiddleware`` follows the browser's Accept-Language header, and many
officers' phones are set to English although they read Indonesian best. Pages therefore
follow only the language switch (its cookie); the JSON API keeps Django's negotiation, so
an integration can ask for English error messages with Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
