"""domain.subsidy: HET caps, LPG quota, RDKK allocation, SPHP limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.nik import PROVINCES
from kopdes.domain.subsidy import (
    DEFAULT_FERTILIZER_HET,
    DEFAULT_SPHP_ZONES,
    Fertilizer,
    HetRate,
    Period,
    Season,
    SubsidyError,
    check_fertilizer_sale,
    check_lpg_sale,
    check_sphp_sale,
    het_on,
    period_bounds,
    season_on,
    sphp_zone,
)

DAY = dt.date(2026, 3, 10)
LPG_HET = (
    HetRate(dt.date(2025, 1, 1), 16_000_00, "Kepgub Jabar lama"),
    HetRate(dt.date(2026, 1, 1), 19_000_00, "Kepgub Jabar 2026"),
)


@pytest.mark.parametrize(
    ("day", "period", "bounds"),
    [
        (DAY, Period.DAY, (DAY, DAY)),
        (DAY, Period.WEEK, (dt.date(2026, 3, 9), dt.date(2026, 3, 15))),
        (DAY, Period.MONTH, (dt.date(2026, 3, 1), dt.date(2026, 3, 31))),
        (dt.date(2028, 2, 29), Period.MONTH, (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
        (dt.date(2026, 12, 31), Period.MONTH, (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
    ],
)
def test_period_bounds(day, period, bounds):
    assert period_bounds(day, period) == bounds


def test_the_het_in_force_on_the_day_applies():
    assert het_on(LPG_HET, dt.date(2025, 12, 31), what="LPG").price == 16_000_00
    assert het_on(LPG_HET, dt.date(2026, 1, 1), what="LPG").price == 19_000_00
    with pytest.raises(SubsidyError) as err:
        het_on(LPG_HET, dt.date(2024, 12, 31), what="LPG 3 kg")
    assert err.value.code == "no_het" and "belum diatur" in err.value.message


def test_lpg_sale_within_het_and_quota():
    sale = check_lpg_sale(
        cylinders=2, unit_price=18_000_00, het_schedule=LPG_HET, day=DAY, bought_in_period=12
    )
    assert (sale.amount, sale.remaining, sale.het.reference) == (36_000_00, 1, "Kepgub Jabar 2026")
    sale = check_lpg_sale(
        cylinders=3, unit_price=19_000_00, het_schedule=LPG_HET, day=DAY, bought_in_period=12
    )
    assert sale.remaining == 0


@pytest.mark.parametrize(
    ("kwargs", "code", "hint"),
    [
        ({"cylinders": 1, "unit_price": 19_000_01}, "het", "melebihi HET Rp 19.000"),
        ({"cylinders": 4, "unit_price": 18_000_00}, "quota", "sisa 3 tabung"),
        ({"cylinders": 0, "unit_price": 18_000_00}, "quantity", "lebih dari nol"),
        ({"cylinders": -1, "unit_price": 18_000_00}, "quantity", "lebih dari nol"),
        ({"cylinders": 1, "unit_price": -1}, "price", "sen"),
        ({"cylinders": 1, "unit_price": 1, "day": dt.date(2024, 1, 1)}, "no_het", "belum"),
    ],
)
def test_lpg_refusals(kwargs, code, hint):
    args = {"het_schedule": LPG_HET, "day": DAY, "bought_in_period": 12} | kwargs
    with pytest.raises(SubsidyError) as err:
        check_lpg_sale(**args)
    assert err.value.code == code
    assert hint in err.value.message


def test_fertilizer_het_defaults_follow_kepmentan_1117():
    assert het_on(
        DEFAULT_FERTILIZER_HET[Fertilizer.UREA], dt.date(2025, 10, 22), what=""
    ).price == (1_800_00)
    assert het_on(DEFAULT_FERTILIZER_HET[Fertilizer.NPK], DAY, what="").price == 1_840_00
    with pytest.raises(SubsidyError):
        het_on(DEFAULT_FERTILIZER_HET[Fertilizer.UREA], dt.date(2025, 10, 21), what="urea")


def test_fertilizer_sale_within_allocation():
    sale = check_fertilizer_sale(
        fertilizer="urea",
        grams=50_000,
        price_per_kg=1_800_00,
        day=DAY,
        allocation_grams=125_000,
        bought_in_season_grams=50_000,
    )
    assert (sale.amount, sale.remaining) == (90_000_00, 25_000)
    # 12,345 kg of NPK at Rp1.840: Rp22.714,80 rounded down to Rp22.714.
    sale = check_fertilizer_sale(
        fertilizer=Fertilizer.NPK,
        grams=12_345,
        price_per_kg=1_840_00,
        day=DAY,
        allocation_grams=100_000,
        bought_in_season_grams=0,
    )
    assert sale.amount == 22_714_00


@pytest.mark.parametrize(
    ("kwargs", "code", "hint"),
    [
        ({"allocation_grams": None}, "not_in_rdkk", "tidak terdaftar di RDKK"),
        ({"grams": 75_001}, "allocation", "sisa 75 kg"),
        ({"price_per_kg": 1_900_00}, "het", "HET Rp 1.800"),
        ({"fertilizer": "za"}, "type", "tidak dikenal"),
        ({"fertilizer": "organik"}, "no_het", "belum diatur"),
        ({"day": dt.date(2025, 1, 1)}, "no_het", "belum diatur"),
        ({"grams": 0}, "quantity", "lebih dari nol"),
    ],
)
def test_fertilizer_refusals(kwargs, code, hint):
    args = {
        "fertilizer": "urea",
        "grams": 50_000,
        "price_per_kg": 1_800_00,
        "day": DAY,
        "allocation_grams": 125_000,
        "bought_in_season_grams": 50_000,
    } | kwargs
    with pytest.raises(SubsidyError) as err:
        check_fertilizer_sale(**args)
    assert err.value.code == code
    assert hint in err.value.message


def test_seasons():
    seasons = [
        Season("MT1-2026", dt.date(2025, 10, 1), dt.date(2026, 3, 31)),
        Season("MT2-2026", dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
    ]
    assert season_on(seasons, DAY).code == "MT1-2026"
    assert season_on(seasons, dt.date(2026, 4, 1)).code == "MT2-2026"
    with pytest.raises(SubsidyError) as err:
        season_on(seasons, dt.date(2026, 10, 1))
    assert err.value.code == "season"


@pytest.mark.parametrize(
    ("province", "zone"), [("32", 1), ("16.71", 1), ("73", 1), ("12", 2), ("53", 2), ("94", 3)]
)
def test_sphp_zones(province, zone):
    assert sphp_zone(province) == zone


def test_every_province_has_a_zone():
    assert set(DEFAULT_SPHP_ZONES) == set(PROVINCES)
    with pytest.raises(SubsidyError) as err:
        sphp_zone("99")
    assert err.value.code == "zone"


def test_sphp_sale_and_its_limits():
    sale = check_sphp_sale(
        grams=5_000, price_per_kg=12_500_00, zone=1, day=DAY, bought_in_period_grams=5_000
    )
    assert (sale.amount, sale.remaining) == (62_500_00, 0)
    cases = [
        ({"grams": 10_001, "bought_in_period_grams": 0}, "per transaksi"),
        ({"grams": 5_001, "bought_in_period_grams": 5_000}, "sisa batas 5 kg"),
        ({"price_per_kg": 13_100_00}, "HET Rp 12.500"),
    ]
    for kwargs, hint in cases:
        args: dict[str, Any] = {
            "grams": 5_000,
            "price_per_kg": 12_500_00,
            "zone": 1,
            "day": DAY,
            "bought_in_period_grams": 0,
        } | kwargs
        with pytest.raises(SubsidyError) as err:
            check_sphp_sale(**args)
        assert hint in err.value.message
    # Zone 3 allows Rp13.500; a koperasi may lower the limit to 5 kg.
    assert check_sphp_sale(
        grams=5_000, price_per_kg=13_500_00, zone=3, day=DAY, bought_in_period_grams=0,
        limit_grams=5_000,
    ).remaining == 0  # fmt: skip
    with pytest.raises(SubsidyError, match="zona 4"):
        check_sphp_sale(
            grams=1, price_per_kg=1, zone=4, day=DAY, bought_in_period_grams=0
        )  # fmt: skip


# --- properties -------------------------------------------------------------------------


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.integers(1, 6), max_size=30), st.integers(1, 20))
def test_lpg_quota_is_never_exceeded_by_any_sequence(attempts, quota):
    bought = 0
    for cylinders in attempts:
        try:
            sale = check_lpg_sale(
                cylinders=cylinders,
                unit_price=16_000_00,
                het_schedule=LPG_HET,
                day=DAY,
                bought_in_period=bought,
                quota=quota,
            )
        except SubsidyError as err:
            assert err.code == "quota"
            assert bought + cylinders > quota
            continue
        bought += cylinders
        assert sale.remaining == quota - bought
    assert bought <= quota


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(st.integers(1, 60_000), max_size=20),
    st.integers(0, 500_000),
    st.integers(0, 1_840_00),
)
def test_pupuk_allocation_is_never_exceeded_and_amount_never_above_het(attempts, alloc, price):
    bought = 0
    for grams in attempts:
        try:
            sale = check_fertilizer_sale(
                fertilizer="npk",
                grams=grams,
                price_per_kg=price,
                day=DAY,
                allocation_grams=alloc,
                bought_in_season_grams=bought,
            )
        except SubsidyError as err:
            assert err.code == "allocation"
            continue
        bought += grams
        assert sale.amount % 100 == 0
        assert sale.amount * 1000 <= grams * 1_840_00
        assert grams * price - sale.amount * 1000 < 100 * 1000
    assert bought <= alloc


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.integers(1, 12_000), max_size=20), st.sampled_from([5_000, 10_000]))
def test_sphp_never_sells_more_than_the_limit_to_one_nik_in_the_period(attempts, limit):
    bought = 0
    for grams in attempts:
        try:
            check_sphp_sale(
                grams=grams,
                price_per_kg=12_500_00,
                zone=1,
                day=DAY,
                bought_in_period_grams=bought,
                limit_grams=limit,
            )
        except SubsidyError as err:
            assert err.code == "limit"
            continue
        bought += grams
    assert bought <= limit


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.dates(dt.date(2000, 1, 1), dt.date(2199, 12, 31)), st.sampled_from(list(Period)))
def test_period_bounds_hold_the_day(day, period):
    start, end = period_bounds(day, period)
    assert start <= day <= end
    assert period_bounds(start, period) == period_bounds(end, period) == (start, end)
