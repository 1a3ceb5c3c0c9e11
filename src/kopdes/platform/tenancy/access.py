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

from kopdes.platform.core import ahead
from kopdes.platform.core.rows import execute_groups, first_from_rows, select_statement
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.identity.selectors import (
    assignments_of,
    assignments_statement,
    needs_two_factor,
    roles_for,
    take_assignments,
)
from kopdes.platform.tenancy.models import Koperasi


def access_koperasi(user, slug: str) -> tuple[Koperasi, frozenset]:
    """Return the koperasi and the user's roles in it, or raise Http404."""
    koperasi = _read_koperasi(user, slug)
    return koperasi, _roles_in(user, koperasi)


def _roles_in(user, koperasi: Koperasi | None) -> frozenset:
    """The user's roles in ``koperasi``; 404 for no koperasi or no role (the same answer)."""
    roles = roles_for(user, koperasi) if koperasi is not None else frozenset()
    if not roles:
        raise Http404
    return roles


def _read_koperasi(user, slug: str) -> Koperasi | None:
    # Every page and API call under /k/<slug>/ starts here: the koperasi and the user's
    # role assignments in one round trip, without the ORM's query compilation (unless the
    # request's first round trip read them with the session's user or the token:
    # ``take_first``).
    read = getattr(user, "_kopdes_koperasi", None)
    if read is not None and read[0] == slug:
        return read[1]
    roles = assignments_statement(user)
    (koperasi_rows,), role_rows = execute_groups([[select_statement(Koperasi, slug=slug)], [roles]])
    if roles is not None:
        take_assignments(user, role_rows[0])
    return first_from_rows(Koperasi, koperasi_rows)


def slug_of(request: HttpRequest) -> str:
    """The ``<slug>`` of the URL being served, "" outside ``/k/<slug>/``."""
    match = getattr(request, "resolver_match", None)
    return match.kwargs.get("slug", "") if match is not None else ""


# The koperasi's id by its slug, as an SQL expression with one parameter: for a row read
# ahead by the URL's slug before the koperasi itself is known (``reads_ahead``).
KOPERASI_OF_SLUG = f"(SELECT id FROM {Koperasi._meta.db_table} WHERE slug = %s)"  # noqa: S608 (model's table)

Statement = tuple[str, list[Any]]
# What a reader returns: the key its selector takes the rows by, and the statements.
AheadRead = tuple[tuple, list[Statement]]

# view name -> reader(slug, the URL's kwargs) -> AheadRead or None: see ``reads_ahead``.
_READERS: dict[str, Callable[[str, dict], AheadRead | None]] = {}


def reads_ahead(*view_names: str):
    """Register ``reader(slug, url_kwargs)`` for the pages or API routes ``view_names``
    ("savings:deposit", "api:savings-deposit"): it returns (key, statements) for the rows
    the URL names, scoped to the koperasi of ``slug``, or None when the URL names nothing
    readable. They are sent in the request's first round trip, with the caller's user
    (or token) and roles (``first_statements``), and kept under ``key`` for the view's
    selector, which takes them with ``core.ahead.take(key)``. The view makes the tenant
    check before it calls the selector, and the selector checks each row's koperasi."""

    def register(reader):
        for name in view_names:
            _READERS[name] = reader
        return reader

    return register


def _ahead_reads(request: HttpRequest, slug: str) -> list[AheadRead]:
    """The reads registered for the view the request's URL resolved to (none or one),
    built once per request."""
    reads = getattr(request, "_kopdes_ahead_reads", None)
    if reads is None:
        match = getattr(request, "resolver_match", None)
        reader = _READERS.get(match.view_name) if match is not None else None
        read = reader(slug, match.kwargs) if reader is not None else None
        reads = request._kopdes_ahead_reads = [read] if read is not None else []  # type: ignore[attr-defined]
    return reads


def first_statements(request: HttpRequest, user_id: tuple[str, list]) -> list[Statement]:
    """What a request under ``/k/<slug>/`` reads in its first round trip, with the
    caller's user (the page middleware) or token (the API), before the user is known
    (``user_id``: her id as an SQL expression): what ``access_koperasi`` reads, and the
    rows its view registered with ``reads_ahead``. Their rows go to ``take_first``."""
    slug = slug_of(request)
    if not slug:
        return []
    reads = [s for _key, statements in _ahead_reads(request, slug) for s in statements]
    return [select_statement(Koperasi, slug=slug), assignments_of(user_id), *reads]


def take_first(request: HttpRequest, user, rows: list[list[tuple]]) -> None:
    """Keep the rows of ``first_statements`` for the rest of the request: the roles in the
    request's memo, the koperasi on the user object (made for this request, as Django
    keeps its permission cache there), the rows read ahead in ``core.ahead``."""
    slug = slug_of(request)
    koperasi_rows, role_rows, *rest = rows
    take_assignments(user, role_rows)
    user._kopdes_koperasi = (slug, first_from_rows(Koperasi, koperasi_rows))
    for key, statements in _ahead_reads(request, slug):
        ahead.store(key, rest[: len(statements)])
        rest = rest[len(statements) :]


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
            # Read first (the koperasi and the roles in one round trip; the TOTP check
            # below uses the same roles), decide in the usual order: TOTP, then tenant.
            koperasi = _read_koperasi(request.user, slug)
            if (response := two_factor_redirect(request)) is not None:
                return response
            roles = _roles_in(request.user, koperasi)
            if permission and not has_perm(roles, permission):
                raise PermissionDenied
            request.koperasi = koperasi  # type: ignore[attr-defined]
            request.roles = roles  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.koperasi_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
