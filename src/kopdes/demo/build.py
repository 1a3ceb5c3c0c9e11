"""Building the demo through the real services (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.demo.data import CROSS_OFFICERS, KOPERASI, DemoKoperasi
from kopdes.platform.identity import services as identity
from kopdes.platform.identity.choices import KOPERASI_ROLES, OFFICER_ROLES, Role
from kopdes.platform.identity.models import RoleAssignment, User
from kopdes.platform.tenancy.models import Koperasi
from kopdes.platform.tenancy.services import create_koperasi

logger = logging.getLogger(__name__)

# The first day of the demo koperasi's books: before every dated row the demo makes.
DEMO_BOOKS_START = dt.date(2024, 1, 1)

# One password for every demo account, printed by ``kopdes demo``. Never used outside it.
DEMO_PASSWORD = "Koperasi-Demo-2026"  # noqa: S105 (a published demo password)

# The order officers are listed in, the way a koperasi's board is usually written down.
ROLE_ORDER = (
    Role.KETUA,
    Role.SEKRETARIS,
    Role.BENDAHARA,
    Role.PENGAWAS,
    Role.MANAJER,
    Role.KASIR,
    Role.PETUGAS_PINJAMAN,
    Role.ANGGOTA,
)
assert set(ROLE_ORDER) == set(KOPERASI_ROLES)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    full_name: str
    koperasi_slug: str = ""  # empty for roles across koperasi
    region_prefix: str = ""
    two_factor: bool = True

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class DemoResult:
    seed: int
    koperasi: list[Koperasi] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # slugs made by this run

    @property
    def treasurer(self) -> DemoLogin:
        """The login the README and ``kopdes demo`` point a visitor to first."""
        return next(x for x in self.logins if x.username == demo_username("sukamaju", "bendahara"))


def demo_username(slug: str, role: Role | str) -> str:
    """``bendahara.sukamaju``: role and koperasi, easy to guess in a demo."""
    return f"{Role(role).value}.{slug}"


def demo_officer(koperasi: Koperasi, role: Role | str) -> User:
    """The demo user holding ``role`` in ``koperasi`` (for extensions that need an actor)."""
    return User.objects.get(username=demo_username(koperasi.slug, role))


def officer_names(seed: int, spec: DemoKoperasi) -> dict[Role, str]:
    """Distinct, local full names for each role of one koperasi; same seed, same names."""
    rng = random.Random(f"{seed}:{spec.slug}:officers")
    pairs = [(g, f) for g in spec.given_names for f in spec.family_names]
    chosen = rng.sample(pairs, len(ROLE_ORDER))
    return {
        role: f"{given} {family}" for role, (given, family) in zip(ROLE_ORDER, chosen, strict=True)
    }


def _confirm_totp(user: User) -> None:
    """Give ``user`` a confirmed authenticator, the way a real officer sets one up."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return
    device = identity.start_totp_setup(user)
    identity.confirm_totp(user, device, identity.current_totp_code(device))


def _ensure_koperasi(spec: DemoKoperasi) -> tuple[Koperasi, bool]:
    existing = Koperasi.objects.filter(slug=spec.slug).first()
    if existing is not None:
        return existing, False
    koperasi = create_koperasi(
        actor=None,
        name=spec.name,
        slug=spec.slug,
        badan_hukum_number=spec.badan_hukum_number,
        nik_koperasi=spec.nik_koperasi,
        region_code=spec.region_code,
        address=spec.address,
        business_units=list(spec.business_units),
        fiscal_year_start_month=spec.fiscal_year_start_month,
        # The demo's history (savings from November 2024, loans and journals of the
        # past year) lies after its books start.
        books_start=DEMO_BOOKS_START,
    )
    return koperasi, True


def _ensure_officer(koperasi: Koperasi, role: Role, full_name: str) -> User:
    username = demo_username(koperasi.slug, role)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = identity.create_officer(
            koperasi,
            actor=None,
            username=username,
            full_name=full_name,
            role=role,
            password=DEMO_PASSWORD,
        )
    if role in OFFICER_ROLES:
        _confirm_totp(user)
    return user


def _ensure_cross_officer(username: str, role: Role, region_prefix: str, full_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        # There is no "create a user without a koperasi" service: the account is made
        # here and the role is given (and audited) by the identity service.
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, full_name=full_name
        )
    has_role = RoleAssignment.objects.filter(
        user=user, role=role, koperasi__isnull=True, revoked_at__isnull=True
    ).exists()
    if not has_role:
        identity.grant_cross_role(user, actor=None, role=role, region_prefix=region_prefix)
    _confirm_totp(user)
    return user


def _refresh_names(result: DemoResult, slug: str) -> None:
    """The logins of ``slug`` with the full names the extensions left them."""
    names = dict(
        User.objects.filter(
            username__in=[x.username for x in result.logins if x.koperasi_slug == slug]
        ).values_list("username", "full_name")
    )
    result.logins = [
        replace(x, full_name=names.get(x.username, x.full_name)) if x.koperasi_slug == slug else x
        for x in result.logins
    ]


def build_demo(seed: int = 2026) -> DemoResult:
    """Create (or complete) the demo koperasi, officers and extension data; return logins.

    Everything happens in one transaction: a failure leaves the database as it was.
    """
    from kopdes import demo  # EXTENSIONS lives in the package; read it at call time

    autodiscover_modules("demo")  # each app's demo.py appends its extension
    result = DemoResult(seed=seed)
    with transaction.atomic():
        for spec in KOPERASI:
            koperasi, created = _ensure_koperasi(spec)
            names = officer_names(seed, spec)
            for role in ROLE_ORDER:
                user = _ensure_officer(koperasi, role, names[role])
                result.logins.append(
                    DemoLogin(
                        username=user.username,
                        password=DEMO_PASSWORD,
                        role=role.value,
                        full_name=user.full_name,
                        koperasi_slug=koperasi.slug,
                        two_factor=role in OFFICER_ROLES,
                    )
                )
            if created:
                result.created.append(koperasi.slug)
                for extension in demo.EXTENSIONS:
                    extension(koperasi, demo.extension_rng(seed, koperasi.slug, extension))
                # An extension may rename a login (the member login takes its member's name).
                _refresh_names(result, koperasi.slug)
            result.koperasi.append(koperasi)
        for username, role, prefix, full_name in CROSS_OFFICERS:
            user = _ensure_cross_officer(username, Role(role), prefix, full_name)
            result.logins.append(
                DemoLogin(
                    username=user.username,
                    password=DEMO_PASSWORD,
                    role=role,
                    full_name=user.full_name,
                    region_prefix=prefix,
                )
            )
    return result
