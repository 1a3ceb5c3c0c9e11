"""Business units as profit centres: enabling one opens (through the ledger) the accounts its
sales, costs and stock post to.

Each kind maps to one of the ledger's business units (``tenancy.BusinessUnit``, the value on
its journal lines) and to that unit's accounts of the chart (``ledger.chart``: the per-unit
children of Kas 1-1100, Persediaan 1-1500, Pendapatan 4-1100 / 4-1200, HPP 5-1100 / 5-1200,
e.g. 4-1101 for the gerai sembako). The subsidised channels and members' harvest are sold
through the gerai sembako (DOMAIN.md section 1): they carry its ledger unit and get their own
sub-accounts under its accounts (``4-1101.01`` Pendapatan ... LPG 3 kg), so each one still has
its own income statement lines. Accounts the chart lacks are created with
``ledger.services.create_account`` (never by hand), which needs ``ledger.manage_accounts``:
``store.manage_units`` is given to the same roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.ledger import chart
from kopdes.ledger import services as ledger_services
from kopdes.ledger.models import Account
from kopdes.platform.audit.services import record
from kopdes.store.choices import Sells, UnitKind
from kopdes.store.errors import StoreError
from kopdes.store.models import BusinessUnit
from kopdes.store.services._common import _role

PERMISSION = "store.manage_units"


@dataclass(frozen=True)
class UnitSpec:
    ledger_unit: str
    sells: Sells
    suffix: str = ""  # "" = the ledger unit's own accounts; ".01" = a sub-account of them
    account_name: str = ""  # the channel's name in its sub-accounts (Indonesian: chart data)


SPECS: dict[str, UnitSpec] = {
    UnitKind.SEMBAKO: UnitSpec("sembako", Sells.GOODS),
    UnitKind.APOTEK: UnitSpec("apotek", Sells.GOODS),
    UnitKind.KLINIK: UnitSpec("klinik", Sells.SERVICES),
    UnitKind.COLD_STORAGE: UnitSpec("pergudangan", Sells.SERVICES),
    UnitKind.LOGISTIK: UnitSpec("logistik", Sells.SERVICES),
    UnitKind.LPG: UnitSpec("sembako", Sells.GOODS, ".01", "LPG 3 kg"),
    UnitKind.PUPUK: UnitSpec("sembako", Sells.GOODS, ".02", "pupuk bersubsidi"),
    UnitKind.BERAS_SPHP: UnitSpec("sembako", Sells.GOODS, ".03", "beras SPHP"),
    UnitKind.HASIL_BUMI: UnitSpec("sembako", Sells.GOODS, ".04", "hasil bumi"),
}


@dataclass(frozen=True)
class UnitAccounts:
    cash: str
    revenue_member: str
    revenue_public: str
    cost_member: str
    cost_public: str
    inventory: str  # "" for a unit that sells services

    def codes(self) -> list[str]:
        return [
            c
            for c in (
                self.cash,
                self.revenue_member,
                self.revenue_public,
                self.cost_member,
                self.cost_public,
                self.inventory,
            )
            if c
        ]


def account_codes(kind: str) -> UnitAccounts:
    """The chart codes of a unit of ``kind`` (cash is the outlet's till: no sub-account)."""
    spec = SPECS[kind]
    unit = spec.ledger_unit

    def code(base: str) -> str:
        return chart.unit_code(base, unit) + spec.suffix

    return UnitAccounts(
        cash=chart.unit_code(chart.CASH, unit),
        revenue_member=code(chart.REVENUE_MEMBERS),
        revenue_public=code(chart.REVENUE_NON_MEMBERS),
        cost_member=code(chart.COST_OF_GOODS_SOLD),
        cost_public=code(chart.COST_OF_GOODS_SOLD_NON_MEMBERS),
        inventory=code(chart.INVENTORY) if spec.sells == Sells.GOODS else "",
    )


def _template_names(unit: str) -> dict[str, tuple[str, str]]:
    """code -> (parent code, name) of the chart's per-unit accounts of ``unit``."""
    return {t.code: (t.parent, t.name) for t in chart.expand([unit]) if t.unit == unit and t.parent}


def _missing_accounts(koperasi, kind: str) -> list[tuple[str, str, str]]:
    """(parent code, code, name) of every account a unit of ``kind`` needs and the koperasi's
    chart lacks, parents first."""
    spec = SPECS[kind]
    wanted = account_codes(kind).codes()
    have = set(
        Account.objects.filter(
            koperasi=koperasi, code__in=wanted + [c.split(".")[0] for c in wanted]
        ).values_list("code", flat=True)
    )
    templates = _template_names(spec.ledger_unit)
    missing: list[tuple[str, str, str]] = []
    for code in wanted:
        unit_code = code.split(".")[0]
        if unit_code not in have:
            parent, name = templates[unit_code]
            missing.append((parent, unit_code, name))
            have.add(unit_code)
        if code != unit_code and code not in have:
            parent_name = templates.get(unit_code, ("", ""))[1] or _account_name(
                koperasi, unit_code
            )
            missing.append((unit_code, code, f"{parent_name} - {spec.account_name}"))
            have.add(code)
    return missing


def _account_name(koperasi, code: str) -> str:
    return (
        Account.objects.filter(koperasi=koperasi, code=code).values_list("name", flat=True).first()
        or code
    )


def enable_business_unit(
    koperasi, *, actor, kind: str, at: dt.datetime, name: str = "", source_address: str = ""
) -> BusinessUnit:
    """Run ``kind`` as a profit centre: its accounts (created where the chart lacks them) and
    the unit row. Enabling a unit that exists but was switched off switches it on again.

    Refuses an unknown kind and a unit already running; audited
    ``store.business_unit.enabled`` with the accounts it created.
    """
    role = _role(actor, koperasi, PERMISSION)
    if kind not in SPECS:
        raise StoreError(_("Unknown kind of business unit."), field="kind")
    label = str(UnitKind(kind).label)
    name = " ".join((name or "").split())[:80] or label
    spec = SPECS[kind]
    codes = account_codes(kind)
    with transaction.atomic():
        existing = BusinessUnit.objects.filter(koperasi=koperasi, kind=kind).first()
        if existing is not None and existing.is_active:
            raise StoreError(
                _("%(unit)s is already running.") % {"unit": existing.name}, field="kind"
            )
        created = []
        for parent, code, account_name in _missing_accounts(koperasi, kind):
            ledger_services.create_account(
                koperasi,
                actor=actor,
                parent_code=parent,
                code=code,
                name=account_name,
                business_unit=spec.ledger_unit,
            )
            created.append(code)
        if existing is not None:
            existing.is_active = True
            existing.save(update_fields=["is_active"])
            unit = existing
        else:
            try:
                with transaction.atomic():
                    unit = BusinessUnit.objects.create(
                        koperasi=koperasi,
                        kind=kind,
                        name=name,
                        ledger_unit=spec.ledger_unit,
                        sells=spec.sells,
                        cash_account=codes.cash,
                        revenue_member_account=codes.revenue_member,
                        revenue_public_account=codes.revenue_public,
                        cost_member_account=codes.cost_member,
                        cost_public_account=codes.cost_public,
                        inventory_account=codes.inventory,
                        enabled_at=at,
                        enabled_by=actor,
                    )
            except IntegrityError:
                raise StoreError(
                    _("%(unit)s is already running.") % {"unit": label}, field="kind"
                ) from None
        record(
            "store.business_unit.enabled",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=unit,
            summary={"kind": kind, "accounts": codes.codes(), "accounts_created": created},
            source_address=source_address,
        )
    return unit


def disable_business_unit(unit: BusinessUnit, *, actor, source_address: str = "") -> BusinessUnit:
    """Stop running a unit (its items are no longer sold; its accounts and history stay)."""
    koperasi = unit.koperasi
    role = _role(actor, koperasi, PERMISSION)
    if not unit.is_active:
        raise StoreError(_("%(unit)s is not running.") % {"unit": unit.name})
    with transaction.atomic():
        unit.is_active = False
        unit.save(update_fields=["is_active"])
        record(
            "store.business_unit.disabled",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=unit,
            summary={"kind": unit.kind},
            source_address=source_address,
        )
    return unit
