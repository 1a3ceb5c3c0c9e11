"""``kopdes verify`` check ``loans.subledger``: every loan's principal outstanding equals
its sub-ledger on 1-1300 in the books, and its installment rows agree with it.

The ledger's own ``ledger.subledgers`` check proves the sub-ledgers add up to the control
account 1-1300; this one ties each sub-ledger to the loan table, so the outstanding shown
on a page is exactly what the books hold (reliability I5).
"""

from __future__ import annotations

from django.db.models import F, Sum

from kopdes.ledger.models import SubledgerBalance
from kopdes.loans.choices import LoanStatus
from kopdes.loans.models import Installment, Loan, Repayment
from kopdes.platform.core.verification import CheckResult, register

MAX_PROBLEMS = 50


@register("loans.subledger")
def check_loans(koperasi=None) -> CheckResult:
    result = CheckResult("pinjaman anggota = buku pembantu 1-1300", unit="pinjaman")
    loans = Loan.objects.exclude(disbursement_entry__isnull=True)
    if koperasi is not None:
        loans = loans.filter(koperasi=koperasi)
    kids = set(loans.values_list("koperasi_id", flat=True).distinct())
    for kid in sorted(kids, key=str):
        books = {
            ref: d - c
            for ref, d, c in SubledgerBalance.objects.filter(
                koperasi_id=kid, subledger_kind="loans"
            )
            .values("subledger_ref")
            .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
            .values_list("subledger_ref", "d", "c")
        }
        rows = dict(
            Installment.objects.filter(koperasi_id=kid)
            .values("loan_id")
            .annotate(t=Sum("principal") - Sum("principal_paid"))
            .values_list("loan_id", "t")
        )
        known = set()
        for pk, number, status, principal, paid in loans.filter(koperasi_id=kid).values_list(
            "pk", "number", "status", "principal", "principal_paid"
        ):
            result.checked += 1
            known.add(str(pk))
            outstanding = principal - paid
            # A restructured or written-off loan's unpaid rows are closed, not repaid.
            scheduled = rows.get(pk, 0) if status == LoanStatus.ACTIVE else 0
            figures = (books.get(str(pk), 0), scheduled)
            if status != LoanStatus.ACTIVE and outstanding:
                problem = f"pinjaman {number}: status {status} tetapi sisa pokok {outstanding}"
            elif any(f != outstanding for f in figures):
                problem = (
                    f"pinjaman {number}: sisa pokok {outstanding} != buku/jadwal "
                    f"{figures[0]}/{figures[1]}"
                )
            else:
                continue
            if len(result.problems) < MAX_PROBLEMS:
                result.problems.append(f"koperasi {kid} {problem}")
        for ref in sorted(set(books) - known)[:MAX_PROBLEMS]:
            if books[ref]:
                result.problems.append(f"koperasi {kid}: sub-ledger {ref} tanpa pinjaman")
    return result


@register("loans.dates")
def check_dates(koperasi=None) -> CheckResult:
    """No repayment is dated before its loan was disbursed."""
    result = CheckResult("tanggal angsuran pinjaman", unit="angsuran")
    rows = Repayment.objects.all()
    if koperasi is not None:
        rows = rows.filter(koperasi=koperasi)
    result.checked = rows.count()
    early = (
        rows.filter(date__lt=F("loan__disbursed_on"))
        .order_by("date")
        .values_list("koperasi__slug", "loan__number", "date", "loan__disbursed_on")
    )
    for slug, number, day, disbursed in early[:MAX_PROBLEMS]:
        result.problems.append(
            f"koperasi {slug} pinjaman {number}: angsuran tanggal {day.isoformat()} "
            f"sebelum pencairan ({disbursed.isoformat()})"
        )
    return result
