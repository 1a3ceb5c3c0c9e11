"""Loan products; simulation and the plafond a member may borrow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kopdes.domain import loans as engine
from kopdes.loans.choices import (
    FeeMode,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    LoanProduct,
)
from kopdes.loans.services._common import BP, _amount, _percent
from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

# --- products -----------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "code",
    "name",
    "method",
    "rate_percent",
    "rate_per",
    "rounding",
    "term_min",
    "term_max",
    "admin_fee_bp",
    "provisi_bp",
    "fee_mode",
    "penalty_bp",
    "penalty_per",
    "penalty_grace_days",
    "savings_multiple",
    "plafond_max",
    "requirements",
)


def create_product(koperasi, *, actor, data: dict[str, Any]) -> LoanProduct:
    """Add a loan product; every figure is checked before anything is written."""
    roles = require_perm(actor, koperasi, "loans.manage_products")
    clean = clean_product(data)
    with transaction.atomic():
        if LoanProduct.objects.filter(koperasi=koperasi, code=clean["code"]).exists():
            raise LoanError(_("A loan product with this code already exists."), field="code")
        product = LoanProduct.objects.create(koperasi=koperasi, **clean)
        record(
            "loans.product.created",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=product,
            summary={"code": product.code, "rate": str(product.rate_percent)},
        )
    return product


def clean_product(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a product's settings (used by the form and the service)."""
    from kopdes.loans.choices import LoanMethod, PenaltyPer, RatePer, Rounding

    out = {k: data.get(k) for k in PRODUCT_FIELDS if k in data}
    out["code"] = str(out.get("code") or "").strip()[:20]
    out["name"] = str(out.get("name") or "").strip()[:100]
    if not out["code"] or not out["name"]:
        raise LoanError(_("The product code and name are required."), field="code")
    for name, choices in (
        ("method", LoanMethod),
        ("rate_per", RatePer),
        ("rounding", Rounding),
        ("fee_mode", FeeMode),
        ("penalty_per", PenaltyPer),
    ):
        value = str(out.get(name) or choices.values[0])
        if value not in choices.values:
            raise LoanError(_("Unknown choice for %(field)s.") % {"field": name}, field=name)
        out[name] = value
    out["rate_percent"] = _percent(out.get("rate_percent", "0"))
    for name in (
        "term_min",
        "term_max",
        "admin_fee_bp",
        "provisi_bp",
        "penalty_bp",
        "penalty_grace_days",
        "savings_multiple",
        "plafond_max",
    ):
        value = out.get(name, 0) or 0
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise LoanError(_("This figure must be a whole number, not negative."), field=name)
        out[name] = value
    if out["term_min"] < 1 or out["term_max"] > engine.MAX_TERM:
        raise LoanError(_("The term must be between 1 and 600 months."), field="term_min")
    if out["term_min"] > out["term_max"]:
        raise LoanError(_("The shortest term is longer than the longest."), field="term_max")
    if out["admin_fee_bp"] + out["provisi_bp"] >= BP:
        raise LoanError(_("The fees must be less than the loan."), field="admin_fee_bp")
    out["requirements"] = str(out.get("requirements") or "")[:2000]
    return out


# --- simulation, plafond ------------------------------------------------------------------


def loan_terms(loan_or_product, *, principal: int, term: int, start_date=None, grace: int = 0):
    """The engine's ``LoanTerms`` for a loan (or a product and the asked amount/term)."""
    obj = loan_or_product
    try:
        rate = engine.periodic_rate(obj.rate_percent, per=obj.rate_per)
        return engine.LoanTerms(
            method=engine.LoanMethod(obj.method),
            principal=principal,
            rate=rate,
            term=term,
            rounding=engine.Rounding(obj.rounding),
            start_date=start_date,
            grace_periods=grace,
        )
    except engine.LoanError as exc:
        raise LoanError(exc.message, field="term") from exc


def simulate(product: LoanProduct, *, principal: int, term: int, start_date: dt.date):
    """The schedule a member would get (nothing is written): ``engine.Schedule``."""
    _amount(principal, "principal")
    _check_term(product, term)
    return engine.build_schedule(
        loan_terms(product, principal=principal, term=term, start_date=start_date)
    )


def _check_term(product: LoanProduct, term: Any) -> int:
    if not isinstance(term, int) or isinstance(term, bool):
        raise LoanError(_("The term must be a whole number of months."), field="term")
    if not product.term_min <= term <= product.term_max:
        raise LoanError(
            _("The term for %(product)s must be between %(min)s and %(max)s months.")
            % {"product": product.name, "min": product.term_min, "max": product.term_max},
            field="term",
        )
    return term


def member_savings_total(member) -> int:
    """What the member holds in savings (all kinds), read from the savings app's rows."""
    from kopdes.savings.models import SavingsAccount

    return (
        SavingsAccount.objects.filter(koperasi_id=member.koperasi_id, member=member).aggregate(
            t=Sum("balance")
        )["t"]
        or 0
    )


def plafond_for(member, product: LoanProduct) -> int | None:
    """The most this member may borrow on ``product`` (sen), or None when unlimited."""
    limits = []
    if product.savings_multiple:
        limits.append(member_savings_total(member) * product.savings_multiple)
    if product.plafond_max:
        limits.append(product.plafond_max)
    return min(limits) if limits else None
