"""Demo purchasing: the gerai sembako's orders to its two suppliers (one received and paid
in cash, one received on credit in two deliveries and partly paid), the members' harvest
unit with gabah and cabai bought from a few members. Through the services; found by the
demo builder's autodiscovery (``kopdes.demo``) and run after the store's catalog."""

from __future__ import annotations

from django.utils import timezone

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member
from kopdes.purchasing import services
from kopdes.purchasing.models import PurchaseOrder
from kopdes.store import services as store_services
from kopdes.store.models import BusinessUnit, Item, Supplier

# item name, quantity, unit, agreed price per unit (rupiah)
WHOLESALE = [
    ("Beras medium 5 kg", 40, "pcs", 63_500),
    ("Minyak goreng 1 liter", 5, "dus", 198_000),
    ("Gula pasir 1 kg", 2, "dus", 316_000),
]
ON_CREDIT = [
    ("Mie instan goreng", 6, "dus", 108_000),
    ("Telur ayam negeri", 30, "kg", 26_500),
]
HARVEST = [
    # name, member price, public price (rupiah per kg), standard moisture bp, rafaksi bp
    ("Gabah kering panen", 7_000, 7_300, 2500, 100),
    ("Cabai rawit merah", 42_000, 45_000, None, 200),
]


def _lines(koperasi, table) -> list[dict]:
    items = {
        i.name: i for i in Item.objects.filter(koperasi=koperasi, name__in=[t[0] for t in table])
    }
    return [
        {"item": items[name], "quantity": quantity, "unit": unit, "price": price * 100}
        for name, quantity, unit, price in table
        if name in items
    ]


def _receive_all(koperasi, actor, order, *, on_credit: bool, key: str, share=None) -> None:
    quantities = {}
    for line in order.lines.all():
        left = line.remaining if share is None else line.quantity * share[0] // share[1]
        if left > 0:
            quantities[str(line.pk)] = services.in_unit(line, left).replace(",", ".")
    services.receive_order(
        koperasi, actor=actor, order=order, quantities=quantities, on_credit=on_credit,
        idempotency_key=key,
    )  # fmt: skip


def _orders(koperasi, bendahara) -> None:
    suppliers = list(Supplier.objects.filter(koperasi=koperasi).order_by("is_umkm", "name"))
    if not suppliers:
        return
    distributor, other = suppliers[0], suppliers[-1]
    for supplier, table, tag in ((distributor, WHOLESALE, "cash"), (other, ON_CREDIT, "credit")):
        lines = _lines(koperasi, table)
        if not lines:
            continue
        order = services.create_order(
            koperasi, actor=bendahara, supplier=supplier, lines=lines,
            note="Stok bulanan gerai sembako", idempotency_key=f"demo:po:{tag}",
        )  # fmt: skip
        services.place_order(koperasi, actor=bendahara, order=order)
        if tag == "cash":
            _receive_all(koperasi, bendahara, order, on_credit=False, key="demo:gr:cash")
            continue
        # Two deliveries on credit: half first, the rest later; then part of it paid.
        _receive_all(koperasi, bendahara, order, on_credit=True, key="demo:gr:1", share=(1, 2))
        order.refresh_from_db()
        _receive_all(koperasi, bendahara, order, on_credit=True, key="demo:gr:2")
        owed = services.owed_to(koperasi, supplier)
        services.pay_supplier(
            koperasi, actor=bendahara, supplier=supplier, amount=owed // 2 // 100_000 * 100_000,
            business_unit="sembako", note="Cicilan pertama", idempotency_key="demo:pay:1",
        )  # fmt: skip


def _harvest(koperasi, bendahara, rng) -> None:
    manajer = demo_officer(koperasi, "manajer")
    if not BusinessUnit.objects.filter(koperasi=koperasi, kind="hasil_bumi").exists():
        store_services.enable_business_unit(
            koperasi, actor=manajer, kind="hasil_bumi", at=timezone.now()
        )
    items = []
    for name, member, public, moisture, refraction in HARVEST:
        item = Item.objects.filter(koperasi=koperasi, name=name).first()
        if item is None:
            item = store_services.create_item(
                koperasi,
                actor=manajer,
                data={
                    "name": name, "category": "Hasil bumi", "business_unit": "hasil_bumi",
                    "base_unit": "kg", "member_price": member * 100, "public_price": public * 100,
                },
            )  # fmt: skip
        services.set_harvest_terms(
            koperasi, actor=bendahara, item=item, standard_moisture_bp=moisture,
            refraction_bp=refraction,
        )  # fmt: skip
        items.append(item)
    members = list(
        Member.objects.filter(koperasi=koperasi, status=MemberStatus.ACTIVE).order_by("number")[:4]
    )
    for n, member in enumerate(members):
        gabah = n % 2 == 0
        item = items[0] if gabah else items[1]
        services.buy_harvest(
            koperasi,
            actor=bendahara,
            member=member,
            item=item,
            gross_kg=str(rng.randrange(300, 1200) if gabah else rng.randrange(10, 60)),
            price_per_kg=(5_500_00 if gabah else 38_000_00),
            moisture_bp=rng.randrange(2500, 2900) if gabah else None,
            idempotency_key=f"demo:harvest:{n}",
        )


def add_purchasing(koperasi, rng) -> None:
    if not BusinessUnit.objects.filter(koperasi=koperasi, kind="sembako").exists():
        return
    if PurchaseOrder.objects.filter(koperasi=koperasi).exists():
        return  # already built (the demo is idempotent)
    bendahara = demo_officer(koperasi, "bendahara")
    _orders(koperasi, bendahara)
    _harvest(koperasi, bendahara, rng)


EXTENSIONS.append(add_purchasing)
