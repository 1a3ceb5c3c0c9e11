"""Demo subsidised channels of Koperasi Desa Merah Putih Sukamaju (Kabupaten Bogor): a
pangkalan LPG 3 kg with NIK-registered households and warung, a pupuk kios with the RDKK
list of four farmer groups, and beras SPHP from Bulog, over the same year as the gerai's
sales (``store.demo.sale_days``).

Everything goes through the real services: the units are enabled and the items added by
the manajer, the HET and buyers set, the RDKK imported as the Excel file the dinas sends,
stock received from the agent / distributor / Bulog (``receive_stock``), and every sale is
a store ``checkout`` whose line carries the buyer's NIK (``store.subsidised``: the money,
the stock and the HPP, with ``check_and_record_subsidised_sale``'s NIK, quota, HET and
allocation checks and its record, in the checkout's transaction).

It lives in the store (registered at the end of ``store/demo.py``, after the gerai's year):
the subsidy app sits below the store in the import layers and never imports it.
A sample of the trade, not its full volume: about four LPG sales and two SPHP sales a
week, and each farmer's sacks of urea and NPK once or twice a season.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook

from kopdes.demo import demo_officer
from kopdes.domain import subsidy as rules
from kopdes.domain.barcode import with_check_digit
from kopdes.domain.sale import Payment
from kopdes.store import services as store
from kopdes.store.demo import _draw, sale_days
from kopdes.store.models import BusinessUnit, Supplier
from kopdes.subsidy import rdkk_xlsx, services
from kopdes.subsidy.models import SubsidisedSale

SLUGS = ("sukamaju",)  # the koperasi that runs the channels
LPG_HET = 19_000_00  # Rp19.000 per tabung: the demo's Jawa Barat HET (a setting)
LPG_HET_REFERENCE = "Kepgub Jawa Barat tentang HET LPG 3 kg (contoh untuk demo)"
LPG_AGENT_PRICE = 16_000_00  # what the pangkalan pays the agent per cylinder
PUPUK_COST = {"urea": 1_650_00, "npk": 1_690_00}  # the distributor's price per kg
SPHP_BULOG_PRICE = 11_000_00  # per kg from Bulog (HET zona 1: Rp12.500/kg)
LPG_SALES_PER_WEEK = 3
SPHP_SALES_PER_WEEK = 2
LPG_BUYERS = 40
SPHP_BUYERS = 20
FARMERS = 12
GROUPS = ("Poktan Sri Rahayu", "Poktan Mekar Tani", "Poktan Sugih Mukti", "Poktan Tunas Harapan")
# name, unit kind, base unit, price per base unit (rupiah), min stock, code
ITEMS = [
    ("LPG 3 kg (isi ulang)", "lpg", "pcs", 19_000, 10, with_check_digit(f"899{801:09d}")),
    ("Pupuk Urea bersubsidi", "pupuk", "kg", 1_800, 100, ""),
    ("Pupuk NPK Phonska bersubsidi", "pupuk", "kg", 1_840, 100, ""),
    ("Beras SPHP", "beras_sphp", "kg", 12_500, 50, ""),
]
SUPPLIERS = {
    "lpg": {"name": "PT Gas Priangan Sejahtera (agen LPG)", "owner_name": "",
            "phone": "0251-8250111"},
    "pupuk": {"name": "CV Tani Subur Bogor (distributor pupuk)", "owner_name": "",
              "phone": "0251-8333222"},
    "beras_sphp": {"name": "Perum Bulog Kantor Cabang Bogor", "owner_name": "",
                   "phone": "0251-8322333"},
}  # fmt: skip
NAMES_L = ("Asep", "Ujang", "Dadang", "Cecep", "Endang", "Agus", "Ade", "Yayan", "Jajang", "Deden")
NAMES_P = ("Euis", "Neneng", "Iis", "Enok", "Cucu", "Imas", "Lilis", "Nining", "Siti", "Tati")
FAMILY = ("Suryana", "Sumarna", "Hidayat", "Permana", "Saepudin", "Rohmat", "Sobari", "Mulyana")


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _nik(koperasi, rng, used: set[str]) -> tuple[str, str]:
    """A valid NIK of the koperasi's district and a Sundanese name of the same sex."""
    district = koperasi.region_code.replace(".", "")[:6]
    while True:
        female = rng.random() < 0.5
        birth = dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
        nik = (
            f"{district}{birth.day + (40 if female else 0):02d}{birth.month:02d}"
            f"{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
        )
        if nik not in used:
            used.add(nik)
            name = f"{rng.choice(NAMES_P if female else NAMES_L)} {rng.choice(FAMILY)}"
            return nik, name


def _seasons(days: list[dt.date]) -> list[tuple[str, dt.date, dt.date]]:
    """The RDKK planting seasons over ``days``: MT1 October-March, MT2 April-September."""
    out = []
    for year in range(days[0].year - 1, days[-1].year + 1):
        for code, start, end in (
            (f"MT2-{year}", dt.date(year, 4, 1), dt.date(year, 9, 30)),
            (f"MT1-{year}", dt.date(year, 10, 1), dt.date(year + 1, 3, 31)),
        ):
            if start <= days[-1] and end >= days[0]:
                out.append((code, start, end))
    return out


def _rdkk(rows: list[list]) -> bytes:
    """The RDKK list as the Excel file the dinas sends (the template's sheet and header)."""
    wb = Workbook()
    ws = wb.active
    ws.title = rdkk_xlsx.SHEET
    ws.append([header for _key, header in rdkk_xlsx.COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class _Channel:
    """One channel's item and stock, restocked from its supplier when a sale needs it."""

    def __init__(self, koperasi, item, supplier, cost: int, batch: int) -> None:
        self.koperasi, self.item, self.supplier = koperasi, item, supplier
        self.cost, self.batch = cost, batch  # cost per base unit; a delivery in base units
        self.per = item.units().price_per
        self.stock = 0  # base units
        self.receipts = 0
        self.manajer = demo_officer(koperasi, "manajer")

    def ensure(self, quantity: int, day: dt.date, memo: str = "") -> None:
        while self.stock < quantity:
            self.receipts += 1
            store.receive_stock(
                self.koperasi,
                actor=self.manajer,
                item=self.item,
                quantity=self.batch,
                cost=self.batch * self.cost,
                supplier=self.supplier,
                date=day,
                idempotency_key=f"demo-{self.item.pk}-{self.receipts}",
                memo=memo.format(n=self.receipts, day=day)[:200],
            )
            self.stock += self.batch

    def sell(self, *, kasir, day, quantity, nik, key) -> None:
        """One buyer's purchase: a store checkout whose line carries her NIK (and the
        farmer's confirmation), so the store records it through the subsidy app."""
        self.stock -= quantity
        total = quantity * self.item.public_price
        store.checkout(
            self.koperasi,
            actor=kasir,
            lines=[{"item": self.item, "quantity": quantity, "nik": nik,
                    "farmer_confirmed": self.item.business_unit.kind == "pupuk"}],
            payments=[Payment("cash", -(-total // 10_000_00) * 10_000_00)],
            date=day,
            idempotency_key=key,
        )  # fmt: skip


def add_subsidised_channels(koperasi, rng) -> None:
    if koperasi.slug not in SLUGS or "sembako" not in (koperasi.business_units or []):
        return
    if SubsidisedSale.objects.filter(koperasi=koperasi).exists():
        return  # already built
    days = sale_days(koperasi)
    manajer = demo_officer(koperasi, "manajer")
    kasir = demo_officer(koperasi, "kasir")
    sekretaris = demo_officer(koperasi, "sekretaris")
    opened = _at(days[0], 8)
    items, suppliers = {}, {}
    for kind in ("lpg", "pupuk", "beras_sphp"):
        if not BusinessUnit.objects.filter(koperasi=koperasi, kind=kind).exists():
            store.enable_business_unit(koperasi, actor=manajer, kind=kind, at=opened)
        supplier = Supplier.objects.filter(koperasi=koperasi, name=SUPPLIERS[kind]["name"]).first()
        suppliers[kind] = supplier or store.create_supplier(
            koperasi, actor=manajer, data=SUPPLIERS[kind]
        )
    for name, kind, base, price, min_stock, code in ITEMS:
        items[name] = store.create_item(
            koperasi,
            actor=manajer,
            data={
                "name": name, "barcode": code, "category": "Bersubsidi", "business_unit": kind,
                "base_unit": base, "member_price": price * 100, "public_price": price * 100,
                "min_stock": min_stock,
            },
        )  # fmt: skip
    services.add_het_rate(
        koperasi,
        actor=manajer,
        data={
            "product": "lpg_3kg",
            "effective_from": days[0],
            "price": LPG_HET,
            "reference": LPG_HET_REFERENCE,
        },
        at=opened,
    )
    used: set[str] = set()
    buyers = []
    for n in range(LPG_BUYERS + SPHP_BUYERS):
        nik, name = _nik(koperasi, rng, used)
        kind = "micro_business" if n % 8 == 0 else "household"
        services.register_buyer(
            koperasi, actor=kasir, data={"name": name, "nik": nik, "kind": kind}, at=opened
        )
        buyers.append(nik)
    lpg = _Channel(koperasi, items[ITEMS[0][0]], suppliers["lpg"], LPG_AGENT_PRICE, 60)
    sphp = _Channel(koperasi, items["Beras SPHP"], suppliers["beras_sphp"], SPHP_BULOG_PRICE, 200)
    number = 0
    bought: dict[tuple[str, dt.date], int] = {}  # cylinders per NIK per month
    for day in days:
        for _n in range(_draw(rng, LPG_SALES_PER_WEEK / 7)):
            nik = rng.choice(buyers[:LPG_BUYERS])
            month = day.replace(day=1)
            cylinders = rng.choice((1, 1, 2, 3))
            if bought.get((nik, month), 0) + cylinders > rules.DEFAULT_LPG_QUOTA:
                continue  # over her quota this month: the pangkalan sends her away
            bought[(nik, month)] = bought.get((nik, month), 0) + cylinders
            lpg.ensure(cylinders, day, "Tebus LPG dari agen (nontunai) ke-{n}")
            number += 1
            lpg.sell(kasir=kasir, day=day, quantity=cylinders, nik=nik, key=f"demo-lpg-{number}")
        for _n in range(_draw(rng, SPHP_SALES_PER_WEEK / 7)):
            kg = rng.choice((5, 5, 10))  # packs of 5 kg; at most 10 kg a day
            sphp.ensure(kg, day, "Beras SPHP dari Bulog, DO ke-{n}")
            number += 1
            nik = rng.choice(buyers[LPG_BUYERS:])
            sphp.sell(kasir=kasir, day=day, quantity=kg, nik=nik, key=f"demo-sphp-{number}")
    _pupuk(koperasi, rng, days, items, suppliers["pupuk"], kasir, sekretaris, manajer, used)


def _pupuk(koperasi, rng, days, items, supplier, kasir, sekretaris, manajer, used) -> None:
    """The kios: seasons set, the RDKK imported, stock received with its berita acara, and
    each farmer's sacks within the allocation at the HET."""
    seasons = _seasons(days)
    for code, start, end in seasons:
        services.add_season(
            koperasi, actor=manajer, data={"code": code, "start": start, "end": end},
            at=_at(days[0], 8),
        )  # fmt: skip
    farmers = [(*_nik(koperasi, rng, used), rng.choice(GROUPS)) for _n in range(FARMERS)]
    rows, allocations = [], {}
    for code, _start, _end in seasons:
        for nik, name, group in farmers:
            for fertilizer in ("urea", "npk"):
                kg = rng.randrange(2, 7) * 50  # 100-300 kg: half a hectare to one and a half
                rows.append([nik, name, group, code, fertilizer, kg])
                allocations[(code, nik, fertilizer)] = kg
    services.import_allocations(
        koperasi, actor=sekretaris, content=_rdkk(rows), filename="rdkk-sukamaju.xlsx",
        at=_at(days[0], 8),
    )  # fmt: skip
    channels = {
        "urea": _Channel(
            koperasi, items["Pupuk Urea bersubsidi"], supplier, PUPUK_COST["urea"], 2_000
        ),
        "npk": _Channel(
            koperasi, items["Pupuk NPK Phonska bersubsidi"], supplier, PUPUK_COST["npk"], 2_000
        ),
    }
    first_het = min(h.effective_from for h in rules.DEFAULT_FERTILIZER_HET[rules.Fertilizer.UREA])
    planned = []  # (day, nik, fertilizer, kg)
    for code, start, end in seasons:
        open_days = [d for d in days if max(start, first_het) <= d <= end]
        if not open_days:
            continue
        for nik, _name, _group in farmers:
            for fertilizer in channels:
                left = allocations[(code, nik, fertilizer)]
                # Most farmers redeem at planting and again a month on; some never come.
                for share in (0.5, 0.5) if rng.random() < 0.85 else ():
                    kg = min(max(1, int(left * share) // 50) * 50, left)
                    if kg <= 0:
                        break
                    left -= kg
                    planned.append((rng.choice(open_days), nik, fertilizer, kg))
    for number, (day, nik, fertilizer, kg) in enumerate(sorted(planned), start=1):
        channel = channels[fertilizer]
        channel.ensure(kg, day, "Tebus pupuk dari distributor, BA No. {n}/BA-KIOS/{day:%m/%Y}")
        channel.sell(kasir=kasir, day=day, quantity=kg, nik=nik, key=f"demo-pupuk-{number}")
