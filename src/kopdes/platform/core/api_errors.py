"""Every API error is a small JSON object ``{"code", "message", "field"}`` with a 4xx status."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError

from kopdes.platform.core.errors import DomainError


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(
            request,
            {"code": exc.code, "message": exc.message, "field": exc.field},
            status=exc.status,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, {"code": "not_found", "message": "Tidak ditemukan.", "field": None}, status=404
        )

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        loc = first.get("loc", [])
        return api.create_response(
            request,
            {
                "code": "invalid",
                "message": "Data tidak valid: " + str(first.get("msg", "")),
                "field": str(loc[-1]) if loc else None,
                "errors": exc.errors,
            },
            status=422,
        )
