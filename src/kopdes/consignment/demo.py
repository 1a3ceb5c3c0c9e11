"""Demo titip jual: two UMKM of the village leave their goods at the gerai sembako (Bu
Euis's cassava crisps at 15% commission, Pak Ujang's ground coffee at his own price per
pack), goods received last month and this one, sales through the real checkout, and last
month settled and paid. Through the services, after the store's demo (the gerai and its
UMKM supplier exist); small, so ``make demo`` stays quick."""

from __future__ import annotations

import datetime as dt

from kopdes.consignment import services
from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.barcode import with_check_digit
from kopdes.domain.sale import Payment, line_gross
from kopdes.store import services as store
from kopdes.store.models import BusinessUnit, Supplier

CONSIGNORS = [
    {"name": "UMKM Keripik Singkong Bu Euis", "is_umkm": True, "owner_name": "Euis Maryani",
     "phone": "0812-8765-4321"},
    {"name": "UMKM Kopi Bubuk Pak Ujang", "is_umkm": True, "owner_name": "Ujang Suparman",
     "phone": "0813-2233-4455"},
]  # fmt: skip
# name, consignor (index), member price, public price (rupiah), terms, received per month
ITEMS = [
    ("Keripik singkong balado 200 g", 0, 11_500, 12_000, ("percent", 1_500, 0), 40),
    ("Keripik singkong original 200 g", 0, 11_000, 11_500, ("percent", 1_500, 0), 40),
    ("Kopi bubuk robusta Pak Ujang 250 g", 1, 26_000, 27_000, ("consignor_price", 0, 22_000), 24),
]  # fmt: skip


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def add_consignment(koperasi, rng) -> None:
    unit = BusinessUnit.objects.filter(koperasi=koperasi, kind="sembako").first()
    if unit is None or services.item_rows(koperasi):
        return  # no gerai, or already built
    manajer = demo_officer(koperasi, "manajer")
    kasir = demo_officer(koperasi, "kasir")
    bendahara = demo_officer(koperasi, "bendahara")
    consignors = []
    for data in CONSIGNORS:
        found = Supplier.objects.filter(koperasi=koperasi, name=data["name"]).first()
        consignors.append(found or store.create_supplier(koperasi, actor=manajer, data=data))
    today = koperasi.today()
    last_month = _month_start(today, 1)
    items = []
    for n, (name, who, member, public, (kind, rate, price), monthly) in enumerate(ITEMS):
        item = store.create_item(
            koperasi,
            actor=manajer,
            data={
                "name": name,
                "barcode": with_check_digit(f"899{901 + n:09d}"),
                "category": "Titipan UMKM",
                "business_unit": "sembako",
                "base_unit": "pcs",
                "member_price": member * 100,
                "public_price": public * 100,
                "min_stock": 0,
            },
        )
        services.set_terms(
            koperasi,
            actor=manajer,
            item=item,
            consignor=consignors[who],
            kind=kind,
            rate_bp=rate,
            consignor_price=price * 100,
            valid_from=last_month,
        )
        for month, day in (
            (last_month, last_month + dt.timedelta(days=2)),
            (today, today.replace(day=1)),
        ):
            services.receive_goods(
                koperasi,
                actor=manajer,
                item=item,
                quantity=monthly,
                date=day,
                idempotency_key=f"demo-titip-in-{item.pk}-{month:%Y%m}",
            )
        items.append(item)
    # A few sales a week since the first receipt, in cash; some to the public.
    day, number = last_month + dt.timedelta(days=3), 0
    while day <= today:
        for item in rng.sample(items, rng.randint(1, 2)):
            quantity = rng.randint(1, 3)
            total = line_gross(quantity, item.public_price)
            number += 1
            store.checkout(
                koperasi,
                actor=kasir,
                lines=[{"item": item, "quantity": quantity}],
                payments=[Payment("cash", -(-total // 10_000_00) * 10_000_00)],
                date=day,
                idempotency_key=f"demo-titip-sale-{number}",
            )
        day += dt.timedelta(days=rng.choice((2, 3)))
    # Last month settled: each consignor paid what its sales owe.
    for consignor in consignors:
        stated = services.statement(koperasi, consignor, last_month.year, last_month.month)
        if stated.due > 0:
            services.pay_consignor(
                koperasi,
                actor=bendahara,
                consignor=consignor,
                year=last_month.year,
                month=last_month.month,
                amount=stated.due,
                idempotency_key=f"demo-titip-pay-{consignor.pk}-{last_month:%Y%m}",
            )


EXTENSIONS.append(add_consignment)
