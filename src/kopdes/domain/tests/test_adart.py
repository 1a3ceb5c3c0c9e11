"""AD/ART settings: defaults, refusals, and property tests for the JSON round trip."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kopdes.domain.adart import DEFAULT_SHU_SPLIT, SHU_POOLS, AdArt, AdArtError

amounts = st.integers(min_value=1, max_value=10**12)


@st.composite
def splits(draw: st.DrawFn, total: int = 10_000) -> dict[str, int]:
    """Eight non-negative basis-point shares summing to ``total``."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=7, max_size=7)))
    bounds = [0, *cuts, total]
    return {pool: bounds[i + 1] - bounds[i] for i, pool in enumerate(SHU_POOLS)}


@st.composite
def adarts(draw: st.DrawFn) -> AdArt:
    month_from = draw(st.integers(1, 12))
    return AdArt(
        simpanan_pokok_amount=draw(amounts),
        simpanan_wajib_amount=draw(amounts),
        pokok_wajib_as_equity=draw(st.booleans()),
        shu_split=draw(splits()),
        withdrawal_approval_threshold=draw(amounts),
        deposit_approval_threshold=draw(amounts),
        loan_approval_threshold=draw(amounts),
        rat_quorum_bp=draw(st.integers(1, 10_000)),
        rat_month_from=month_from,
        rat_month_to=draw(st.integers(month_from, 12)),
    )


@settings(max_examples=200, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(adarts())
def test_adart_round_trips_through_json(adart: AdArt) -> None:
    assert AdArt.from_json(adart.to_json()) == adart


@settings(max_examples=200, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 30_000).filter(lambda t: t != 10_000).flatmap(lambda t: splits(total=t)))
def test_split_not_summing_to_10000_bp_is_refused(split: dict[str, int]) -> None:
    with pytest.raises(AdArtError) as exc:
        AdArt(shu_split=split)
    assert exc.value.field == "shu_split"
    assert "100%" in exc.value.message


def test_defaults_follow_domain_md() -> None:
    adart = AdArt.from_json(None)
    assert sum(adart.shu_split.values()) == 10_000
    assert adart.simpanan_pokok_amount == 50_000_00
    assert adart == AdArt.from_json({})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"simpanan_pokok_amount": 0}, "simpanan_pokok_amount"),
        ({"simpanan_wajib_amount": -100}, "simpanan_wajib_amount"),
        ({"simpanan_wajib_amount": 10.5}, "simpanan_wajib_amount"),
        ({"withdrawal_approval_threshold": True}, "withdrawal_approval_threshold"),
        ({"deposit_approval_threshold": True}, "deposit_approval_threshold"),
        ({"deposit_approval_threshold": 0}, "deposit_approval_threshold"),
        ({"loan_approval_threshold": "1000"}, "loan_approval_threshold"),
        ({"shu_split": {**DEFAULT_SHU_SPLIT, "cadangan": -1}}, "shu_split"),
        ({"shu_split": {"cadangan": 10_000}}, "shu_split"),
        ({"shu_split": [1, 2]}, "shu_split"),
        ({"rat_quorum_bp": 0}, "rat_quorum_bp"),
        ({"rat_quorum_bp": "50"}, "rat_quorum_bp"),
        ({"rat_month_from": 7, "rat_month_to": 3}, "rat_month_to"),
        ({"rat_month_to": 13}, "rat_month_to"),
        ({"pokok_wajib_as_equity": "ya"}, "pokok_wajib_as_equity"),
        ({"bunga_pinjaman": 1}, "bunga_pinjaman"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(AdArtError) as exc:
        AdArt.from_json(data)
    assert exc.value.field == field


def test_non_object_json_is_refused() -> None:
    with pytest.raises(AdArtError):
        AdArt.from_json([1, 2])  # type: ignore[arg-type]


def test_changes_from_lists_only_changed_settings() -> None:
    old = AdArt()
    new = AdArt(simpanan_wajib_amount=20_000_00)
    assert new.changes_from(old) == {
        "simpanan_wajib_amount": {"before": 10_000_00, "after": 20_000_00}
    }
    assert old.changes_from(old) == {}
