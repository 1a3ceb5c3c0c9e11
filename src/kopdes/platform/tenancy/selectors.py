"""Reads about a koperasi, shaped for its profile page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import rates
from kopdes.domain.adart import COLLATERAL_FACTOR_FIELDS, PPAP_RATE_FIELDS, SHU_POOLS, AdArt
from kopdes.platform.core.regions import Region, UnknownRegionError, lookup_region
from kopdes.platform.tenancy.choices import BusinessUnit
from kopdes.platform.tenancy.models import Koperasi


def format_rupiah(sen: int) -> str:
    """'Rp 50.000' (sen shown only when there are any: 'Rp 50.000,50')."""
    rupiah, rest = divmod(sen, 100)
    text = f"Rp {rupiah:,}".replace(",", ".")
    return f"{text},{rest:02d}" if rest else text


def format_percent(bp: int) -> str:
    """Basis points as an Indonesian percentage: 3000 -> '30%', 250 -> '2,5%'
    (``domain.rates.format_bp``, the one formatter of rates)."""
    return rates.format_bp(bp)


@dataclass(frozen=True)
class Profile:
    koperasi: Koperasi
    region: Region | None
    units: list[str]
    adart: AdArt
    amounts: list[tuple[str, str]]
    shu_split: list[tuple[str, str]]
    rat_quorum: str
    loan_risk: list[tuple[str, str, str]]
    # (binding, percent counted) and the class a write-off needs (loans, issue 13).
    collateral: list[tuple[str, str]] = field(default_factory=list)
    write_off_from: str = ""


KOL_CLASS_LABELS = (
    gettext_lazy("Current (lancar)"),
    gettext_lazy("Special mention (dalam perhatian khusus)"),
    gettext_lazy("Substandard (kurang lancar)"),
    gettext_lazy("Doubtful (diragukan)"),
    gettext_lazy("Loss (macet)"),
)


def kolektibilitas_ranges(adart: AdArt) -> list[str]:
    """The days-late range of each class 1-5 as text: '0 days', '1-90 days', '> 180 days'."""
    out = []
    low = 0
    for high in adart.kolektibilitas_buckets:
        if low == high:
            out.append(_("%(n)s days") % {"n": high})
        else:
            out.append(_("%(low)s-%(high)s days") % {"low": low, "high": high})
        low = high + 1
    out.append(_("> %(n)s days") % {"n": low - 1})
    return out


def loan_risk_rows(adart: AdArt) -> list[tuple[str, str, str]]:
    """(class, days late, PPAP rate) for the five kolektibilitas classes."""
    return [
        (str(label), days, format_percent(getattr(adart, rate)))
        for label, days, rate in zip(
            KOL_CLASS_LABELS, kolektibilitas_ranges(adart), PPAP_RATE_FIELDS, strict=True
        )
    ]


def get_profile(koperasi: Koperasi) -> Profile:
    """Everything the profile page shows; no queries beyond the koperasi already loaded."""
    from kopdes.platform.tenancy.forms import AGUNAN_LABELS, SHU_POOL_LABELS

    try:
        region = lookup_region(koperasi.region_code)
    except (UnknownRegionError, ValueError):
        region = None  # an old row from before validation; the page says so
    labels = dict(BusinessUnit.choices)
    adart = koperasi.adart
    return Profile(
        koperasi=koperasi,
        region=region,
        units=[str(labels.get(u, u)) for u in koperasi.business_units],
        adart=adart,
        amounts=[
            ("simpanan_pokok_amount", format_rupiah(adart.simpanan_pokok_amount)),
            ("simpanan_wajib_amount", format_rupiah(adart.simpanan_wajib_amount)),
            ("withdrawal_approval_threshold", format_rupiah(adart.withdrawal_approval_threshold)),
            ("loan_approval_threshold", format_rupiah(adart.loan_approval_threshold)),
            ("deposit_approval_threshold", format_rupiah(adart.deposit_approval_threshold)),
            ("bon_limit", format_rupiah(adart.bon_limit)),
        ],
        shu_split=[
            (str(SHU_POOL_LABELS[p]), format_percent(adart.shu_split.get(p, 0))) for p in SHU_POOLS
        ],
        rat_quorum=format_percent(adart.rat_quorum_bp),
        loan_risk=loan_risk_rows(adart),
        collateral=[
            (str(AGUNAN_LABELS[name]), format_percent(getattr(adart, name)))
            for name in COLLATERAL_FACTOR_FIELDS
        ],
        write_off_from=str(KOL_CLASS_LABELS[adart.write_off_min_kolektibilitas - 1]),
    )
