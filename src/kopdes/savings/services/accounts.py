"""Savings products and accounts: the liability accounts in the chart, the default products,
opening an account.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import LedgerError
from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
    SavingsKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
    SavingsProduct,
)
from kopdes.savings.services._common import (
    KIND_LETTER,
    LIABILITY_CODES,
    SUBLEDGER,
    _check_date,
    _require_member_active,
)


def ledger_code(koperasi, kind: str) -> str:
    """The control account of a savings kind (pokok/wajib follow the AD/ART setting)."""
    kind = SavingsKind(kind)
    if kind == SavingsKind.VOLUNTARY:
        return chart.VOLUNTARY_SAVINGS
    if kind == SavingsKind.TERM:
        return chart.TERM_SAVINGS
    if koperasi.adart.pokok_wajib_as_equity:
        return chart.PRINCIPAL_SAVINGS if kind == SavingsKind.PRINCIPAL else chart.MANDATORY_SAVINGS
    return LIABILITY_CODES[kind]


def _ensure_liability_accounts(koperasi) -> None:
    """Control accounts for pokok/wajib held as liabilities (SAK EP), created once."""
    from kopdes.ledger.models import Account

    if koperasi.adart.pokok_wajib_as_equity:
        return
    names = {
        SavingsKind.PRINCIPAL: "Simpanan pokok (kewajiban)",
        SavingsKind.MANDATORY: "Simpanan wajib (kewajiban)",
    }
    for kind, code in LIABILITY_CODES.items():
        if not Account.objects.filter(koperasi=koperasi, code=code).exists():
            Account.objects.create(
                koperasi=koperasi,
                code=code,
                name=names[kind],
                type="kewajiban",
                normal_side="C",
                subledger_kind=SUBLEDGER,
            )


DEFAULT_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"kind": SavingsKind.PRINCIPAL, "code": "pokok", "name": "Simpanan pokok"},
    {"kind": SavingsKind.MANDATORY, "code": "wajib", "name": "Simpanan wajib"},
    {
        "kind": SavingsKind.VOLUNTARY,
        "code": "sukarela",
        "name": "Simpanan sukarela",
        "rate_percent": Decimal("3"),
        "jasa_basis": "lowest",
    },
    {
        "kind": SavingsKind.TERM,
        "code": "berjangka-6",
        "name": "Simpanan berjangka 6 bulan",
        "rate_percent": Decimal("6"),
        "term_months": 6,
        "penalty_bp": 100,
    },
)


def ensure_products(koperasi) -> dict[str, SavingsProduct]:
    """The default product of each kind (created once, idempotent): ``{kind: product}``."""
    existing = {p.code: p for p in SavingsProduct.objects.filter(koperasi=koperasi)}
    out: dict[str, SavingsProduct] = {}
    for spec in DEFAULT_PRODUCTS:
        product = existing.get(spec["code"])
        if product is None:
            product = SavingsProduct.objects.create(koperasi=koperasi, **spec)
        out[str(spec["kind"])] = product
    return out


def default_product(koperasi, kind: str) -> SavingsProduct:
    product = (
        SavingsProduct.objects.filter(koperasi=koperasi, kind=kind, is_active=True)
        .order_by("code")
        .first()
    )
    return product or ensure_products(koperasi)[str(kind)]


def _new_account(member, product, date: dt.date, **extra) -> SavingsAccount:
    koperasi = member.koperasi
    _ensure_liability_accounts(koperasi)
    letter = KIND_LETTER[SavingsKind(product.kind)]
    if product.kind == SavingsKind.TERM:
        n = SavingsAccount.objects.filter(
            koperasi=koperasi, member=member, kind=SavingsKind.TERM
        ).count()
        number = f"{member.number}-{letter}{n + 1}"
    else:
        number = f"{member.number}-{letter}"
        if product.code not in {"pokok", "wajib", "sukarela"}:
            number = f"{member.number}-{letter}-{product.code}"[:30]
    return SavingsAccount.objects.create(
        koperasi=koperasi,
        member=member,
        product=product,
        kind=product.kind,
        number=number,
        ledger_code=ledger_code(koperasi, product.kind),
        opened_on=date,
        **extra,
    )


def account_for(
    member, kind: str, *, date: dt.date, product: SavingsProduct | None = None
) -> SavingsAccount:
    """The member's account of a non-term kind in its default product, opened if missing.

    Call inside the caller's transaction (under the lock).
    """
    product = product or default_product(member.koperasi, kind)
    account = SavingsAccount.objects.filter(
        koperasi_id=member.koperasi_id, member=member, product=product
    ).first()
    return account or _new_account(member, product, date)


def open_account(member, *, actor, kind: str = SavingsKind.VOLUNTARY, date: dt.date):
    """Open (or return) the member's account of ``kind`` in the default product."""
    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    if kind == SavingsKind.TERM:
        raise SavingsError(_("A term deposit is opened by placing it."), field="kind")
    _require_member_active(member, allow_candidate=kind == SavingsKind.PRINCIPAL)
    with transaction.atomic():
        existing = SavingsAccount.objects.filter(
            koperasi=koperasi, member=member, product=default_product(koperasi, kind)
        ).first()
        if existing is not None:
            return existing
        # Not before the books start, never in the future (an account "opened" in 9999
        # would refuse every movement); opening is no posting, so a closed month is fine.
        try:
            day = ledger.check_business_date(koperasi, _check_date(date), last_closed_period=None)
        except LedgerError as exc:
            raise SavingsError(exc.message, field="date") from exc
        account = account_for(member, kind, date=day)
        record(
            "savings.account.opened",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"number": account.number, "kind": account.kind},
        )
    return account
