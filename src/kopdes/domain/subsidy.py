"""The subsidised channels' rules: LPG 3 kg, pupuk bersubsidi, beras SPHP.

Every check is a pure function of the sale and the buyer's history, which the service
reads (what this NIK already bought in the period or season) and passes in. The buyer's
NIK itself is validated with ``domain.nik.parse_nik`` before these run.

- **HET** (harga eceran tertinggi): a ceiling per unit with the date it takes effect and
  its decree (``HetRate``); the rate on the sale's date applies (``het_on``). LPG 3 kg:
  sen per cylinder per province (set by each governor: no default here). Pupuk: sen per
  kg per type (urea Rp1.800, NPK Rp1.840 from 22 Oct 2025, Kepmentan 1117/2025). SPHP:
  sen per kg per zone (Rp12.500 / 13.100 / 13.500).
- **LPG quota**: at most ``quota`` cylinders per NIK per period (default 15 a month, a
  figure the Dirjen Migas gave in Feb 2025: check, and set per koperasi).
- **Pupuk**: the NIK must be in the RDKK/e-Alokasi list with an allocation for the type in
  the season; a sale may not take more than what remains.
- **SPHP**: at most ``limit`` per transaction (default 10 kg) and no more than the limit to
  the same NIK within the period (default a day).

Quantities: cylinders (LPG) and grams (pupuk, beras), the base units of
``domain.inventory``. Amounts of subsidised sales are rounded DOWN to the rupiah, so a
buyer never pays more than HET x quantity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from kopdes.domain.money import format_rupiah

GRAMS_PER_KG = 1000
MAX_QUANTITY = 10**12


class SubsidyError(ValueError):
    """A subsidised sale the rules refuse. ``message`` is Bahasa Indonesia.

    ``code``: ``quantity``, ``price``, ``het``, ``no_het``, ``quota``, ``not_in_rdkk``,
    ``allocation``, ``limit``, ``zone``, ``season``, ``type``.
    """

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class Period(StrEnum):
    """The window a per-NIK quota counts over (calendar day, ISO week, calendar month)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @property
    def label(self) -> str:
        return {"day": "hari", "week": "minggu", "month": "bulan"}[self.value]


def period_bounds(day: dt.date, period: Period) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the period that holds ``day`` (weeks from Monday)."""
    if period is Period.DAY:
        return day, day
    if period is Period.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


@dataclass(frozen=True)
class HetRate:
    """A ceiling price in sen per unit from ``effective_from``, with its decree."""

    effective_from: dt.date
    price: int
    reference: str = ""


def het_on(schedule: Sequence[HetRate], day: dt.date, *, what: str) -> HetRate:
    """The rate in force on ``day`` (the latest ``effective_from`` not after it)."""
    in_force = [rate for rate in schedule if rate.effective_from <= day]
    if not in_force:
        raise SubsidyError(
            f"HET {what} untuk tanggal {day.isoformat()} belum diatur.", code="no_het", field="het"
        )
    return max(in_force, key=lambda rate: rate.effective_from)


def _count(value: object, *, what: str, field: str, positive: bool = True) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SubsidyError(f"{what} harus bilangan bulat.", code="quantity", field=field)
    if positive and value <= 0:
        raise SubsidyError(f"{what} harus lebih dari nol.", code="quantity", field=field)
    if value < 0:
        raise SubsidyError(f"{what} tidak boleh negatif.", code="quantity", field=field)
    if value > MAX_QUANTITY:
        raise SubsidyError(f"{what} terlalu besar.", code="quantity", field=field)
    return value


def check_het(unit_price: int, rate: HetRate, *, what: str, per: str) -> None:
    """Refuse a unit price above the HET (a price at the HET or below is fine)."""
    if not isinstance(unit_price, int) or isinstance(unit_price, bool) or unit_price < 0:
        raise SubsidyError("Harga harus bilangan bulat sen.", code="price", field="price")
    if unit_price > rate.price:
        reference = f" ({rate.reference})" if rate.reference else ""
        raise SubsidyError(
            f"Harga {what} {format_rupiah(unit_price)} per {per} melebihi HET "
            f"{format_rupiah(rate.price)}{reference}.",
            code="het",
            field="price",
        )


def _kg(grams: int) -> str:
    whole, rest = divmod(grams, GRAMS_PER_KG)
    text = f"{whole:,}".replace(",", ".")
    if rest:
        text += "," + f"{rest:03d}".rstrip("0")
    return f"{text} kg"


def _amount_per_kg(grams: int, price_per_kg: int) -> int:
    """``grams * price_per_kg / 1000`` rounded down to the rupiah (never above HET)."""
    return grams * price_per_kg // (GRAMS_PER_KG * 100) * 100


@dataclass(frozen=True)
class SubsidySale:
    """A sale the rules allow: what it costs and how much of the quota is left after it."""

    quantity: int
    amount: int
    het: HetRate
    remaining: int


# --- LPG 3 kg -----------------------------------------------------------------------------

DEFAULT_LPG_QUOTA = 15
DEFAULT_LPG_PERIOD = Period.MONTH


def check_lpg_sale(
    *,
    cylinders: int,
    unit_price: int,
    het_schedule: Sequence[HetRate],
    day: dt.date,
    bought_in_period: int,
    quota: int = DEFAULT_LPG_QUOTA,
    period: Period = DEFAULT_LPG_PERIOD,
) -> SubsidySale:
    """An LPG 3 kg sale to one NIK: price at most the province's HET per cylinder, and
    ``bought_in_period + cylinders`` at most ``quota`` (period from ``period_bounds``)."""
    _count(cylinders, what="Jumlah tabung", field="cylinders")
    _count(bought_in_period, what="Pembelian sebelumnya", field="history", positive=False)
    _count(quota, what="Kuota tabung", field="quota")
    rate = het_on(het_schedule, day, what="LPG 3 kg")
    check_het(unit_price, rate, what="LPG 3 kg", per="tabung")
    remaining = max(quota - bought_in_period, 0)
    if cylinders > remaining:
        raise SubsidyError(
            f"Kuota LPG 3 kg untuk NIK ini {quota} tabung per {period.label}; sudah dibeli "
            f"{bought_in_period}, sisa {remaining} tabung.",
            code="quota",
            field="cylinders",
        )
    return SubsidySale(cylinders, cylinders * unit_price, rate, remaining - cylinders)


# --- pupuk bersubsidi -----------------------------------------------------------------------


class Fertilizer(StrEnum):
    UREA = "urea"
    NPK = "npk"
    NPK_KAKAO = "npk_kakao"
    ORGANIK = "organik"

    @property
    def label(self) -> str:
        return {
            "urea": "Urea",
            "npk": "NPK",
            "npk_kakao": "NPK formula khusus kakao",
            "organik": "pupuk organik",
        }[self.value]


_KEPMENTAN_1117 = "Kepmentan 1117/2025"
# Sen per kg. Only urea and NPK have a default; the other types are settings (check).
DEFAULT_FERTILIZER_HET: Mapping[Fertilizer, tuple[HetRate, ...]] = MappingProxyType(
    {
        Fertilizer.UREA: (HetRate(dt.date(2025, 10, 22), 1_800_00, _KEPMENTAN_1117),),
        Fertilizer.NPK: (HetRate(dt.date(2025, 10, 22), 1_840_00, _KEPMENTAN_1117),),
    }
)


@dataclass(frozen=True)
class Season:
    """A planting season (musim tanam) of the RDKK: its code and inclusive dates."""

    code: str
    start: dt.date
    end: dt.date


def season_on(seasons: Sequence[Season], day: dt.date) -> Season:
    """The season that holds ``day``; refuses a day outside every season."""
    for season in seasons:
        if season.start <= day <= season.end:
            return season
    raise SubsidyError(
        f"Tanggal {day.isoformat()} tidak masuk musim tanam mana pun dalam RDKK.",
        code="season",
        field="date",
    )


def check_fertilizer_sale(
    *,
    fertilizer: Fertilizer | str,
    grams: int,
    price_per_kg: int,
    day: dt.date,
    allocation_grams: int | None,
    bought_in_season_grams: int,
    het: Mapping[Fertilizer, Sequence[HetRate]] = DEFAULT_FERTILIZER_HET,
) -> SubsidySale:
    """A pupuk sale to one farmer: the NIK is in the RDKK (``allocation_grams`` not None)
    for this type and season, the price per kg is at most the type's HET, and the sale
    does not take more than the allocation left. ``remaining`` is grams left."""
    try:
        kind = Fertilizer(fertilizer)
    except ValueError:
        raise SubsidyError(
            "Jenis pupuk bersubsidi tidak dikenal.", code="type", field="fertilizer"
        ) from None
    _count(grams, what="Jumlah pupuk", field="quantity")
    _count(bought_in_season_grams, what="Pembelian sebelumnya", field="history", positive=False)
    if kind not in het:
        raise SubsidyError(
            f"HET {kind.label} belum diatur.", code="no_het", field="het"
        )  # fmt: skip
    rate = het_on(het[kind], day, what=kind.label)
    check_het(price_per_kg, rate, what=kind.label, per="kg")
    if allocation_grams is None:
        raise SubsidyError(
            f"NIK ini tidak terdaftar di RDKK/e-Alokasi untuk {kind.label} pada musim ini.",
            code="not_in_rdkk",
            field="nik",
        )
    _count(allocation_grams, what="Alokasi", field="allocation", positive=False)
    remaining = max(allocation_grams - bought_in_season_grams, 0)
    if grams > remaining:
        raise SubsidyError(
            f"Alokasi {kind.label} petani ini {_kg(allocation_grams)} per musim; sudah "
            f"ditebus {_kg(bought_in_season_grams)}, sisa {_kg(remaining)}.",
            code="allocation",
            field="quantity",
        )
    return SubsidySale(grams, _amount_per_kg(grams, price_per_kg), rate, remaining - grams)


# --- beras SPHP -----------------------------------------------------------------------------

DEFAULT_SPHP_LIMIT_GRAMS = 10_000
DEFAULT_SPHP_PERIOD = Period.DAY
_SPHP_REFERENCE = "HET beras medium zona (Badan Pangan Nasional)"
_SPHP_FROM = dt.date(2025, 1, 1)
# Sen per kg per zone (check the decree in force; a setting per koperasi).
DEFAULT_SPHP_HET: Mapping[int, tuple[HetRate, ...]] = MappingProxyType(
    {
        1: (HetRate(_SPHP_FROM, 12_500_00, _SPHP_REFERENCE),),
        2: (HetRate(_SPHP_FROM, 13_100_00, _SPHP_REFERENCE),),
        3: (HetRate(_SPHP_FROM, 13_500_00, _SPHP_REFERENCE),),
    }
)
# Zone by province code (Bapanas rice HET zones): 1 Jawa, Lampung, Sumatera Selatan, Bali,
# NTB, Sulawesi; 2 the rest of Sumatera, NTT, Kalimantan; 3 Maluku and Papua.
_ZONE_1 = (
    "16", "18", "31", "32", "33", "34", "35", "36", "51", "52", "71", "72", "73", "74", "75", "76",
)  # fmt: skip
_ZONE_2 = ("11", "12", "13", "14", "15", "17", "19", "21", "53", "61", "62", "63", "64", "65")
_ZONE_3 = ("81", "82", "91", "92", "93", "94", "95", "96")
DEFAULT_SPHP_ZONES: Mapping[str, int] = MappingProxyType(
    {code: 1 for code in _ZONE_1} | {code: 2 for code in _ZONE_2} | {code: 3 for code in _ZONE_3}
)


def sphp_zone(province: str, zones: Mapping[str, int] = DEFAULT_SPHP_ZONES) -> int:
    """The HET zone of a province code (``"32"``, or a longer region code ``"32.01"``)."""
    code = province[:2] if isinstance(province, str) else ""
    if code not in zones:
        raise SubsidyError(
            f"Zona HET beras untuk provinsi {code or '?'} tidak dikenal.", code="zone", field="zone"
        )
    return zones[code]


def check_sphp_sale(
    *,
    grams: int,
    price_per_kg: int,
    zone: int,
    day: dt.date,
    bought_in_period_grams: int,
    limit_grams: int = DEFAULT_SPHP_LIMIT_GRAMS,
    period: Period = DEFAULT_SPHP_PERIOD,
    het: Mapping[int, Sequence[HetRate]] = DEFAULT_SPHP_HET,
) -> SubsidySale:
    """A beras SPHP sale to one NIK: price per kg at most the zone's HET, at most
    ``limit_grams`` in the transaction and in the period together."""
    _count(grams, what="Jumlah beras", field="quantity")
    _count(bought_in_period_grams, what="Pembelian sebelumnya", field="history", positive=False)
    _count(limit_grams, what="Batas pembelian", field="limit")
    if zone not in het:
        raise SubsidyError(f"HET beras SPHP zona {zone} belum diatur.", code="zone", field="zone")
    rate = het_on(het[zone], day, what=f"beras SPHP zona {zone}")
    check_het(price_per_kg, rate, what="beras SPHP", per="kg")
    if grams > limit_grams:
        raise SubsidyError(
            f"Beras SPHP paling banyak {_kg(limit_grams)} per transaksi; diminta {_kg(grams)}.",
            code="limit",
            field="quantity",
        )
    remaining = max(limit_grams - bought_in_period_grams, 0)
    if grams > remaining:
        raise SubsidyError(
            f"NIK ini sudah membeli {_kg(bought_in_period_grams)} beras SPHP "
            f"{period.label} ini; sisa batas {_kg(remaining)}.",
            code="limit",
            field="quantity",
        )
    return SubsidySale(grams, _amount_per_kg(grams, price_per_kg), rate, remaining - grams)
