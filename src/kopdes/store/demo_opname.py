"""Demo: one stock opname of the gerai sembako at the end of the demo's year of sales, with
differences (a few items short, one over), counted by the kasir and approved by the ketua
through the services, so the adjustment entry, the movements and ``kopdes verify`` agree.
Appended to ``EXTENSIONS`` at the end of ``store/demo.py`` (after the year of sales)."""

from __future__ import annotations

import random

from kopdes.demo import demo_officer
from kopdes.store.models import BusinessUnit, StockCount, StockCountLine
from kopdes.store.services import stock_count
from kopdes.store.services.stock_count import shown_quantity


def add_stock_opname(koperasi, rng: random.Random) -> None:
    unit = BusinessUnit.objects.filter(koperasi=koperasi, kind="sembako", is_active=True).first()
    if unit is None or StockCount.objects.filter(koperasi=koperasi).exists():
        return  # no gerai, or already counted (the demo is idempotent)
    kasir = demo_officer(koperasi, "kasir")
    count = stock_count.start_count(koperasi, actor=kasir, business_unit=unit)
    lines = list(StockCountLine.objects.filter(count=count).select_related("item"))
    stocked = [line for line in lines if line.snapshot_quantity > 1]
    short = {line.pk for line in rng.sample(stocked, min(3, len(stocked)))}
    over = {line.pk for line in rng.sample(stocked, min(1, len(stocked))) if line.pk not in short}
    typed = {}
    for line in lines:
        counted = line.snapshot_quantity
        per = line.item.units().price_per  # 1000 for kg: whole kilos off the scale
        if line.pk in short:
            counted -= min(line.snapshot_quantity, per * rng.randint(1, 2))
        elif line.pk in over:
            counted += per
        typed[str(line.pk)] = shown_quantity(line.item, counted)
    stock_count.save_counts(count, actor=kasir, counts=typed)
    stock_count.submit_count(count, actor=kasir, reason="Stok opname akhir tahun buku")
    stock_count.approve_count(count, actor=demo_officer(koperasi, "ketua"))
