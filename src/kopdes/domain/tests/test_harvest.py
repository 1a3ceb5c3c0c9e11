"""domain.harvest: buying members' harvest with moisture and refraction deductions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.harvest import (
    HarvestError,
    HarvestTerms,
    harvest_receipt,
    price_harvest_line,
)

GABAH = HarvestTerms(standard_moisture_bp=1_400, refraction_bp=200)
SAYUR = HarvestTerms(refraction_bp=500)


@pytest.mark.parametrize(
    ("terms", "gross", "moisture_bp", "price", "expected"),
    [
        # 1.000 kg gabah at 17% brought to 14%: 965,116 kg; less 2% rafaksi 19,302 kg.
        (GABAH, 1_000_000, 1_700, 6_500_00, (34_884, 19_302, 945_814, 6_147_791_00)),
        # At or under the standard moisture: only the rafaksi.
        (GABAH, 500_000, 1_400, 6_500_00, (0, 10_000, 490_000, 3_185_000_00)),
        (GABAH, 500_000, 1_200, 6_500_00, (0, 10_000, 490_000, 3_185_000_00)),
        # 37,5 kg of cabai at Rp30.000/kg less 5%: 35,625 kg = Rp1.068.750.
        (SAYUR, 37_500, None, 30_000_00, (0, 1_875, 35_625, 1_068_750_00)),
        # No deductions: 1,333 kg at Rp4.500 = Rp5.998,50 -> Rp5.999 (half up).
        (HarvestTerms(), 1_333, None, 4_500_00, (0, 0, 1_333, 5_999_00)),
    ],
)
def test_deductions_net_weight_and_amount(terms, gross, moisture_bp, price, expected):
    line = price_harvest_line(
        "gabah", gross_grams=gross, price_per_kg=price, terms=terms, moisture_bp=moisture_bp
    )
    assert (line.moisture_grams, line.refraction_grams, line.net_grams, line.amount) == expected


def test_receipt_totals():
    lines = [
        price_harvest_line("cabai", gross_grams=37_500, price_per_kg=30_000_00, terms=SAYUR),
        price_harvest_line("tomat", gross_grams=20_000, price_per_kg=8_000_00, terms=SAYUR),
    ]
    receipt = harvest_receipt(lines)
    assert (receipt.gross_grams, receipt.net_grams) == (57_500, 54_625)
    assert receipt.total == 1_068_750_00 + 152_000_00


@pytest.mark.parametrize(
    ("call", "code", "hint"),
    [
        (
            lambda: price_harvest_line("g", gross_grams=1, price_per_kg=1, terms=GABAH),
            "moisture",
            "standar 14%",
        ),
        (
            lambda: price_harvest_line(
                "g", gross_grams=1, price_per_kg=1, terms=HarvestTerms(1_450)
            ),
            "moisture",
            "standar 14,5%",
        ),
        (
            lambda: price_harvest_line("g", gross_grams=0, price_per_kg=1, terms=SAYUR),
            "weight",
            "di luar batas",
        ),
        (
            lambda: price_harvest_line("g", gross_grams=1.5, price_per_kg=1, terms=SAYUR),  # type: ignore[arg-type]
            "weight",
            "bilangan bulat",
        ),
        (
            lambda: price_harvest_line("g", gross_grams=1, price_per_kg=-1, terms=SAYUR),
            "price",
            "di luar batas",
        ),
        (
            lambda: price_harvest_line(
                "g", gross_grams=1, price_per_kg=1, terms=GABAH, moisture_bp=10_000
            ),
            "moisture",
            "di luar batas",
        ),
        (lambda: HarvestTerms(refraction_bp=10_000), "refraction", "di luar batas"),
        (lambda: HarvestTerms(standard_moisture_bp=-1), "moisture", "di luar batas"),
        (lambda: harvest_receipt([]), "empty", "Belum ada"),
    ],
)
def test_bad_harvest_input_is_refused_in_indonesian(call, code, hint):
    with pytest.raises(HarvestError) as err:
        call()
    assert err.value.code == code
    assert hint in err.value.message


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    gross=st.integers(1, 10**8),
    standard=st.one_of(st.none(), st.integers(0, 3_000)),
    measured=st.integers(0, 5_000),
    refraction=st.integers(0, 2_000),
    price=st.integers(0, 100_000_00),
)
def test_weights_add_up_and_the_amount_is_within_half_a_rupiah(
    gross, standard, measured, refraction, price
):
    terms = HarvestTerms(standard_moisture_bp=standard, refraction_bp=refraction)
    line = price_harvest_line(
        "x", gross_grams=gross, price_per_kg=price, terms=terms, moisture_bp=measured
    )
    assert line.gross_grams == line.moisture_grams + line.refraction_grams + line.net_grams
    assert 0 <= line.net_grams <= line.gross_grams
    assert line.moisture_grams >= 0 and line.refraction_grams >= 0
    if standard is None or measured <= standard:
        assert line.moisture_grams == 0
    else:
        # The weight at standard moisture holds the same dry matter, to half a gram.
        kept = line.gross_grams - line.moisture_grams
        assert abs(kept * (10_000 - standard) - gross * (10_000 - measured)) * 2 <= (
            10_000 - standard
        )
    assert line.amount % 100 == 0
    assert abs(line.amount * 1000 - line.net_grams * price) <= 50 * 1000
