"""``kopdes verify`` check ``purchasing.payables``: what purchasing says is owed to each
supplier agrees with the books. Per receipt on credit, its total equals the Utang usaha
(2-1300) credits of its lines' journal entries and its ``paid`` equals its allocations;
per supplier payment, its amount equals its allocations and its entry's 2-1300 debit. A
receipt or payment changed by hand, or a posting lost, shows up here (2-1300 itself also
holds consignment, so the check goes through purchasing's own entries)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from kopdes.ledger import chart
from kopdes.ledger.models import JournalLine
from kopdes.platform.core.verification import CheckResult, register
from kopdes.purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PaymentAllocation,
    SupplierPayment,
)

MAX_PROBLEMS = 50


def _payable_lines(entry_ids, side: str) -> dict:
    """{entry id: sen} of the 2-1300 lines on ``side`` of those entries."""
    totals: dict = defaultdict(int)
    rows = (
        JournalLine.objects.filter(
            entry_id__in=list(entry_ids), account__code=chart.TRADE_PAYABLE, side=side
        )
        .values("entry_id")
        .annotate(t=Sum("amount"))
        .values_list("entry_id", "t")
    )
    for entry_id, total in rows:
        totals[entry_id] += int(total)
    return totals


@register("purchasing.payables")
def check_payables(koperasi=None) -> CheckResult:
    result = CheckResult("purchasing.payables", unit="utang")

    def problem(text: str) -> None:
        if len(result.problems) < MAX_PROBLEMS:
            result.problems.append(text)

    receipts = GoodsReceipt.objects.filter(on_credit=True)
    lines = GoodsReceiptLine.objects.filter(receipt__on_credit=True)
    payments = SupplierPayment.objects.all()
    allocations = PaymentAllocation.objects.all()
    if koperasi is not None:
        receipts = receipts.filter(koperasi=koperasi)
        lines = lines.filter(koperasi=koperasi)
        payments = payments.filter(koperasi=koperasi)
        allocations = allocations.filter(koperasi=koperasi)
    entries_of: dict = defaultdict(set)
    for receipt_id, entry_id in lines.values_list("receipt_id", "movement__entry_id"):
        if entry_id is not None:
            entries_of[receipt_id].add(entry_id)
    credits = _payable_lines({e for es in entries_of.values() for e in es}, "C")
    settled: dict = defaultdict(int)
    paid_out: dict = defaultdict(int)
    for receipt_id, payment_id, amount in allocations.values_list(
        "receipt_id", "payment_id", "amount"
    ):
        settled[receipt_id] += amount
        paid_out[payment_id] += amount
    for pk, number, total, paid in receipts.values_list("pk", "number", "total", "paid"):
        result.checked += 1
        booked = sum(credits.get(e, 0) for e in entries_of.get(pk, ()))
        if booked != total:
            problem(f"BPB-{number:05d}: total {total} != utang usaha dibukukan {booked}")
        if settled.get(pk, 0) != paid:
            problem(f"BPB-{number:05d}: dibayar {paid} != alokasi {settled.get(pk, 0)}")
    rows = list(payments.values_list("pk", "number", "amount", "entry_id"))
    debits = _payable_lines({r[3] for r in rows}, "D")
    for pk, number, amount, entry_id in rows:
        result.checked += 1
        if paid_out.get(pk, 0) != amount:
            problem(f"PB-{number:05d}: jumlah {amount} != alokasi {paid_out.get(pk, 0)}")
        if debits.get(entry_id, 0) != amount:
            problem(
                f"PB-{number:05d}: jumlah {amount} != debit utang usaha {debits.get(entry_id, 0)}"
            )
    return result
