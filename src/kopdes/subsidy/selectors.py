"""Reads of the subsidised channels. Tenant-scoped; "missing" and "another koperasi's" look
alike (404). The rules in force on a date are read here and handed to ``domain.subsidy``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import Http404

from kopdes.domain import subsidy as rules
from kopdes.domain.nik import NikError, parse_nik
from kopdes.platform.privacy import crypto
from kopdes.platform.privacy.services import masked
from kopdes.subsidy.choices import FERTILIZERS, Channel, Product
from kopdes.subsidy.models import (
    Allocation,
    Buyer,
    ChannelRule,
    HetRate,
    Season,
    SubsidisedSale,
)


def _get(qs: QuerySet, pk: Any):
    try:
        found = qs.filter(pk=pk).first()
    except (ValidationError, ValueError, TypeError):  # a malformed id is "not found"
        found = None
    if found is None:
        raise Http404
    return found


def nik_indexes(koperasi, nik: str) -> list[str]:
    """The blind indexes of a NORMALISED NIK in ``koperasi`` (current and old keys, so a
    lookup still works during a key rotation)."""
    return crypto.blind_index_candidates("nik", nik, koperasi_id=koperasi.pk)


# --- settings in force ------------------------------------------------------------------------


def het_schedule(koperasi, product: str) -> tuple[rules.HetRate, ...]:
    """The koperasi's own HET rows of ``product`` (newest first) as domain rates."""
    return tuple(
        rules.HetRate(r.effective_from, r.price, r.reference)
        for r in HetRate.objects.filter(koperasi=koperasi, product=product).order_by(
            "-effective_from"
        )
    )


def fertilizer_het(koperasi) -> dict[rules.Fertilizer, tuple[rules.HetRate, ...]]:
    """HET per kg per fertiliser type: the koperasi's rows first (they win a tie on the
    date), then the national defaults of ``domain.subsidy`` (urea, NPK)."""
    out: dict[rules.Fertilizer, tuple[rules.HetRate, ...]] = {}
    for value in FERTILIZERS:
        kind = rules.Fertilizer(value)
        rates = het_schedule(koperasi, value) + tuple(rules.DEFAULT_FERTILIZER_HET.get(kind, ()))
        if rates:
            out[kind] = rates
    return out


def sphp_het(koperasi, zone: int) -> dict[int, tuple[rules.HetRate, ...]]:
    """HET per kg of beras SPHP for the koperasi's zone: its own rows, then the default."""
    rates = het_schedule(koperasi, Product.BERAS_SPHP) + tuple(rules.DEFAULT_SPHP_HET.get(zone, ()))
    return {zone: rates} if rates else {}


@dataclass(frozen=True)
class RuleInForce:
    """The per-NIK limit of a channel on a date (a setting, or the domain's default)."""

    limit: int
    period: rules.Period
    zone: int | None
    effective_from: dt.date | None  # None: the default, nothing set yet
    is_default: bool


def default_zone(koperasi) -> int | None:
    try:
        return rules.sphp_zone(koperasi.region_code or "")
    except rules.SubsidyError:
        return None


def rule_on(koperasi, channel: str, day: dt.date) -> RuleInForce:
    """The channel's rule in force on ``day``: the latest setting from that day or before,
    else the default (LPG 15 cylinders a month; SPHP 10 kg a day, zone by province)."""
    row = (
        ChannelRule.objects.filter(koperasi=koperasi, channel=channel, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    if row is not None:
        return RuleInForce(
            row.limit, rules.Period(row.period), row.zone, row.effective_from, is_default=False
        )
    if channel == Channel.LPG:
        return RuleInForce(
            rules.DEFAULT_LPG_QUOTA, rules.DEFAULT_LPG_PERIOD, None, None, is_default=True
        )
    return RuleInForce(
        rules.DEFAULT_SPHP_LIMIT_GRAMS,
        rules.DEFAULT_SPHP_PERIOD,
        default_zone(koperasi),
        None,
        is_default=True,
    )


def list_het_rates(koperasi) -> QuerySet[HetRate]:
    return HetRate.objects.filter(koperasi=koperasi).order_by("product", "-effective_from")


def list_channel_rules(koperasi) -> QuerySet[ChannelRule]:
    return ChannelRule.objects.filter(koperasi=koperasi).order_by("channel", "-effective_from")


def list_seasons(koperasi) -> QuerySet[Season]:
    return Season.objects.filter(koperasi=koperasi).order_by("-start")


def domain_seasons(koperasi) -> list[rules.Season]:
    return [rules.Season(s.code, s.start, s.end) for s in list_seasons(koperasi)]


def get_season(koperasi, code: str) -> Season | None:
    return Season.objects.filter(koperasi=koperasi, code=code).first()


# --- buyers -------------------------------------------------------------------------------


def get_buyer(koperasi, buyer_id: Any) -> Buyer:
    return _get(Buyer.objects.filter(koperasi=koperasi), buyer_id)


def find_buyer(koperasi, nik: str) -> Buyer | None:
    """The registered buyer with this NORMALISED NIK, or None."""
    return Buyer.objects.filter(koperasi=koperasi, nik_index__in=nik_indexes(koperasi, nik)).first()


def search_buyers(koperasi, raw_nik: str) -> tuple[list[Buyer], str]:
    """Buyers found by a NIK typed in the search box, and the problem with it ("" if none)."""
    try:
        nik = parse_nik(raw_nik).nik
    except NikError as exc:
        return [], exc.message
    found = find_buyer(koperasi, nik)
    return ([found] if found else []), ""


def list_buyers(koperasi) -> QuerySet[Buyer]:
    return Buyer.objects.filter(koperasi=koperasi).order_by("-registered_at")


def buyer_sales(buyer: Buyer, *, limit: int = 50) -> QuerySet[SubsidisedSale]:
    return SubsidisedSale.objects.filter(koperasi_id=buyer.koperasi_id, buyer=buyer).order_by(
        "-sold_on", "-recorded_at"
    )[:limit]


def masked_nik(obj) -> str:
    return masked("nik", obj.nik)


# --- history ------------------------------------------------------------------------------


def bought_between(
    koperasi, *, indexes: Sequence[str], channel: str, start: dt.date, end: dt.date
) -> int:
    """Base units this NIK bought in the channel from ``start`` to ``end`` (inclusive)."""
    total = SubsidisedSale.objects.filter(
        koperasi=koperasi,
        channel=channel,
        nik_index__in=indexes,
        sold_on__gte=start,
        sold_on__lte=end,
    ).aggregate(total=Sum("quantity"))["total"]
    return int(total or 0)


def redeemed_grams(koperasi, *, indexes: Sequence[str], fertilizer: str, season: Season) -> int:
    """Grams of ``fertilizer`` this NIK already took in ``season``."""
    total = SubsidisedSale.objects.filter(
        koperasi=koperasi,
        channel=Channel.PUPUK,
        product=fertilizer,
        nik_index__in=indexes,
        sold_on__gte=season.start,
        sold_on__lte=season.end,
    ).aggregate(total=Sum("quantity"))["total"]
    return int(total or 0)


# --- allocations --------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationRow:
    allocation: Allocation
    nik_masked: str
    redeemed_grams: int
    redeemed_amount: int

    @property
    def remaining_grams(self) -> int:
        return max(self.allocation.grams - self.redeemed_grams, 0)

    @property
    def fertilizer_label(self) -> str:
        return rules.Fertilizer(self.allocation.fertilizer).label


def allocation_rows(koperasi, season: Season) -> list[AllocationRow]:
    """Every allocation of ``season`` with what was redeemed against it (sales recorded
    with the allocation) and what remains. Two queries whatever the number of farmers."""
    allocations = list(
        Allocation.objects.filter(koperasi=koperasi, season=season).order_by(
            "farmer_group", "farmer_name", "fertilizer"
        )
    )
    sums = {
        row["allocation_id"]: (int(row["grams"] or 0), int(row["amount"] or 0))
        for row in SubsidisedSale.objects.filter(koperasi=koperasi, allocation__season=season)
        .values("allocation_id")
        .annotate(grams=Sum("quantity"), amount=Sum("amount"))
    }
    return [AllocationRow(a, masked("nik", a.nik), *sums.get(a.pk, (0, 0))) for a in allocations]


def allocation_for(
    koperasi, *, indexes: Sequence[str], season: Season, fertilizer: str
) -> Allocation | None:
    return Allocation.objects.filter(
        koperasi=koperasi, season=season, fertilizer=fertilizer, nik_index__in=indexes
    ).first()


# --- registers ----------------------------------------------------------------------------


def sales_on(koperasi, channel: str, day: dt.date) -> QuerySet[SubsidisedSale]:
    """A day's sales of a channel, in the order they were recorded, with the buyer."""
    return (
        SubsidisedSale.objects.filter(koperasi=koperasi, channel=channel, sold_on=day)
        .select_related("buyer")
        .order_by("recorded_at", "id")
    )


def recent_sales(koperasi, *, limit: int = 20) -> QuerySet[SubsidisedSale]:
    return (
        SubsidisedSale.objects.filter(koperasi=koperasi)
        .select_related("buyer", "allocation")
        .order_by("-sold_on", "-recorded_at")[:limit]
    )


def counts(koperasi) -> dict[str, int]:
    return {
        "buyers": Buyer.objects.filter(koperasi=koperasi).count(),
        "allocations": Allocation.objects.filter(koperasi=koperasi).count(),
        "sales": SubsidisedSale.objects.filter(koperasi=koperasi).count(),
    }
