"""Request plumbing shared by every app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

#: Paths whose every answer is about one koperasi or one person: never kept by a browser
#: or a proxy, whoever asks.
PRIVATE_PREFIXES = ("/k/", "/portal/", "/api/")


class ClientAddressMiddleware:
    """Put the caller's address on ``request.client_address`` for the audit log.

    Behind a proxy only the proxy's own ``X-Forwarded-For`` entry is trusted, and only
    when ``KOPDES_TRUST_PROXY`` is set; a laptop install reads ``REMOTE_ADDR``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        from django.conf import settings

        self.trust_proxy = getattr(settings, "TRUST_PROXY", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = request.META.get("REMOTE_ADDR", "")
        if self.trust_proxy:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded:
                address = forwarded.split(",")[-1].strip()
        request.client_address = address  # type: ignore[attr-defined]
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``private``) on every answer that is personal:
    every page and API answer under ``/k/``, ``/portal/`` and ``/api/``, and every answer to
    a logged-in user. A shared laptop's browser cache (or a proxy) must not keep a member's
    balance for the next person to read with the Back button."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES) or _logged_in(request):
            add_never_cache_headers(response)
        return response


def _logged_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
