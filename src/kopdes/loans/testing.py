"""Deterministic builders for loan tests, the isolation harness and the demo."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from kopdes.loans import services
from kopdes.loans.models import Installment, Loan, LoanProduct
from kopdes.platform.core.testing import make_user

DAY = dt.date(2026, 3, 2)
_keys = itertools.count(1)


def key() -> str:
    return f"loan-test-{next(_keys)}"


def product(koperasi, *, actor=None, **overrides) -> LoanProduct:
    """A flat 1.5%/month product, 1-24 months, 1% admin + 1% provisi, denda 0.1%/day."""
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    data = {
        "code": f"PU{next(_keys)}",
        "name": "Pinjaman umum",
        "method": "flat",
        "rate_percent": Decimal("1.5"),
        "rate_per": "month",
        "rounding": "rupiah",
        "term_min": 1,
        "term_max": 24,
        "admin_fee_bp": 100,
        "provisi_bp": 100,
        "penalty_bp": 10,
        "penalty_per": "day",
        "penalty_grace_days": 3,
        "savings_multiple": 0,
        "plafond_max": 0,
    }
    data.update(overrides)
    return services.create_product(koperasi, actor=actor or make_user("ketua", koperasi), data=data)


def active_loan(
    koperasi,
    *,
    principal: int = 1_200_000_00,
    term: int = 12,
    date: dt.date = DAY,
    member=None,
    prod=None,
    officers=None,
) -> Loan:
    """Applied by a petugas, approved by the ketua, disbursed in cash by the bendahara."""
    from kopdes.savings.testing import active_member

    officers = officers or {}
    maker = officers.get("maker") or make_user("petugas_pinjaman", koperasi)
    checker = officers.get("checker") or make_user("ketua", koperasi)
    payer = officers.get("payer") or make_user("bendahara", koperasi)
    member = member or active_member(koperasi)
    prod = prod or product(koperasi, actor=checker)
    loan = services.apply_for_loan(
        member, actor=maker, product=prod, principal=principal, term=term, applied_on=date
    )
    services.approve_loan(loan, actor=checker)
    return services.disburse_loan(loan, actor=payer, date=date)


# An installment row as tests compare it: the period and every figure a payment may change.
ROW_FIELDS = ("period", *services.ROW_FIELDS)


def installment_rows(loan) -> list[tuple]:
    """The loan's installment rows (``ROW_FIELDS``) in period order."""
    return list(Installment.objects.filter(loan=loan).order_by("period").values_list(*ROW_FIELDS))
