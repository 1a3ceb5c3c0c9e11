"""Builders for tests that need consigned goods: an UMKM consignor, a consigned item with
terms, goods received. Every row goes through the services."""

from __future__ import annotations

import itertools
import uuid

from kopdes.consignment import services
from kopdes.platform.core.testing import make_user
from kopdes.store import services as store
from kopdes.store.testing import make_item

_serial = itertools.count(1)


def manajer(koperasi):
    return make_user("manajer", koperasi)


def make_consignor(koperasi, *, umkm: bool = True, name: str = ""):
    return store.create_supplier(
        koperasi,
        actor=manajer(koperasi),
        data={
            "name": name or f"UMKM Keripik {next(_serial)}",
            "is_umkm": umkm,
            "owner_name": "Euis Maryani" if umkm else "",
            "phone": "0812-8765-4321",
        },
    )


def consigned_item(
    koperasi,
    consignor=None,
    *,
    kind: str = "percent",
    rate_bp: int = 1_000,
    margin: int = 0,
    consignor_price: int = 0,
    received: int = 0,
    valid_from=None,
    **item,
):
    """An item of ``consignor`` (a new UMKM when None) on ``kind`` terms from
    ``valid_from`` (default: the first of this month), with ``received`` pieces in."""
    consignor = consignor or make_consignor(koperasi)
    item.setdefault("member_price", 14_000_00)
    item.setdefault("public_price", 15_000_00)
    item.setdefault("units_per_dus", None)
    goods = make_item(koperasi, **item)
    services.set_terms(
        koperasi,
        actor=manajer(koperasi),
        item=goods,
        consignor=consignor,
        kind=kind,
        rate_bp=rate_bp,
        margin=margin,
        consignor_price=consignor_price,
        valid_from=valid_from or koperasi.today().replace(day=1),
    )
    if received:
        services.receive_goods(
            koperasi,
            actor=manajer(koperasi),
            item=goods,
            quantity=received,
            idempotency_key=f"in-{uuid.uuid4()}",
        )
    return goods, consignor
