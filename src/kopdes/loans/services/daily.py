"""The daily job: days past due, kolektibilitas, and the month-end PPAP."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min, Sum

from kopdes.domain import loans as engine
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import chart
from kopdes.ledger.models import AccountBalance
from kopdes.loans.choices import (
    LoanStatus,
)
from kopdes.loans.models import (
    Installment,
    Loan,
    PpapRun,
)
from kopdes.loans.posting import update_classifications
from kopdes.loans.services._common import MEMOS, _business_date, _date, _lock, _post
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.identity.selectors import require_perm

# --- daily job: days past due, kolektibilitas, month-end PPAP -----------------------------


@dataclass(frozen=True)
class DailyResult:
    as_of: dt.date
    loans: int
    changed: int
    ppap_required: int
    ppap_entry: Any = None


def _is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def run_daily(koperasi, *, actor, as_of: dt.date, post_ppap: bool | None = None) -> DailyResult:
    """Days past due and kolektibilitas of every active loan on ``as_of``; on the last day
    of a month (or when ``post_ppap``) also the PPAP provision: only the change against
    the allowance 1-1310 is posted (Dr 5-2400 / Cr 1-1310, or back when it falls).

    The day buckets and PPAP rates are the koperasi's AD/ART settings
    (``AdArt.kolektibilitas_buckets`` / ``AdArt.ppap_rates``, DOMAIN.md defaults), so the
    month-end posting uses the same rates as the classes it sums.

    ``actor=None`` is the scheduler (``kopdes loans-daily``). Reads two aggregate queries
    and updates only the loans whose figures changed, so 20,000 loans take seconds.
    """
    if actor is not None:
        require_perm(actor, koperasi, "loans.run_daily")
    as_of = _business_date(koperasi, _date(as_of))
    oldest = dict(
        Installment.objects.filter(
            koperasi=koperasi,
            loan__status=LoanStatus.ACTIVE,
            paid_on__isnull=True,
            due_date__lte=as_of,
        )
        .values("loan_id")
        .annotate(m=Min("due_date"))
        .values_list("loan_id", "m")
        .order_by()
    )
    updates = []
    required_total = 0
    count = 0
    # The koperasi's AD/ART buckets and rates, read once: a change made today applies from
    # this run on (loans are re-classed from their days past due, not from the old class).
    adart = koperasi.adart
    buckets = adart.kolektibilitas_buckets
    rates = adart.ppap_rates
    factors = adart.collateral_factors
    for pk, principal, paid, restructured, appraised, binding, dpd0, kol0, ppap0 in (
        Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE)
        .values_list(
            "pk",
            "principal",
            "principal_paid",
            "restructured",
            "collateral_value",
            "collateral_binding",
            "dpd",
            "kolektibilitas",
            "ppap_required",
        )
        .iterator(chunk_size=5000)
    ):
        count += 1
        dpd = engine.days_past_due(oldest.get(pk), as_of)
        klass = engine.kolektibilitas(dpd, buckets, restructured=restructured)
        collateral = engine.Collateral(appraised, binding) if appraised else _NO_COLLATERAL
        ppap = engine.ppap_required(principal - paid, klass, collateral, rates, factors)
        required_total += ppap
        if (dpd, int(klass), ppap) != (dpd0, kol0, ppap0):
            updates.append((dpd, int(klass), ppap, as_of, pk))
    entry = None
    with transaction.atomic():
        update_classifications(updates)
        if post_ppap or (post_ppap is None and _is_month_end(as_of)):
            entry = _post_ppap(koperasi, actor=actor, as_of=as_of, required=required_total)
        record(
            "loans.daily.ran",
            actor=actor,
            koperasi=koperasi,
            object_type="loans.daily",
            summary={
                "as_of": as_of.isoformat(),
                "loans": count,
                "changed": len(updates),
                "ppap_required": required_total,
                "ppap_entry": entry.number if entry is not None else None,
            },
        )
    return DailyResult(as_of, count, len(updates), required_total, entry)


_NO_COLLATERAL = engine.Collateral()


def allowance_balance(koperasi) -> int:
    """The PPAP allowance held (credit balance of 1-1310), sen."""
    agg = AccountBalance.objects.filter(
        koperasi=koperasi, account__code=chart.LOAN_LOSS_ALLOWANCE
    ).aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    return (agg["c"] or 0) - (agg["d"] or 0)


def _post_ppap(koperasi, *, actor, as_of: dt.date, required: int):
    _lock(koperasi)
    period = as_of.year * 100 + as_of.month
    if PpapRun.objects.filter(koperasi=koperasi, period=period).exists():
        return PpapRun.objects.get(koperasi=koperasi, period=period).entry
    held = allowance_balance(koperasi)
    delta = required - held
    entry = None
    if delta:
        up = delta > 0
        entry = _post(
            koperasi,
            actor=actor,
            date=as_of,
            memo=book_text(
                koperasi,
                MEMOS["ppap"],
                month=f"{as_of:%m/%Y}",
                amount=format_rupiah(required),
            ),
            lines=[
                (LineDraft.debit if up else LineDraft.credit)(chart.LOAN_LOSS_EXPENSE, abs(delta)),
                (LineDraft.credit if up else LineDraft.debit)(
                    chart.LOAN_LOSS_ALLOWANCE, abs(delta)
                ),
            ],
            key=f"loans:ppap:{period}",
            source="loans.ppap",
            audited_by_caller=False,  # the daily job records no event of its own
        )
    PpapRun.objects.create(
        koperasi=koperasi, period=period, date=as_of, required=required, previous=held, entry=entry
    )
    return entry
