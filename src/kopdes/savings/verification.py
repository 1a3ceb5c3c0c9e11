"""``kopdes verify`` check ``savings.accounts``: every member savings account's stored
balance equals its sub-ledger in the books, its last passbook row, and the sum of its rows.

The ledger's own ``ledger.subledgers`` check proves the sub-ledgers add up to the control
accounts (2-1100, 2-1200, 3-1100, 3-1200); this one ties those sub-ledgers to the savings
tables, so a member's balance on screen is exactly what the books hold for them.
"""

from __future__ import annotations

from django.db.models import F, Sum

from kopdes.ledger.models import SubledgerBalance
from kopdes.platform.core.verification import CheckResult, register
from kopdes.savings.choices import TxnKind
from kopdes.savings.models import SavingsAccount, SavingsTransaction

MAX_PROBLEMS = 50


@register("savings.accounts")
def check_accounts(koperasi=None) -> CheckResult:
    result = CheckResult("savings.accounts", unit="rekening")
    accounts = SavingsAccount.objects.all()
    if koperasi is not None:
        accounts = accounts.filter(koperasi=koperasi)
    kids = set(accounts.values_list("koperasi_id", flat=True).distinct())
    for kid in sorted(kids, key=str):
        books: dict[str, int] = {}
        for ref, d, c in (
            SubledgerBalance.objects.filter(koperasi_id=kid, subledger_kind="savings")
            .values("subledger_ref")
            .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
            .values_list("subledger_ref", "d", "c")
        ):
            books[ref] = c - d
        sums = dict(
            SavingsTransaction.objects.filter(koperasi_id=kid)
            .values("account_id")
            .annotate(t=Sum("amount"))
            .values_list("account_id", "t")
        )
        last = {}
        for acc_id, bal in (
            SavingsTransaction.objects.filter(koperasi_id=kid)
            .order_by("account_id", "-seq")
            .values_list("account_id", "balance_after")
        ):
            last.setdefault(acc_id, bal)
        for pk, number, balance in accounts.filter(koperasi_id=kid).values_list(
            "pk", "number", "balance"
        ):
            result.checked += 1
            figures = (books.get(str(pk), 0), sums.get(pk, 0), last.get(pk, 0))
            if any(f != balance for f in figures) and len(result.problems) < MAX_PROBLEMS:
                result.problems.append(
                    f"koperasi {kid} rekening {number}: saldo {balance} != buku/baris/terakhir "
                    f"{figures[0]}/{figures[1]}/{figures[2]}"
                )
        orphans = set(books) - {str(pk) for pk in accounts.values_list("pk", flat=True)}
        for ref in sorted(orphans)[:MAX_PROBLEMS]:
            result.problems.append(f"koperasi {kid}: sub-ledger {ref} tanpa rekening simpanan")
    return result


@register("savings.dates")
def check_dates(koperasi=None) -> CheckResult:
    """No passbook row is dated before its account was opened (opening balances aside)."""
    result = CheckResult("tanggal mutasi simpanan", unit="mutasi")
    rows = SavingsTransaction.objects.all()
    if koperasi is not None:
        rows = rows.filter(koperasi=koperasi)
    result.checked = rows.count()
    early = (
        rows.filter(date__lt=F("account__opened_on"))
        .exclude(kind=TxnKind.OPENING)
        .order_by("date")
        .values_list("koperasi__slug", "account__number", "seq", "date", "account__opened_on")
    )
    for slug, number, seq, day, opened in early[:MAX_PROBLEMS]:
        result.problems.append(
            f"koperasi {slug} rekening {number} mutasi {seq}: tanggal {day.isoformat()} "
            f"sebelum rekening dibuka ({opened.isoformat()})"
        )
    return result
