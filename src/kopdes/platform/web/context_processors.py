"""What every page needs: the current koperasi, the user's roles, the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from kopdes.platform.identity.selectors import may_switch_koperasi, oversees_regions
from kopdes.platform.web.navigation import navigation_for


def shell(request: HttpRequest) -> dict:
    koperasi = getattr(request, "koperasi", None)
    roles = getattr(request, "roles", frozenset())
    user = getattr(request, "user", None)
    in_koperasi = koperasi is not None and user is not None
    return {
        "koperasi": koperasi,
        "roles": roles,
        "nav_items": navigation_for(koperasi, roles, user) if koperasi is not None else [],
        # Only inside a koperasi page (the assignments are already read for its roles).
        "may_switch_koperasi": in_koperasi and may_switch_koperasi(user),
        "oversight": in_koperasi and oversees_regions(user),
    }
