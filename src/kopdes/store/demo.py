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

# name, category, base unit, pcs per dus, member price, public price (rupiah), min stock.
# Village prices of 2026 under the national HET/HAP where one applies (beras medium
# Rp13.500/kg and premium Rp14.900/kg, Minyakita Rp15.700/liter, gula Rp17.500/kg).
SEMBAKO = [
    ("Beras medium 5 kg", "Beras", "pcs", None, 66_000, 67_500, 20),
    ("Beras premium 5 kg", "Beras", "pcs", None, 73_000, 74_500, 10),
    ("Minyak goreng 1 liter", "Minyak", "pcs", 12, 15_500, 15_700, 24),
    ("Minyak goreng 2 liter", "Minyak", "pcs", 6, 35_000, 36_000, 12),
    ("Gula pasir 1 kg", "Gula", "pcs", 20, 17_000, 17_500, 20),
    ("Tepung terigu 1 kg", "Tepung", "pcs", 10, 12_000, 12_500, 10),
    ("Tepung beras 500 g", "Tepung", "pcs", 20, 7_000, 7_500, 6),
    ("Mie instan goreng", "Mie", "pcs", 40, 3_000, 3_300, 80),
    ("Mie instan kuah ayam bawang", "Mie", "pcs", 40, 2_800, 3_100, 80),
    ("Mie instan kuah soto", "Mie", "pcs", 40, 2_800, 3_100, 40),
    ("Telur ayam negeri", "Telur", "kg", None, 28_000, 29_500, 5),
    ("Bawang merah", "Bumbu", "kg", None, 38_000, 40_000, 2),
    ("Bawang putih", "Bumbu", "kg", None, 35_000, 37_000, 2),
    ("Cabai merah keriting", "Bumbu", "kg", None, 44_000, 48_000, 1),
    ("Kacang hijau", "Bumbu", "kg", None, 24_000, 26_000, 2),
    ("Kopi bubuk 165 g", "Minuman", "pcs", 24, 14_000, 15_000, 12),
    ("Kopi susu sachet (renceng 10)", "Minuman", "pcs", 12, 13_000, 14_000, 12),
    ("Teh celup 25 kantong", "Minuman", "pcs", 48, 6_500, 7_000, 12),
    ("Teh botol 350 ml", "Minuman", "pcs", 24, 4_000, 4_500, 24),
    ("Air mineral 600 ml", "Minuman", "pcs", 24, 3_000, 3_500, 24),
    ("Air mineral 1.500 ml", "Minuman", "pcs", 12, 5_500, 6_000, 12),
    ("Susu kental manis 370 g", "Susu", "pcs", 48, 11_500, 12_000, 12),
    ("Susu bubuk 400 g", "Susu", "pcs", 12, 48_000, 50_000, 4),
    ("Garam beryodium 250 g", "Bumbu", "pcs", 50, 2_500, 3_000, 20),
    ("Kecap manis 520 ml", "Bumbu", "pcs", 24, 21_000, 22_500, 6),
    ("Saus sambal 340 ml", "Bumbu", "pcs", 24, 9_000, 10_000, 6),
    ("Margarin 200 g", "Bumbu", "pcs", 48, 7_000, 7_500, 12),
    ("Sarden kaleng 155 g", "Lauk", "pcs", 50, 9_500, 10_500, 10),
    ("Kornet sapi 198 g", "Lauk", "pcs", 24, 22_000, 24_000, 6),
    ("Biskuit kelapa 300 g", "Makanan ringan", "pcs", 24, 9_500, 10_500, 8),
    ("Roti tawar", "Makanan ringan", "pcs", None, 14_000, 15_000, 4),
    ("Sabun mandi batang", "Kebersihan", "pcs", 72, 3_500, 4_000, 24),
    ("Sampo sachet (renceng 12)", "Kebersihan", "pcs", 24, 6_000, 6_500, 12),
    ("Pasta gigi 190 g", "Kebersihan", "pcs", 36, 11_000, 12_000, 8),
    ("Sabun cuci piring 400 ml", "Kebersihan", "pcs", 24, 9_000, 10_000, 8),
    ("Deterjen bubuk 800 g", "Kebersihan", "pcs", 24, 18_500, 20_000, 6),
    ("Tisu wajah 250 lembar", "Kebersihan", "pcs", 24, 12_000, 13_000, 6),
    ("Pembalut wanita isi 10", "Kebersihan", "pcs", 24, 11_000, 12_000, 6),
    ("Obat nyamuk bakar (kotak 10)", "Rumah tangga", "pcs", 60, 5_500, 6_000, 10),
    ("Korek api (pak 10)", "Rumah tangga", "pcs", 100, 4_000, 5_000, 10),
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


# --- a year at the gerai sembako's counter ------------------------------------------------

# Sales rung up per week: a sample of the counter's trade (a real gerai rings up dozens a
# day), small enough that ``make demo`` stays quick (each checkout posts a journal entry,
# its movements and an audit event). Every sale goes through ``checkout`` and every
# restock through ``receive_stock``, so the books, the stock and ``kopdes verify`` agree.
SALES_PER_WEEK = {"sukamaju": 10, "cirahab": 4}
DAYS = 365
# How often an item is picked for a basket (the everyday staples most).
POPULAR = {
    "Beras medium 5 kg": 8, "Minyak goreng 1 liter": 8, "Gula pasir 1 kg": 7,
    "Mie instan goreng": 9, "Mie instan kuah ayam bawang": 8, "Telur ayam negeri": 8,
    "Kopi susu sachet (renceng 10)": 5, "Bawang merah": 4, "Sabun mandi batang": 4,
    "Teh celup 25 kantong": 3, "Air mineral 600 ml": 4,
}  # fmt: skip
MEMBER_SHARE = 0.6  # of the sales: a member at the counter (member price, her SHU)
BON_SHARE = 0.04  # of the members' sales: put on bon, while under her AD/ART limit
CREDIT_SHARE = 0.25  # of the restocks: on credit from the supplier (Utang usaha)
COST_RATIO = (86, 93)  # what the koperasi pays, in % of the member price


def sale_days(koperasi, days: int | None = None) -> list[dt.date]:
    """The last ``days`` (default ``DAYS``) days up to today, none before the books start."""
    today = koperasi.today()
    days = DAYS if days is None else days
    start = max(today - dt.timedelta(days=days - 1), koperasi.books_start)
    return [start + dt.timedelta(days=n) for n in range((today - start).days + 1)]


def _draw(rng, mean: float) -> int:
    """A whole count around ``mean`` (its fraction drawn), never negative."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


def _quantity(rng, item) -> str:
    """What one buyer takes: a few packs, or a weighed amount of a loose good (kg)."""
    if item.base_unit == "kg":
        return str(rng.choice(("0.25", "0.5", "0.5", "1", "1", "1.5", "2")))
    if item.name.startswith("Mie instan"):
        return str(rng.choice((1, 2, 3, 5, 5, 10)))
    return str(rng.choice((1, 1, 1, 2, 2, 3)))


def _minimum(item) -> int:
    """The item's minimum stock in whole stock units (at least one base unit)."""
    return int(max(item.min_stock, 1) * item.units().price_per)


class _Shelf:
    """The demo's view of the shelf: stock in stock units per item, restocked through
    ``receive_stock`` when a sale would take it under the item's minimum."""

    def __init__(self, koperasi, rng, items, supplier) -> None:
        self.koperasi, self.rng, self.supplier = koperasi, rng, supplier
        self.manajer = demo_officer(koperasi, "manajer")
        self.stock = {i.pk: 0 for i in items}
        self.sold = {i.pk: 0 for i in items}  # since the last receipt
        self.receipts = 0

    def receive(self, item, day: dt.date) -> None:
        per = item.units().price_per  # stock units per base unit (1000 g in a kg)
        minimum = _minimum(item)
        wanted = max(minimum * 4, self.sold[item.pk] * 2)
        pack = (item.units_per_dus or 1) * per
        quantity = -(-wanted // pack) * pack  # whole boxes (whole kg for loose goods)
        unit_cost = item.member_price * self.rng.randrange(*COST_RATIO) // 100
        self.receipts += 1
        services.receive_stock(
            self.koperasi,
            actor=self.manajer,
            item=item,
            quantity=quantity // per,
            cost=quantity * unit_cost // per,
            supplier=self.supplier,
            on_credit=self.rng.random() < CREDIT_SHARE,
            date=day,
            idempotency_key=f"demo-restock-{item.pk}-{self.receipts}",
        )
        self.stock[item.pk] += quantity
        self.sold[item.pk] = 0

    def take(self, item, quantity: int, day: dt.date) -> None:
        """Restock first when this sale would leave less than the minimum."""
        if self.stock[item.pk] - quantity < _minimum(item):
            self.receive(item, day)
        self.stock[item.pk] -= quantity
        self.sold[item.pk] += quantity


def add_sembako_year(koperasi, rng) -> None:
    """A year of the gerai sembako: baskets of members (member price, some on bon) and of
    the public, paid in cash with change, the shelves restocked from the distributor."""
    from kopdes.domain.sale import Payment, line_gross
    from kopdes.members.models import Member
    from kopdes.store.models import Item, Sale, Supplier
    from kopdes.store.services.sales import bon_limit
    from kopdes.store.services.stock import stock_quantity

    unit = BusinessUnit.objects.filter(koperasi=koperasi, kind="sembako").first()
    if unit is None or Sale.objects.filter(koperasi=koperasi).exists():
        return  # no gerai, or already built
    kasir = demo_officer(koperasi, "kasir")
    items = list(Item.objects.filter(koperasi=koperasi, business_unit=unit).order_by("barcode"))
    supplier = Supplier.objects.filter(koperasi=koperasi, is_umkm=False).order_by("name").first()
    members = list(Member.objects.filter(koperasi=koperasi, status="active").order_by("number"))
    # Most of a village's trade comes from the same households.
    regulars = rng.sample(members, min(len(members), 60)) if members else []
    weights = [POPULAR.get(i.name, 1) for i in items]
    shelf = _Shelf(koperasi, rng, items, supplier)
    bon: dict = {}
    limit = bon_limit(koperasi)
    per_week = SALES_PER_WEEK.get(koperasi.slug, 4)
    number = 0
    for day in sale_days(koperasi):
        # Busier on Saturday and Sunday, when the farmers are home.
        weight = 2 if day.weekday() >= 5 else 1
        for _n in range(_draw(rng, per_week * weight / 9)):
            member = rng.choice(regulars) if regulars and rng.random() < MEMBER_SHARE else None
            basket = {i.pk: i for i in rng.choices(items, weights, k=rng.randint(1, 5))}
            lines, total = [], 0
            for item in basket.values():
                quantity = _quantity(rng, item)
                stock = stock_quantity(item, quantity)
                shelf.take(item, stock, day)
                price = item.member_price if member is not None else item.public_price
                total += line_gross(stock, price, item.units().price_per)
                lines.append({"item": item, "quantity": quantity})
            owed = bon.get(member.pk, 0) if member is not None else 0
            if member is not None and rng.random() < BON_SHARE and owed + total <= limit:
                payments = [Payment("bon", total)]
                bon[member.pk] = owed + total
            else:  # cash, often a round note with change
                note = rng.choice((1_000_00, 5_000_00, 10_000_00, 50_000_00, 100_000_00))
                payments = [Payment("cash", -(-total // note) * note)]
            number += 1
            services.checkout(
                koperasi,
                actor=kasir,
                lines=lines,
                member=member,
                payments=payments,
                date=day,
                idempotency_key=f"demo-sale-{number}",
            )


EXTENSIONS.append(add_sembako_year)


# One stock opname with differences, after the year of sales (store/demo_opname.py).
from kopdes.store.demo_opname import add_stock_opname  # noqa: E402

EXTENSIONS.append(add_stock_opname)

# The subsidised channels (LPG, SPHP, pupuk) after the gerai's year (store/demo_subsidy.py).
from kopdes.store.demo_subsidy import add_subsidised_channels  # noqa: E402

EXTENSIONS.append(add_subsidised_channels)
