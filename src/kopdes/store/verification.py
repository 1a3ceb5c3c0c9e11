"""``kopdes verify`` check ``store.stock``: the stock valuation reconciles with the books.

Per business unit that sells goods, the sum of its items' ``StockPosition.value`` equals
the balance of its Persediaan account (``BusinessUnit.inventory_account``); per item, the
position equals its inventory sub-ledger in the books and the position after its last
movement. A position changed by hand (or a movement lost) shows up here.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from kopdes.ledger.models import AccountBalance, SubledgerBalance
from kopdes.platform.core.verification import CheckResult, register
from kopdes.store.models import BusinessUnit, StockMovement, StockPosition

MAX_PROBLEMS = 50


@register("store.stock")
def check_stock(koperasi=None) -> CheckResult:
    result = CheckResult("store.stock", unit="posisi stok")
    units = BusinessUnit.objects.exclude(inventory_account="")
    if koperasi is not None:
        units = units.filter(koperasi=koperasi)
    kids = sorted(set(units.values_list("koperasi_id", flat=True)), key=str)

    def problem(text: str) -> None:
        if len(result.problems) < MAX_PROBLEMS:
            result.problems.append(text)

    for kid in kids:
        positions = list(
            StockPosition.objects.filter(koperasi_id=kid).values_list(
                "item_id", "item__name", "business_unit_id", "quantity", "value"
            )
        )
        books = defaultdict(int)
        for ref, d, c in (
            SubledgerBalance.objects.filter(koperasi_id=kid, subledger_kind="inventory")
            .values("subledger_ref")
            .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
            .values_list("subledger_ref", "d", "c")
        ):
            books[ref] = d - c
        last: dict = {}
        for item_id, q, v in (
            StockMovement.objects.filter(koperasi_id=kid)
            .order_by("item_id", "-created_at", "-id")
            .values_list("item_id", "quantity_after", "value_after")
        ):
            last.setdefault(item_id, (q, v))
        by_unit: dict = defaultdict(int)
        for item_id, name, unit_id, quantity, value in positions:
            result.checked += 1
            by_unit[unit_id] += value
            if books.get(str(item_id), 0) != value:
                problem(
                    f"koperasi {kid} barang {name}: nilai stok {value} != buku persediaan "
                    f"{books.get(str(item_id), 0)}"
                )
            if last.get(item_id, (0, 0)) != (quantity, value):
                problem(
                    f"koperasi {kid} barang {name}: posisi ({quantity}, {value}) != mutasi "
                    f"terakhir {last.get(item_id, (0, 0))}"
                )
        for unit_id, name, code in units.filter(koperasi_id=kid).values_list(
            "pk", "name", "inventory_account"
        ):
            got = AccountBalance.objects.filter(koperasi_id=kid, account__code=code).aggregate(
                d=Sum("debit_total"), c=Sum("credit_total")
            )
            balance = (got["d"] or 0) - (got["c"] or 0)
            if balance != by_unit.get(unit_id, 0):
                problem(
                    f"koperasi {kid} unit {name}: nilai stok {by_unit.get(unit_id, 0)} != "
                    f"saldo akun persediaan {code} {balance}"
                )
    return result
