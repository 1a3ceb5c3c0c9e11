"""Builders for tests that need an apotek: its unit, drugs, a pharmacist, batches.
Deterministic; every row goes through the services."""

from __future__ import annotations

import datetime as dt
import itertools

from kopdes.pharmacy import services
from kopdes.platform.core.testing import make_user
from kopdes.store.testing import make_item, running_unit

_serial = itertools.count(1)


def manajer(koperasi):
    return make_user("manajer", koperasi)


def make_drug(
    koperasi,
    name: str | None = None,
    *,
    drug_class: str = "bebas",
    dosage_form: str = "tablet",
    strength: str = "500 mg",
    member_price: int = 4_500_00,
    public_price: int = 5_000_00,
    actor=None,
):
    """An apotek item (per pcs) with its drug information."""
    actor = actor or manajer(koperasi)
    running_unit(koperasi, "apotek", actor=actor)
    item = make_item(
        koperasi,
        actor=actor,
        name=name or f"Obat {next(_serial)}",
        category="Obat",
        business_unit="apotek",
        units_per_dus=None,
        member_price=member_price,
        public_price=public_price,
        min_stock=0,
    )
    services.set_drug_info(
        koperasi,
        actor=actor,
        item=item,
        data={"drug_class": drug_class, "dosage_form": dosage_form, "strength": strength},
    )
    return item


def appoint(koperasi, *, expires_on: dt.date | None = None, name: str = "apt. Rina Marlina"):
    return services.appoint_pharmacist(
        koperasi,
        actor=manajer(koperasi),
        data={
            "name": name,
            "sipa_number": f"503/SIPA/{next(_serial):03d}/2025",
            "sipa_expires_on": expires_on or koperasi.today() + dt.timedelta(days=900),
        },
    )


def receive(koperasi, item, batch: str, expires_on: dt.date, quantity: int, *, cost_each=3_000_00):
    return services.receive_batch(
        koperasi,
        actor=manajer(koperasi),
        item=item,
        batch_number=batch,
        expires_on=expires_on,
        quantity=quantity,
        cost=quantity * cost_each,
        idempotency_key=f"batch-{item.pk}-{batch}-{next(_serial)}",
    )
