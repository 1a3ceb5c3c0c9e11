"""How a page under ``/k/<slug>/`` finds its koperasi and checks the caller.

The koperasi comes from the URL and must match one of the user's roles, else 404: the same
answer for "no such koperasi" and "not yours", so nobody can probe for other tenants.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from ninja.errors import HttpError

from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.identity.selectors import (
    needs_two_factor,
    oversees_regions,
    own_koperasi,
    roles_for,
)
from kopdes.platform.tenancy.models import Koperasi


def access_koperasi(user, slug: str) -> tuple[Koperasi, frozenset]:
    """Return the koperasi and the user's roles in it, or raise Http404.

    One query in the common path: the user's role assignments with their koperasi
    (``identity.selectors.own_koperasi``; the request's one read of them, shared with the
    TOTP check, the service's ``require_perm`` and the audit label). Only a user overseeing
    koperasi across a region (pendamping, dinas, kementerian, admin) without a role of her
    own in this one has it read by slug, then her oversight checked against its region.
    """
    koperasi = own_koperasi(user, slug)
    if koperasi is None and oversees_regions(user):
        koperasi = Koperasi.objects.filter(slug=slug).first()
    return koperasi, _roles_in(user, koperasi)


# The API's answer to a caller without the permission (JSON ``{"detail": ...}``, 403).
API_REFUSED = "Anda tidak berwenang melakukan ini di koperasi ini."


def api_koperasi(
    request: HttpRequest, slug: str, permission: str, *, refused: str = API_REFUSED
) -> Koperasi:
    """The API's tenant check, after the bearer token (``request.auth``): the koperasi of
    ``slug`` if the caller holds ``permission`` there; 404 for no such koperasi and for
    one where she holds no role (the same answer), 403 with ``refused`` otherwise."""
    koperasi, roles = access_koperasi(request.auth, slug)
    if not has_perm(roles, permission):
        raise HttpError(403, refused)
    return koperasi


def _roles_in(user, koperasi: Koperasi | None) -> frozenset:
    """The user's roles in ``koperasi``; 404 for no koperasi or no role (the same answer).
    The roles come from the user's assignments, read once per request (``rolecache``)."""
    roles = roles_for(user, koperasi) if koperasi is not None else frozenset()
    if not roles:
        raise Http404
    return roles


def two_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Officers who have not passed TOTP in this session are sent to do so first."""
    user = request.user
    if needs_two_factor(user) and not user.is_verified():  # type: ignore[union-attr]
        return redirect(
            f"{reverse('identity:two-factor')}?{urlencode({'next': request.get_full_path()})}"
        )
    return None


def koperasi_view(permission: str | None = None) -> Callable:
    """Decorate a view taking ``slug``: login, TOTP for officers, tenant match, permission.

    Sets ``request.koperasi`` and ``request.roles`` and calls the view without ``slug``.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                login = reverse("identity:login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            # TOTP first, then the tenant: an officer without TOTP never learns whether
            # the koperasi exists. Both read the same memoised assignments, which bring
            # the koperasi of her own roles with them (``rolecache``): one query.
            if (response := two_factor_redirect(request)) is not None:
                return response
            koperasi, roles = access_koperasi(request.user, slug)
            if permission and not has_perm(roles, permission):
                raise PermissionDenied
            request.koperasi = koperasi  # type: ignore[attr-defined]
            request.roles = roles  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.koperasi_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
