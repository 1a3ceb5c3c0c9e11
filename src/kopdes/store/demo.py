"""Demo store: the gerai sembako (and the apotek where the koperasi runs one) with a
catalog of everyday goods at realistic village prices, and two suppliers, one of them an
UMKM of the village. Through the services (the manajer enables, adds, imports); the
later slices of the store (sales, stock, subsidised channels) build on it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.barcode import InStoreKind, make_instore, with_check_digit
from kopdes.store import services
from kopdes.store.models import BusinessUnit

# name, category, base unit, pcs per dus, member price, public price (rupiah), min stock
SEMBAKO = [
    ("Beras medium 5 kg", "Beras", "pcs", None, 68_000, 70_000, 20),
    ("Beras premium 5 kg", "Beras", "pcs", None, 76_000, 78_500, 10),
    ("Minyak goreng 1 liter", "Minyak", "pcs", 12, 17_500, 18_000, 24),
    ("Minyak goreng 2 liter", "Minyak", "pcs", 6, 35_000, 36_000, 12),
    ("Gula pasir 1 kg", "Gula", "pcs", 20, 17_000, 18_000, 20),
    ("Tepung terigu 1 kg", "Tepung", "pcs", 10, 12_000, 12_500, 10),
    ("Mie instan goreng", "Mie", "pcs", 40, 3_000, 3_300, 80),
    ("Mie instan kuah ayam bawang", "Mie", "pcs", 40, 2_800, 3_100, 80),
    ("Telur ayam negeri", "Telur", "kg", None, 28_000, 29_500, 5),
    ("Kopi bubuk 165 g", "Minuman", "pcs", 24, 14_000, 15_000, 12),
    ("Teh celup 25 kantong", "Minuman", "pcs", 48, 6_500, 7_000, 12),
    ("Susu kental manis 370 g", "Susu", "pcs", 48, 11_500, 12_000, 12),
    ("Garam beryodium 250 g", "Bumbu", "pcs", 50, 2_500, 3_000, 20),
    ("Kecap manis 520 ml", "Bumbu", "pcs", 24, 21_000, 22_500, 6),
    ("Sabun mandi batang", "Kebersihan", "pcs", 72, 3_500, 4_000, 24),
    ("Deterjen bubuk 800 g", "Kebersihan", "pcs", 24, 18_500, 20_000, 6),
]
APOTEK = [
    ("Parasetamol 500 mg (strip 10)", "Obat bebas", "pcs", 100, 4_500, 5_000, 20),
    ("Oralit (sachet)", "Obat bebas", "pcs", 100, 1_500, 2_000, 30),
    ("Minyak kayu putih 60 ml", "Obat bebas", "pcs", 48, 22_000, 24_000, 6),
]
SUPPLIERS = [
    {"name": "CV Sumber Pangan Megamendung", "owner_name": "H. Dadang Sumarna",
     "phone": "0251-8241234"},
    {"name": "UMKM Keripik Singkong Bu Euis", "is_umkm": True, "owner_name": "Euis Maryani",
     "phone": "0812-8765-4321"},
]  # fmt: skip


def _rows(table, unit: str, first_code: int) -> list[dict]:
    rows = []
    for n, (name, category, base, per_dus, member, public, min_stock) in enumerate(table):
        if base == "kg":  # weighed at the counter: the scale prints a weight label
            code = make_instore(InStoreKind.WEIGHT, first_code + n)
        else:  # an Indonesian EAN-13 (GS1 prefix 899)
            code = with_check_digit(f"899{first_code + n:09d}")
        rows.append(
            {
                "name": name,
                "barcode": code,
                "category": category,
                "business_unit": unit,
                "base_unit": base,
                "units_per_dus": per_dus,
                "member_price": member * 100,
                "public_price": public * 100,
                "min_stock": min_stock,
            }
        )
    return rows


def add_store(koperasi, rng) -> None:
    del rng  # the catalog is fixed: no draw needed
    manajer = demo_officer(koperasi, "manajer")
    if BusinessUnit.objects.filter(koperasi=koperasi).exists():
        return  # already built (the demo is idempotent)
    at = timezone.make_aware(dt.datetime(2024, 1, 2, 8, 0))
    rows = []
    units = [u for u in ("sembako", "apotek") if u in (koperasi.business_units or [])]
    for kind in units:
        services.enable_business_unit(koperasi, actor=manajer, kind=kind, at=at)
    if "sembako" in units:
        rows += _rows(SEMBAKO, "sembako", 1)
    if "apotek" in units:
        rows += _rows(APOTEK, "apotek", 501)
    if rows:
        services.import_catalog(koperasi, actor=manajer, rows=rows)
    for data in SUPPLIERS:
        services.create_supplier(koperasi, actor=manajer, data=data)


EXTENSIONS.append(add_store)
