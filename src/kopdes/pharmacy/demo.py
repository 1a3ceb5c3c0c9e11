"""Demo apotek desa (where the koperasi runs one): the responsible pharmacist (and the one
before her), ten drugs with their class, form and strength, batches with different
expiries (one within the near-expiry window, one already expired on the shelf), a
psychotropic for the SIPNAP report, and a few sales first-expiring-first, the
prescription drugs with their prescription. Through the services and the checkout; runs
after the store's demo (which enables the apotek and adds its first three items)."""

from __future__ import annotations

import datetime as dt

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.barcode import with_check_digit
from kopdes.domain.sale import Payment
from kopdes.pharmacy import services
from kopdes.pharmacy.models import Batch
from kopdes.store import services as store
from kopdes.store.models import BusinessUnit, Item, Supplier

# name, drug class, dosage form, strength, member / public price (rupiah) per pcs
DRUGS = [
    ("Parasetamol 500 mg (strip 10)", "bebas", "tablet", "500 mg", None, None),
    ("Oralit (sachet)", "bebas", "serbuk", "200 ml", None, None),
    ("Minyak kayu putih 60 ml", "bebas", "cairan", "60 ml", None, None),
    ("Amoksisilin 500 mg (strip 10)", "keras", "kapsul", "500 mg", 8_000, 9_000),
    ("Asam mefenamat 500 mg (strip 10)", "keras", "kaplet", "500 mg", 5_000, 6_000),
    ("Vitamin C 500 mg (strip 10)", "bebas", "tablet", "500 mg", 4_000, 4_500),
    ("Antasida doen (strip 10)", "bebas", "tablet", "200 mg", 3_000, 3_500),
    ("Obat batuk hitam (OBH) 100 ml", "bebas_terbatas", "sirup", "100 ml", 17_000, 18_500),
    ("CTM 4 mg (strip 10)", "bebas_terbatas", "tablet", "4 mg", 2_000, 2_500),
    ("Diazepam 2 mg (strip 10)", "psikotropika", "tablet", "2 mg", 10_000, 12_000),
]
# name, batch, expiry (days from today), received (days ago), quantity (pcs)
BATCHES = [
    ("Parasetamol 500 mg (strip 10)", "PCT24K118", 45, 150, 30),  # near expiry
    ("Parasetamol 500 mg (strip 10)", "PCT25C207", 520, 40, 60),
    ("Oralit (sachet)", "ORS24H031", -10, 200, 25),  # expired, still on the shelf
    ("Oralit (sachet)", "ORS25B114", 330, 40, 80),
    ("Minyak kayu putih 60 ml", "MKP25A009", 700, 60, 24),
    ("Amoksisilin 500 mg (strip 10)", "AMX25D052", 400, 60, 40),
    ("Asam mefenamat 500 mg (strip 10)", "AMF25E310", 610, 60, 30),
    ("Vitamin C 500 mg (strip 10)", "VTC25F088", 250, 60, 50),
    ("Antasida doen (strip 10)", "ANT25C442", 480, 60, 30),
    ("Obat batuk hitam (OBH) 100 ml", "OBH25G017", 300, 60, 18),
    ("CTM 4 mg (strip 10)", "CTM25B221", 560, 60, 40),
    ("Diazepam 2 mg (strip 10)", "DZP25A004", 720, 60, 20),
]
# days ago, member sale, lines: (name, quantity, prescription number, prescriber)
SALES = [
    (35, False, [("Parasetamol 500 mg (strip 10)", 2, "", ""), ("Oralit (sachet)", 3, "", "")]),
    (30, True, [("Amoksisilin 500 mg (strip 10)", 2, "R/2025/0418", "dr. Asep Saepudin")]),
    (25, False, [("Diazepam 2 mg (strip 10)", 1, "R/2025/0433", "dr. Yanti Rahayu, Sp.KJ")]),
    (12, True, [("Vitamin C 500 mg (strip 10)", 3, "", ""), ("CTM 4 mg (strip 10)", 1, "", "")]),
    (
        5,
        False,
        [
            ("Parasetamol 500 mg (strip 10)", 3, "", ""),
            ("Obat batuk hitam (OBH) 100 ml", 1, "", ""),
        ],
    ),
    (2, False, [("Asam mefenamat 500 mg (strip 10)", 1, "R/2025/0471", "dr. Asep Saepudin")]),
    (1, False, [("Diazepam 2 mg (strip 10)", 1, "R/2025/0480", "dr. Yanti Rahayu, Sp.KJ")]),
]
COST_RATIO = 80  # what the apotek pays, in % of the member price


def add_apotek(koperasi, rng) -> None:
    unit = BusinessUnit.objects.filter(koperasi=koperasi, kind="apotek").first()
    if unit is None or Batch.objects.filter(koperasi=koperasi).exists():
        return  # no apotek, or already built
    manajer = demo_officer(koperasi, "manajer")
    kasir = demo_officer(koperasi, "kasir")
    today = koperasi.today()

    def ago(days: int) -> dt.date:
        return max(today - dt.timedelta(days=days), koperasi.books_start)

    # The pharmacist before, and the one responsible now (history kept).
    for name, number, started, expires in (
        ("apt. Dewi Lestari, S.Farm.", "503/0117/SIPA/DPMPTSP/2023", 400, 30),
        ("apt. Rina Marlina, S.Farm.", "503/0412/SIPA/DPMPTSP/2025", 120, 1_400),
    ):
        services.appoint_pharmacist(
            koperasi,
            actor=manajer,
            data={
                "name": name,
                "sipa_number": number,
                "stra_number": f"19{rng.randrange(10**14):014d}",
                "sipa_expires_on": today + dt.timedelta(days=expires),
                "started_on": ago(started),
            },
        )
    items = {i.name: i for i in Item.objects.filter(koperasi=koperasi, business_unit=unit)}
    for n, (name, drug_class, form, strength, member, public) in enumerate(DRUGS):
        if name not in items:
            items[name] = store.create_item(
                koperasi,
                actor=manajer,
                data={
                    "name": name,
                    "barcode": with_check_digit(f"899{601 + n:09d}"),
                    "category": "Obat keras" if drug_class != "bebas" else "Obat bebas",
                    "business_unit": "apotek",
                    "base_unit": "pcs",
                    "member_price": member * 100,
                    "public_price": public * 100,
                    "min_stock": 5,
                },
            )
        services.set_drug_info(
            koperasi,
            actor=manajer,
            item=items[name],
            data={"drug_class": drug_class, "dosage_form": form, "strength": strength},
        )
    supplier = Supplier.objects.filter(koperasi=koperasi, is_umkm=False).order_by("name").first()
    for n, (name, batch, expiry, received, quantity) in enumerate(BATCHES):
        item = items[name]
        services.receive_batch(
            koperasi,
            actor=manajer,
            item=item,
            batch_number=batch,
            expires_on=today + dt.timedelta(days=expiry),
            quantity=quantity,
            cost=quantity * item.member_price * COST_RATIO // 100,
            supplier=supplier,
            date=ago(received),
            idempotency_key=f"demo-apotek-{n}",
        )
    from kopdes.members.models import Member

    members = list(Member.objects.filter(koperasi=koperasi, status="active").order_by("number"))
    for n, (days, as_member, lines) in enumerate(SALES):
        member = rng.choice(members) if as_member and members else None
        rows, total = [], 0
        for name, quantity, number, prescriber in lines:
            item = items[name]
            price = item.member_price if member is not None else item.public_price
            total += quantity * price
            row = {"item": item, "quantity": quantity}
            if number:
                row |= {"prescription_number": number, "prescriber_name": prescriber}
            rows.append(row)
        store.checkout(
            koperasi,
            actor=kasir,
            lines=rows,
            member=member,
            payments=[Payment("cash", -(-total // 10_000_00) * 10_000_00)],
            idempotency_key=f"demo-apotek-sale-{n}",
            date=ago(days),
        )


EXTENSIONS.append(add_apotek)
