"""Reads about users and their roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.domain.regions import is_within
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.identity import rolecache
from kopdes.platform.identity.choices import OFFICER_ROLES, Role
from kopdes.platform.identity.models import Invitation, RoleAssignment, User
from kopdes.platform.identity.permissions import has_perm

if TYPE_CHECKING:
    # identity sits below tenancy (import-linter): the koperasi is a type here, and a model
    # reached through identity's own foreign key at run time (``_koperasi_model``).
    from kopdes.platform.tenancy.models import Koperasi


def active_assignments(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)


def _assignments(user: User) -> list[RoleAssignment]:
    """The user's active role assignments, each with its koperasi (``None`` for a role
    across koperasi); one query, memoised per request (``rolecache``)."""
    return rolecache.lookup(user.pk, lambda: _load_assignments(user.pk))


def _load_assignments(user_pk) -> list[RoleAssignment]:
    # The koperasi comes in the same query (a LEFT JOIN), so the tenant check finds the
    # koperasi of the URL among the caller's roles without reading it again (``own_koperasi``).
    return list(
        RoleAssignment.objects.filter(user_id=user_pk, revoked_at__isnull=True).select_related(
            "koperasi"
        )
    )


def _role_rows(user: User) -> list[tuple[str, Any, str]]:
    """``(role, koperasi_id, region_prefix)`` of the user's active assignments. In a request
    from the memo (its one query brought the koperasi for the tenant check); outside one (a
    job, an import, a service called directly) only these three columns: nothing there
    needs the koperasi, and building a Koperasi per call would cost more than the check."""
    if rolecache.is_open():
        return [(ra.role, ra.koperasi_id, ra.region_prefix) for ra in _assignments(user)]
    return list(
        RoleAssignment.objects.filter(user_id=user.pk, revoked_at__isnull=True).values_list(
            "role", "koperasi_id", "region_prefix"
        )
    )


def roles_for(user: User, koperasi: Koperasi) -> frozenset[Role]:
    """The roles ``user`` holds in ``koperasi``, own or through oversight of its region."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    roles: set[Role] = set()
    for code, koperasi_id, region_prefix in _role_rows(user):
        role = Role(code)
        if koperasi_id is not None:
            if koperasi_id == koperasi.id:
                roles.add(role)
        elif role in (Role.ADMIN, Role.KEMENTERIAN) or (
            region_prefix and is_within(koperasi.region_code, region_prefix)
        ):
            roles.add(role)
    return frozenset(roles)


def own_koperasi(user: User, slug: str) -> Koperasi | None:
    """The koperasi ``slug`` if ``user`` holds a role of her own in it, else ``None``.

    It comes with her role assignments (the request's one query for them), so a page or an
    API call under ``/k/<slug>/`` reads the koperasi and her roles together. Oversight of a
    region is not looked at here: ``tenancy.access`` reads such a koperasi by its slug.
    """
    if not user.is_authenticated:
        return None
    for ra in _assignments(user):
        if ra.koperasi is not None and ra.koperasi.slug == slug:
            return ra.koperasi
    return None


def require_perm(actor, koperasi: Koperasi, code: str) -> frozenset[Role]:
    """The actor's roles in ``koperasi``; ``PermissionDeniedError`` unless one grants ``code``.

    Every service checks its own permission with this (the page's check serves the page;
    this one is the rule, whoever calls). ``actor=None`` (a system job) holds no role.
    """
    roles = roles_for(actor, koperasi) if actor is not None else frozenset()
    if not has_perm(roles, code):
        raise PermissionDeniedError(_("You are not allowed to do this in this koperasi."))
    return roles


def _koperasi_model() -> type[Koperasi]:
    """``tenancy.Koperasi``, as ``RoleAssignment.koperasi`` names it (by its label, so that
    identity does not import tenancy, which sits above it)."""
    return RoleAssignment._meta.get_field("koperasi").related_model  # type: ignore[return-value]


def koperasi_for(user: User) -> QuerySet[Koperasi]:
    """Every koperasi the user may open, for the koperasi picker."""
    Koperasi = _koperasi_model()
    if not user.is_authenticated or not user.is_active:
        return Koperasi.objects.none()
    assignments = list(active_assignments(user).only("role", "koperasi_id", "region_prefix"))
    if any(ra.role in (Role.ADMIN, Role.KEMENTERIAN) for ra in assignments):
        return Koperasi.objects.all()
    ids = {ra.koperasi_id for ra in assignments if ra.koperasi_id}
    prefixes = [
        ra.region_prefix for ra in assignments if ra.koperasi_id is None and ra.region_prefix
    ]
    qs = Koperasi.objects.filter(id__in=ids)
    for prefix in prefixes:
        qs = (
            qs
            | Koperasi.objects.filter(region_code__startswith=prefix + ".")
            | Koperasi.objects.filter(region_code=prefix)
        )
    return qs.distinct()


def oversees_regions(user: User) -> bool:
    """Whether ``user`` holds a role across koperasi (pendamping, dinas, kementerian, admin):
    such a user chooses a koperasi from the list of their region, never lands in one."""
    if not user.is_authenticated:
        return False
    return any(ra.koperasi_id is None for ra in _assignments(user))


def oversight_scopes(user: User) -> list[tuple[Role, str]]:
    """(role, region prefix) of the user's roles across koperasi; "" means all of Indonesia
    (kementerian, admin), as ``koperasi_for`` reads them."""
    if not user.is_authenticated:
        return []
    scopes = []
    for ra in _assignments(user):
        if ra.koperasi_id is None:
            role = Role(ra.role)
            everywhere = role in (Role.ADMIN, Role.KEMENTERIAN)
            if everywhere or ra.region_prefix:  # a regional role without a prefix sees nothing
                scopes.append((role, "" if everywhere else ra.region_prefix))
    return sorted(set(scopes), key=lambda scope: (scope[1], scope[0].value))


def may_switch_koperasi(user: User) -> bool:
    """Whether a "switch koperasi" link leads anywhere: roles in more than one koperasi, or
    oversight of a region. Uses the request's memoised assignments (no extra query)."""
    if not user.is_authenticated:
        return False
    assignments = _assignments(user)
    if any(ra.koperasi_id is None for ra in assignments):
        return True
    return len({ra.koperasi_id for ra in assignments}) > 1


def needs_two_factor(user: User) -> bool:
    """Officer roles (anything but a plain member) must log in with TOTP."""
    if not user.is_authenticated:
        return False
    officer = {r.value for r in OFFICER_ROLES}
    return any(ra.role in officer for ra in _assignments(user))


def list_officers(koperasi: Koperasi) -> QuerySet[RoleAssignment]:
    """Active officer roles (everything but a plain member) of ``koperasi``, by rank then name."""
    return (
        RoleAssignment.objects.filter(
            koperasi=koperasi,
            revoked_at__isnull=True,
            role__in=[r.value for r in OFFICER_ROLES],
        )
        .select_related("user")
        .order_by("user__full_name", "user__username", "role")
    )


def list_open_invitations(koperasi: Koperasi) -> QuerySet[Invitation]:
    """Invitations of ``koperasi`` not yet accepted and not expired."""
    return Invitation.objects.filter(
        koperasi=koperasi, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp_device(user: User) -> TOTPDevice | None:
    """The unconfirmed device of a setup in progress, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
