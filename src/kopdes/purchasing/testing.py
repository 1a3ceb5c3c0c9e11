"""Builders for tests that need purchasing: suppliers, placed orders, harvest items.
Deterministic; every row goes through the services."""

from __future__ import annotations

import itertools

from kopdes.platform.core.testing import make_user
from kopdes.purchasing import services
from kopdes.purchasing.models import PurchaseOrder
from kopdes.store import services as store_services
from kopdes.store.models import Item, Supplier
from kopdes.store.testing import item_data, make_item, running_unit

_n = itertools.count(1)


def bendahara(koperasi):
    return make_user("bendahara", koperasi)


def key() -> str:
    return f"pk-{next(_n)}"


def make_supplier(koperasi, name: str = "") -> Supplier:
    running_unit(koperasi)
    return store_services.create_supplier(
        koperasi,
        actor=make_user("manajer", koperasi),
        data={"name": name or f"CV Sumber Pangan {next(_n)}"},
    )


def placed_order(koperasi, *, supplier=None, lines=None, actor=None) -> PurchaseOrder:
    """A placed order: by default 10 dus of cooking oil (12 pcs a dus) at Rp200.000 a dus
    and 25 kg of eggs at Rp27.000 a kg."""
    actor = actor or bendahara(koperasi)
    supplier = supplier or make_supplier(koperasi)
    if lines is None:
        oil = make_item(koperasi)
        eggs = make_item(
            koperasi, name=f"Telur ayam {next(_n)}", base_unit="kg", units_per_dus=None,
            member_price=28_000_00, public_price=29_500_00, min_stock=5,
        )  # fmt: skip
        lines = [
            {"item": oil, "quantity": 10, "unit": "dus", "price": 200_000_00},
            {"item": eggs, "quantity": "25", "unit": "kg", "price": 27_000_00},
        ]
    order = services.create_order(
        koperasi, actor=actor, supplier=supplier, lines=lines, idempotency_key=key()
    )
    return services.place_order(koperasi, actor=actor, order=order)


def harvest_item(koperasi, name: str = "Gabah kering giling") -> Item:
    """An item of the hasil bumi unit, bought and sold by the kg."""
    running_unit(koperasi, "hasil_bumi")
    return store_services.create_item(
        koperasi,
        actor=make_user("manajer", koperasi),
        data=item_data(
            name=name, category="Hasil bumi", business_unit="hasil_bumi", base_unit="kg",
            units_per_dus=None, member_price=7_000_00, public_price=7_500_00, min_stock=0,
        ),
    )  # fmt: skip
