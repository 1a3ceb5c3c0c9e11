"""What every page needs: the current koperasi, the user's roles, the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from kopdes.platform.web.navigation import navigation_for


def shell(request: HttpRequest) -> dict:
    koperasi = getattr(request, "koperasi", None)
    roles = getattr(request, "roles", frozenset())
    return {
        "koperasi": koperasi,
        "roles": roles,
        "nav_items": navigation_for(koperasi, roles) if koperasi is not None else [],
    }
