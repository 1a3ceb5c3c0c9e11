"""``kopdes verify`` check ``pharmacy.batches``: per goods item of the apotek, the batches
on hand add up to the item's stock position, and each batch's quantity equals what its
movements say (received and returned, less sold and counted short). Stock that moved
outside the batch rules (a receipt before this app, a return to the supplier) shows up
here."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from kopdes.pharmacy.choices import APOTEK, BATCH_INCOMING
from kopdes.pharmacy.models import Batch, BatchMovement
from kopdes.platform.core.verification import CheckResult, register
from kopdes.store.models import StockPosition

MAX_PROBLEMS = 50


@register("pharmacy.batches")
def check_batches(koperasi=None) -> CheckResult:
    result = CheckResult("pharmacy.batches", unit="batch")

    def problem(text: str) -> None:
        if len(result.problems) < MAX_PROBLEMS:
            result.problems.append(text)

    positions = StockPosition.objects.filter(
        business_unit__kind=APOTEK, item__is_service=False
    ).values_list("koperasi_id", "item_id", "item__name", "quantity")
    batches = Batch.objects.all()
    moves = BatchMovement.objects.all()
    if koperasi is not None:
        positions = positions.filter(koperasi=koperasi)
        batches = batches.filter(koperasi=koperasi)
        moves = moves.filter(koperasi=koperasi)
    on_hand: dict = defaultdict(int)
    own = {}
    for row in batches.values_list("pk", "koperasi_id", "item_id", "batch_number", "quantity"):
        pk, kid, item_id, number, quantity = row
        on_hand[(kid, item_id)] += quantity
        own[pk] = (kid, number, quantity)
    moved: dict = defaultdict(int)
    for batch_id, kind, total in (
        moves.values("batch_id", "kind")
        .annotate(t=Sum("quantity"))
        .values_list("batch_id", "kind", "t")
    ):
        moved[batch_id] += total if kind in BATCH_INCOMING else -total
    for pk, (kid, number, quantity) in own.items():
        result.checked += 1
        if moved.get(pk, 0) != quantity:
            problem(f"koperasi {kid} batch {number}: stok {quantity} != mutasi {moved.get(pk, 0)}")
    for kid, item_id, name, quantity in positions:
        if on_hand.get((kid, item_id), 0) != quantity:
            problem(
                f"koperasi {kid} obat {name}: stok {quantity} != jumlah batch "
                f"{on_hand.get((kid, item_id), 0)}"
            )
    return result
