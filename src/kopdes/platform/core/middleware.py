"""Request plumbing shared by every app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
