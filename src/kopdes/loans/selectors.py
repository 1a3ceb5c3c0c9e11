"""Reads for loans: tenant-scoped lookups (404 for another koperasi's), lists and reports.

Every report returns plain rows of sen so the page, the PDF and the XLSX render the same
figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kopdes.domain import loans as engine
from kopdes.domain.rates import format_bp as format_rate_bp
from kopdes.ledger import chart
from kopdes.ledger.models import AccountBalance
from kopdes.loans.choices import Kolektibilitas, LoanStatus
from kopdes.loans.models import (
    BankLoan,
    Installment,
    Loan,
    LoanProduct,
    LoanProposal,
    Relationship,
    Repayment,
    RepaymentReversal,
)
from kopdes.platform.approvals.models import ProposalState


def _get(qs, pk):
    try:
        obj = qs.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id is "not found"
        obj = None
    if obj is None:
        raise Http404
    return obj


def get_loan(koperasi, loan_id: Any) -> Loan:
    """The koperasi's loan with its member and product (404 for a malformed id or
    another koperasi's loan). Every repayment, page and API call on a loan starts here."""
    loan = _get(Loan.objects.filter(koperasi=koperasi).select_related("member", "product"), loan_id)
    # The caller's koperasi object, not a second query when a service reads .koperasi.
    loan.koperasi = loan.member.koperasi = koperasi
    return loan


def get_product(koperasi, product_id: Any) -> LoanProduct:
    return _get(LoanProduct.objects.filter(koperasi=koperasi), product_id)


def get_bank_loan(koperasi, bank_loan_id: Any) -> BankLoan:
    return _get(BankLoan.objects.filter(koperasi=koperasi), bank_loan_id)


def get_repayment(koperasi, repayment_id: Any) -> Repayment:
    return _get(
        Repayment.objects.filter(koperasi=koperasi).select_related("loan", "loan__member", "entry"),
        repayment_id,
    )


def list_products(koperasi, *, active_only: bool = False) -> QuerySet[LoanProduct]:
    qs = LoanProduct.objects.filter(koperasi=koperasi)
    return qs.filter(is_active=True) if active_only else qs


def list_loans(koperasi, *, status: str = "", query: str = "") -> QuerySet[Loan]:
    qs = Loan.objects.filter(koperasi=koperasi).select_related("member", "product")
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(member__number__icontains=query)
            | Q(member__full_name__icontains=query)
        )
    return qs.order_by("-number")


def list_member_loans(member) -> QuerySet[Loan]:
    return Loan.objects.filter(koperasi_id=member.koperasi_id, member=member).select_related(
        "product"
    )


def installments(loan: Loan) -> QuerySet[Installment]:
    return Installment.objects.filter(koperasi_id=loan.koperasi_id, loan=loan).order_by("period")


INSTALLMENT_STATES = {
    "paid": _("Paid"),
    "partial": _("Partly paid"),
    "late": _("Late"),
    "open": _("Not yet due"),
}


def schedule_with_status(loan: Loan, today: dt.date) -> list[Installment]:
    """The installment rows, each with ``state`` (paid / partial / late / open) and
    ``state_label``: which installments are paid, for the loan page and the portal."""
    rows = list(installments(loan))
    for r in rows:
        if r.paid_on is not None:
            r.state = "paid"
        elif r.principal_paid or r.interest_paid or r.penalty_paid:
            r.state = "partial"
        elif r.due_date < today:
            r.state = "late"
        else:
            r.state = "open"
        r.state_label = INSTALLMENT_STATES[r.state]
        r.paid = r.principal_paid + r.interest_paid
    return rows


def next_installment(loan: Loan) -> Installment | None:
    return installments(loan).filter(paid_on__isnull=True).first()


def open_proposals(koperasi) -> QuerySet[LoanProposal]:
    return LoanProposal.objects.filter(
        koperasi=koperasi, state=ProposalState.PENDING
    ).select_related("loan", "loan__member", "proposed_by", "decided_by")


def relationships(koperasi) -> QuerySet[Relationship]:
    return Relationship.objects.filter(koperasi=koperasi).select_related("user", "member")


def assessment(loan: Loan, as_of: dt.date) -> dict[str, Any]:
    """What the approver looks at: savings, other loans, repayment record, declared budget."""
    from kopdes.loans.services import loan_terms, member_savings_total, plafond_for

    member = loan.member
    others = list(
        Loan.objects.filter(koperasi_id=loan.koperasi_id, member=member)
        .exclude(pk=loan.pk)
        .select_related("product")
        .order_by("-number")
    )
    late = (
        Installment.objects.filter(koperasi_id=loan.koperasi_id, loan__member=member)
        .filter(Q(paid_on__gt=F("due_date")) | Q(paid_on__isnull=True, due_date__lt=as_of))
        .count()
    )
    paid_rows = Installment.objects.filter(
        koperasi_id=loan.koperasi_id, loan__member=member, paid_on__isnull=False
    ).count()
    schedule = engine.build_schedule(loan_terms(loan, principal=loan.principal, term=loan.term))
    net = loan.declared_income - loan.declared_expense
    installment = schedule.regular_installment
    return {
        "savings": member_savings_total(member),
        "plafond": plafond_for(member, loan.product),
        "other_loans": others,
        "other_outstanding": sum(o.outstanding for o in others),
        "installments_paid": paid_rows,
        "installments_late": late,
        "net_income": net,
        "installment": installment,
        # Share of the declared free income the installment takes (basis points).
        "burden_bp": (installment * 10_000 // net) if net > 0 else None,
    }


def dues(loan: Loan, as_of: dt.date):
    from kopdes.loans.services import dues_on

    if loan.status != LoanStatus.ACTIVE:
        return None
    return dues_on(loan, as_of)


# --- reports ------------------------------------------------------------------------------


def format_bp(bp: int | None) -> str:
    """Basis points as a percentage with a comma ("3,25%", "1%"); None is "n/a"
    (``domain.rates.format_bp``)."""
    return format_rate_bp(bp)


def _ratio_bp(part: int, whole: int) -> int | None:
    return None if whole <= 0 else (part * 10_000 + whole // 2) // whole


def portfolio_totals(koperasi) -> dict[str, Any]:
    """Outstanding, count, PAR 30 and NPL of the active loans (one query)."""
    agg = Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE).aggregate(
        n=Count("pk"),
        p=Sum("principal"),
        paid=Sum("principal_paid"),
        par_p=Sum("principal", filter=Q(dpd__gt=30)),
        par_paid=Sum("principal_paid", filter=Q(dpd__gt=30)),
        npl_p=Sum("principal", filter=Q(kolektibilitas__gte=3)),
        npl_paid=Sum("principal_paid", filter=Q(kolektibilitas__gte=3)),
        ppap=Sum("ppap_required"),
    )
    outstanding = (agg["p"] or 0) - (agg["paid"] or 0)
    par = (agg["par_p"] or 0) - (agg["par_paid"] or 0)
    npl = (agg["npl_p"] or 0) - (agg["npl_paid"] or 0)
    return {
        "count": agg["n"] or 0,
        "outstanding": outstanding,
        "par30": par,
        "par30_bp": _ratio_bp(par, outstanding),
        "npl": npl,
        "npl_bp": _ratio_bp(npl, outstanding),
        "ppap_required": agg["ppap"] or 0,
    }


def _grouped(koperasi, field: str) -> list[dict[str, Any]]:
    rows = (
        Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE)
        .values(field)
        .annotate(n=Count("pk"), p=Sum("principal"), paid=Sum("principal_paid"))
        .order_by(field)
    )
    return [
        {"key": r[field] or "-", "count": r["n"], "outstanding": r["p"] - r["paid"]} for r in rows
    ]


def portfolio_report(koperasi) -> dict[str, Any]:
    """Outstanding by product, by officer who entered it, by village area (RT/RW region)."""
    by_product = _grouped(koperasi, "product__name")
    by_officer = _grouped(koperasi, "created_by__full_name")
    by_area = _grouped(koperasi, "member__region_code")
    return {
        "totals": portfolio_totals(koperasi),
        "sections": [
            ("product", by_product),
            ("officer", by_officer),
            ("area", by_area),
        ],
    }


AGING_BUCKETS = (
    ("0", 0, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("121-180", 121, 180),
    ("> 180", 181, None),
)


def aging_report(koperasi) -> dict[str, Any]:
    """Outstanding by days-past-due bucket and by kolektibilitas (as of the daily job)."""
    buckets = []
    for label, lo, hi in AGING_BUCKETS:
        cond = Q(dpd__gte=lo) if hi is None else Q(dpd__gte=lo, dpd__lte=hi)
        agg = (
            Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE)
            .filter(cond)
            .aggregate(n=Count("pk"), p=Sum("principal"), paid=Sum("principal_paid"))
        )
        buckets.append(
            {
                "key": label,
                "count": agg["n"] or 0,
                "outstanding": (agg["p"] or 0) - (agg["paid"] or 0),
            }
        )
    kol = {
        r["kolektibilitas"]: r
        for r in Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE)
        .values("kolektibilitas")
        .annotate(
            n=Count("pk"), p=Sum("principal"), paid=Sum("principal_paid"), pp=Sum("ppap_required")
        )
        .order_by()
    }
    # The class rows name the koperasi's own AD/ART day ranges and PPAP rates.
    from kopdes.platform.tenancy.selectors import format_percent, kolektibilitas_ranges

    adart = koperasi.adart
    ranges = kolektibilitas_ranges(adart)
    rates = adart.ppap_rates
    classes = []
    for (value, label), days in zip(Kolektibilitas.choices, ranges, strict=True):
        r = kol.get(value)
        rate = format_percent(rates[engine.Kolektibilitas(value)])
        classes.append(
            {
                "key": f"{label} ({days}; PPAP {rate})",
                "count": r["n"] if r else 0,
                "outstanding": (r["p"] - r["paid"]) if r else 0,
                "ppap": r["pp"] if r else 0,
            }
        )
    return {"totals": portfolio_totals(koperasi), "buckets": buckets, "classes": classes}


def monthly_flows(koperasi, *, year: int) -> list[dict[str, Any]]:
    """Disbursements and collections (pokok, jasa, denda) per month of ``year``."""
    months: dict[int, dict[str, int]] = defaultdict(
        lambda: {"disbursed": 0, "count": 0, "principal": 0, "interest": 0, "penalty": 0}
    )
    for d, p in Loan.objects.filter(
        koperasi=koperasi, disbursed_on__year=year, restructured_from__isnull=True
    ).values_list("disbursed_on", "principal"):
        months[d.month]["disbursed"] += p
        months[d.month]["count"] += 1
    collected = (
        Repayment.objects.filter(koperasi=koperasi, date__year=year)
        # A corrected (reversed) payment was never collected.
        .exclude(reversals__state=ProposalState.APPROVED)
        .values_list("date", "principal", "interest", "penalty")
    )
    for d, p, i, pen in collected:
        m = months[d.month]
        m["principal"] += p
        m["interest"] += i
        m["penalty"] += pen
    return [{"month": m, **months[m]} for m in range(1, 13)]


def collection_list(koperasi, as_of: dt.date) -> list[dict[str, Any]]:
    """Daftar tagihan: every active loan with an installment due on or before ``as_of``
    still unpaid, oldest first, with what is owed today and the member's phone."""
    from kopdes.loans.services import dues_on

    loan_ids = (
        Installment.objects.filter(
            koperasi=koperasi,
            loan__status=LoanStatus.ACTIVE,
            paid_on__isnull=True,
            due_date__lte=as_of,
        )
        .values_list("loan_id", flat=True)
        .distinct()
    )
    loans = (
        Loan.objects.filter(koperasi=koperasi, pk__in=list(loan_ids))
        .select_related("member", "product")
        .prefetch_related("installments")
    )
    out = []
    for loan in loans:
        rows = sorted(loan.installments.all(), key=lambda r: r.period)
        d = dues_on(loan, as_of, rows)
        oldest = next((r.due_date for r in rows if r.paid_on is None), None)
        out.append(
            {
                "loan": loan,
                "due": d.total_due,
                "penalty": d.penalty,
                "oldest": oldest,
                "dpd": engine.days_past_due(oldest, as_of),
                "phone": loan.member.phone,
            }
        )
    out.sort(key=lambda x: (-x["dpd"], x["loan"].number))
    return out


def member_statement(loan: Loan) -> dict[str, Any]:
    return {
        "loan": loan,
        "installments": list(installments(loan)),
        "repayments": loan_repayments(loan),
    }


def cash_on_hand(koperasi) -> int:
    """Kas (every unit) + Bank: what could pay the bank installment today."""
    agg = (
        AccountBalance.objects.filter(koperasi=koperasi)
        .filter(Q(account__code__startswith=chart.CASH[:5]) | Q(account__code=chart.BANK))
        .aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    )
    return (agg["d"] or 0) - (agg["c"] or 0)


def bank_loan_overview(bank_loan: BankLoan, today: dt.date) -> dict[str, Any]:
    """Drawn, outstanding, the schedule and the next installments with cash cover."""
    from kopdes.loans.services import bank_drawn, bank_outstanding, bank_schedule

    schedule = bank_schedule(bank_loan)
    paid_principal = bank_drawn(bank_loan) - bank_outstanding(bank_loan)
    # Installments are treated as paid in order by the principal paid so far.
    running = 0
    rows = []
    for period, due, principal, interest in schedule:
        running += principal
        rows.append(
            {
                "period": period,
                "due": due,
                "principal": principal,
                "interest": interest,
                "total": principal + interest,
                "paid": running <= paid_principal and principal > 0,
            }
        )
    upcoming = [r for r in rows if r["due"] >= today and not r["paid"]][:3]
    cash = cash_on_hand(bank_loan.koperasi)
    need = 0
    for r in upcoming:
        need += r["total"]
        r["covered"] = cash >= need
    return {
        "bank_loan": bank_loan,
        "drawn": bank_drawn(bank_loan),
        "outstanding": bank_outstanding(bank_loan),
        "schedule": rows,
        "upcoming": upcoming,
        "cash": cash,
        "movements": list(bank_loan.movements.order_by("date")),
    }


# --- QRIS payment code --------------------------------------------------------------------


def qris_default_amount(loan: Loan, as_of: dt.date) -> tuple[int, dt.date | None]:
    """What the QR asks for by default, and the day it is due: everything due today
    (denda, jasa, pokok); when nothing is due yet, the next installment on its due date."""
    from kopdes.loans.services import dues_on

    if loan.status != LoanStatus.ACTIVE:
        return 0, None
    rows = list(installments(loan))
    dues_today = dues_on(loan, max(as_of, loan.disbursed_on or as_of), rows)
    if dues_today.total_due > 0:
        return dues_today.total_due, as_of
    row = next((r for r in rows if r.paid_on is None), None)
    if row is None:
        return 0, None
    return min(row.unpaid, dues_today.payoff.total), row.due_date


def qris_code(koperasi, loan: Loan, amount: int) -> dict[str, Any]:
    """The QR text (``loans.qris``: QRIS-like, not a registered merchant code) and its
    image as a data URI for ``<img>`` (the CSP allows data: images, not inline script)."""
    import segno

    from kopdes.domain.money import terbilang
    from kopdes.loans.qris import payment_payload
    from kopdes.platform.core.regions import UnknownRegionError, lookup_region

    try:
        city = lookup_region(koperasi.region_code).kabupaten
    except (UnknownRegionError, ValueError):
        city = "Indonesia"
    payload = payment_payload(
        merchant_name=koperasi.name,
        merchant_id=koperasi.nik_koperasi,
        city=city.removeprefix("KAB. ").removeprefix("KOTA "),
        amount=amount,
        reference=loan.number,
    )
    return {
        "amount": amount,
        "words": terbilang(amount),
        "payload": payload,
        "image": segno.make(payload, error="m").svg_data_uri(scale=5, border=4),
    }


# --- repayment corrections ------------------------------------------------------------------


def open_repayment_reversals(koperasi) -> QuerySet[RepaymentReversal]:
    return RepaymentReversal.objects.filter(
        koperasi=koperasi, state=ProposalState.PENDING
    ).select_related("repayment", "loan", "loan__member", "proposed_by")


def loan_repayments(loan: Loan) -> list[Repayment]:
    """The loan's payments, each with ``correction`` = the state of its correction
    (``pending`` / ``approved``) or "" (two queries)."""
    reps = list(Repayment.objects.filter(koperasi_id=loan.koperasi_id, loan=loan))
    states = dict(
        RepaymentReversal.objects.filter(koperasi_id=loan.koperasi_id, loan=loan)
        .exclude(state=ProposalState.REJECTED)
        .values_list("repayment_id", "state")
    )
    for rep in reps:
        rep.correction = states.get(rep.pk, "")
        rep.correctable = False
        # The installments it paid, and what it paid ahead of the schedule.
        rep.periods = [row[0] for row in rep.allocation or []]
        ahead = rep.principal - sum(row[3] for row in rep.allocation or [])
        rep.ahead = ahead if rep.accelerated and not rep.is_payoff else 0
    # Only the latest payment not corrected yet may be corrected (services._check_reversible
    # decides; this only hides links that would be refused).
    open_reps = [r for r in reps if r.correction != ProposalState.APPROVED]
    if open_reps and loan.status in (LoanStatus.ACTIVE, LoanStatus.PAID_OFF):
        latest = max(open_reps, key=lambda r: (r.created_at, r.pk))
        latest.correctable = latest.correction == ""
    return reps
