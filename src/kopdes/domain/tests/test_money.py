"""domain.money: parsing, formatting, rounding, words and allocation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lokal import terbilang as lokal_terbilang

from kopdes.domain.money import (
    MAX_SEN,
    Money,
    MoneyError,
    allocate_by_weights,
    divide_round,
    format_rupiah,
    number_words,
    parse_rupiah,
    round_to_rupiah,
    terbilang,
)

amounts = st.integers(min_value=0, max_value=MAX_SEN)


@pytest.mark.parametrize(
    ("text", "sen"),
    [
        ("50000", 5_000_000),
        ("50.000", 5_000_000),
        ("Rp 1.234.567,50", 123_456_750),
        ("Rp1.234.567", 123_456_700),
        ("rp. 5.000", 500_000),
        ("IDR 5.000", 500_000),
        ("  12,5 ", 1250),
        ("0", 0),
        ("1.000.000.000.000.000", MAX_SEN),
    ],
)
def test_parse_reads_indonesian_notation(text, sen):
    assert parse_rupiah(text) == sen


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1,5 juta", "kata"),
        ("2 jt", "kata"),
        ("50rb", "kata"),
        ("1e9", "tidak bisa dibaca"),
        ("NaN", "tidak bisa dibaca"),
        ("inf", "tidak bisa dibaca"),
        ("１２３", "0-9"),  # full-width digits
        ("١٢٣", "0-9"),  # Arabic-Indic digits
        ("1.5", "tidak bisa dibaca"),
        ("1,234.50", "tidak bisa dibaca"),
        ("12.34.567", "tidak bisa dibaca"),
        ("1,505", "dua angka"),
        ("-5.000", "negatif"),
        ("Rp -5.000", "negatif"),
        ("1.000.000.000.000.001", "melebihi batas"),
        ("", "wajib"),
        ("   ", "wajib"),
        ("Rp", "tidak bisa dibaca"),
    ],
)
def test_parse_rejects_bad_input_with_indonesian_message(text, hint):
    with pytest.raises(MoneyError) as err:
        parse_rupiah(text)
    assert hint in err.value.message


def test_parse_allows_negative_and_refuses_zero_only_when_asked():
    assert parse_rupiah("-5.000", allow_negative=True) == -500_000
    with pytest.raises(MoneyError, match="lebih dari nol"):
        parse_rupiah("0", allow_zero=False)


@given(amounts)
def test_format_then_parse_round_trips(sen):
    assert parse_rupiah(format_rupiah(sen)) == sen
    assert parse_rupiah(format_rupiah(sen, show_sen=True)) == sen


def test_format_examples():
    assert format_rupiah(123_456_700) == "Rp 1.234.567"
    assert format_rupiah(123_456_750) == "Rp 1.234.567,50"
    assert format_rupiah(-500_000) == "-Rp 5.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(100, show_sen=True) == "Rp 1,00"
    with pytest.raises(ValueError):
        format_rupiah(150, show_sen=False)


@pytest.mark.parametrize(
    ("sen", "rounded"),
    [(149, 100), (150, 200), (199, 200), (0, 0), (-150, -200), (-149, -100), (250, 300)],
)
def test_round_to_rupiah_is_half_up(sen, rounded):
    assert round_to_rupiah(sen) == rounded


@given(st.integers(min_value=-MAX_SEN, max_value=MAX_SEN))
def test_rounding_is_whole_rupiah_within_half(sen):
    r = round_to_rupiah(sen)
    assert r % 100 == 0
    assert abs(r - sen) <= 50


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_divide_round_is_nearest(n, d):
    q = divide_round(n, d)
    assert abs(n - q * d) * 2 <= d


def test_terbilang_examples():
    assert terbilang(123_456_700) == (
        "satu juta dua ratus tiga puluh empat ribu lima ratus enam puluh tujuh rupiah"
    )
    assert terbilang(0) == "nol rupiah"
    assert terbilang(100_000) == "seribu rupiah"
    assert terbilang(1_100_000) == "sebelas ribu rupiah"
    assert terbilang(1_100_000_000_00) == "satu miliar seratus juta rupiah"
    assert terbilang(250) == "dua rupiah lima puluh sen"
    assert number_words(10**15) == "satu kuadriliun"


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_terbilang_agrees_with_lokal_id(rupiah):
    assert terbilang(rupiah * 100) == lokal_terbilang(rupiah, currency=True)


@given(st.integers(0, 10**15), st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_allocation_sums_exactly_and_is_fair(total, weights):
    if sum(weights) == 0:
        with pytest.raises(ValueError):
            allocate_by_weights(total, weights)
        return
    parts = allocate_by_weights(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    w = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        # Never more than one unit away from the exact share.
        assert abs(part * w - total * weight) < w
        if weight == 0:
            assert part == 0


def test_allocation_examples():
    assert allocate_by_weights(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate_by_weights(10, [3, 7]) == [3, 7]
    assert allocate_by_weights(-100, [1, 1, 1]) == [-34, -33, -33]
    assert sum(allocate_by_weights(1_000_000_007, [3, 7, 11])) == 1_000_000_007
    with pytest.raises(ValueError):
        allocate_by_weights(10, [])
    with pytest.raises(ValueError):
        allocate_by_weights(10, [1, -1])


def test_money_value_type():
    a = Money.rupiah(1_000)
    b = Money.parse("Rp 500,50")
    assert (a + b).sen == 150_050
    assert (a - b).sen == 49_950
    assert str(a) == "Rp 1.000"
    assert a.words() == "seribu rupiah"
    assert int(-a) == -100_000
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
