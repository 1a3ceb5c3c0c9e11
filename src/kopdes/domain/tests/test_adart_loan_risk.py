"""AD/ART kolektibilitas buckets and PPAP rates: validation and, for any valid settings,
classification and provision that never improve as a loan gets later."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.adart import (
    COLLATERAL_FACTOR_FIELDS,
    KOL_DAY_FIELDS,
    MAX_KOL_DAYS,
    PPAP_RATE_FIELDS,
    AdArt,
    AdArtError,
)
from kopdes.domain.loans import (
    DEFAULT_BUCKETS,
    DEFAULT_COLLATERAL_FACTORS,
    DEFAULT_PPAP_RATES,
    Collateral,
    CollateralBinding,
    Kolektibilitas,
    kolektibilitas,
    ppap_required,
)


@st.composite
def loan_risk_settings(draw: st.DrawFn) -> AdArt:
    """Any valid buckets (strictly rising, 0..MAX_KOL_DAYS) and rates (rising, 0..100%)."""
    days = sorted(draw(st.sets(st.integers(0, MAX_KOL_DAYS), min_size=4, max_size=4)))
    rates = sorted(draw(st.lists(st.integers(0, 10_000), min_size=5, max_size=5)))
    values: dict[str, Any] = dict(zip(KOL_DAY_FIELDS, days, strict=True))
    values.update(zip(PPAP_RATE_FIELDS, rates, strict=True))
    return AdArt.from_json(values)


def test_defaults_are_the_domain_md_buckets_and_rates() -> None:
    adart = AdArt()
    assert adart.kolektibilitas_buckets == DEFAULT_BUCKETS == (0, 90, 120, 180)
    assert adart.ppap_rates == DEFAULT_PPAP_RATES
    assert [adart.ppap_rates[k] for k in Kolektibilitas] == [50, 300, 1000, 5000, 10_000]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(loan_risk_settings(), st.integers(0, 5000), st.integers(0, 5000), st.booleans())
def test_a_later_loan_is_never_classed_better_under_any_valid_settings(
    adart: AdArt, a: int, b: int, restructured: bool
) -> None:
    low, high = sorted((a, b))
    buckets = adart.kolektibilitas_buckets
    k_low = kolektibilitas(low, buckets, restructured=restructured)
    k_high = kolektibilitas(high, buckets, restructured=restructured)
    assert k_low <= k_high
    # Cash collateral counts the same in every class. (Land or a vehicle counts only from
    # DPK on, so a well-secured DPK loan may need less than the lancar general reserve.)
    outstanding, collateral = 10_000_000_00, Collateral(1_000_000_00, CollateralBinding.CASH)
    assert ppap_required(outstanding, k_low, collateral, adart.ppap_rates) <= ppap_required(
        outstanding, k_high, collateral, adart.ppap_rates
    )


@settings(max_examples=200, derandomize=True, deadline=None)
@given(loan_risk_settings())
def test_each_bucket_bound_is_the_last_day_of_its_class(adart: AdArt) -> None:
    for index, bound in enumerate(adart.kolektibilitas_buckets):
        assert kolektibilitas(bound, adart.kolektibilitas_buckets) == Kolektibilitas(index + 1)
        assert kolektibilitas(bound + 1, adart.kolektibilitas_buckets) == Kolektibilitas(index + 2)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(loan_risk_settings())
def test_loan_risk_settings_round_trip_through_json(adart: AdArt) -> None:
    assert AdArt.from_json(adart.to_json()) == adart


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"kol_dpk_max_days": 0}, "kol_dpk_max_days", "harus naik"),
        ({"kol_kurang_lancar_max_days": 90}, "kol_kurang_lancar_max_days", "lebih besar"),
        ({"kol_diragukan_max_days": 100}, "kol_diragukan_max_days", "harus naik"),
        ({"kol_lancar_max_days": -1}, "kol_lancar_max_days", "antara 0"),
        ({"kol_diragukan_max_days": MAX_KOL_DAYS + 1}, "kol_diragukan_max_days", "antara 0"),
        ({"kol_dpk_max_days": "90"}, "kol_dpk_max_days", "bilangan bulat"),
        ({"kol_dpk_max_days": 90.0}, "kol_dpk_max_days", "bilangan bulat"),
        ({"kol_dpk_max_days": True}, "kol_dpk_max_days", "bilangan bulat"),
        ({"ppap_macet_bp": 10_001}, "ppap_macet_bp", "antara 0% dan 100%"),
        ({"ppap_lancar_bp": -1}, "ppap_lancar_bp", "antara 0% dan 100%"),
        ({"ppap_dpk_bp": 2.5}, "ppap_dpk_bp", "bilangan bulat"),
        ({"ppap_diragukan_bp": 500}, "ppap_diragukan_bp", "tidak boleh lebih kecil"),
    ],
)
def test_bad_loan_risk_settings_are_refused_with_the_field_named(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(AdArtError) as exc:
        AdArt(**changes)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert words in exc.value.message


def test_changed_buckets_show_in_the_audit_diff() -> None:
    new = AdArt(kol_dpk_max_days=30)
    assert new.changes_from(AdArt()) == {"kol_dpk_max_days": {"before": 90, "after": 30}}


def test_collateral_factors_default_to_the_bpr_rules_and_feed_the_ppap() -> None:
    adart = AdArt()
    assert adart.collateral_factors == DEFAULT_COLLATERAL_FACTORS
    assert [getattr(adart, name) for name in COLLATERAL_FACTOR_FIELDS] == [
        10_000,
        8_000,
        5_000,
        3_000,
    ]
    stricter = AdArt.from_json({"agunan_hak_tanggungan_bp": 6_000})
    land = Collateral(10_000_000_00, CollateralBinding.HAK_TANGGUNGAN)
    assert land.eligible(stricter.collateral_factors) == 6_000_000_00
    macet = Kolektibilitas.MACET
    assert (
        ppap_required(10_000_000_00, macet, land, stricter.ppap_rates, stricter.collateral_factors)
        == 4_000_000_00
    )
    assert AdArt.from_json(stricter.to_json()) == stricter


@pytest.mark.parametrize("name", list(COLLATERAL_FACTOR_FIELDS))
@pytest.mark.parametrize("value", [-1, 10_001, "80", True, 80.0])
def test_a_collateral_factor_outside_0_to_100_percent_is_refused(name: str, value: Any) -> None:
    with pytest.raises(AdArtError, match="antara 0% dan 100%") as caught:
        AdArt.from_json({name: value})
    assert caught.value.field == name


def test_write_off_is_allowed_from_macet_by_default_and_the_ad_art_may_allow_earlier() -> None:
    adart = AdArt()
    assert adart.write_off_min_kolektibilitas == 5
    assert [adart.allows_write_off(k) for k in range(1, 6)] == [False] * 4 + [True]
    earlier = AdArt.from_json({"write_off_min_kolektibilitas": 4})
    assert [earlier.allows_write_off(k) for k in range(1, 6)] == [False] * 3 + [True] * 2
    for bad in (0, 1, 2, 6, "5", None):
        with pytest.raises(AdArtError, match="Hapus buku") as caught:
            AdArt.from_json({"write_off_min_kolektibilitas": bad})
        assert caught.value.field == "write_off_min_kolektibilitas"
