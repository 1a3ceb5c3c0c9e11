"""EAN-13 / EAN-8 check digits, in-store codes, scanner input: tables and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopdes.domain.barcode import (
    BarcodeError,
    InStoreKind,
    base_code,
    check_digit,
    has_embedded_value,
    is_instore,
    is_valid_ean,
    make_instore,
    normalise_scan,
    parse_instore,
    scan_to_ean,
    validate_ean,
    with_check_digit,
)

# Real codes printed on goods (the check digit is the last one).
VALID = [
    "8992761111113",  # EAN-13
    "4006381333931",  # GS1's own example
    "8999999090074",
    "96385074",  # EAN-8, GS1 example
    "5012345678900",
    "0012345678905",  # a UPC-A as EAN-13
]


@pytest.mark.parametrize("code", VALID)
def test_real_codes_are_valid(code: str) -> None:
    assert is_valid_ean(code)
    assert validate_ean(code) == code


@pytest.mark.parametrize(
    ("body", "digit"),
    [("400638133393", 1), ("899276111111", 3), ("9638507", 4), ("501234567890", 0)],
)
def test_check_digit_table(body: str, digit: int) -> None:
    assert check_digit(body) == digit


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("8992761111112", "seharusnya 3"),  # wrong check digit
        ("96385075", "seharusnya 4"),
        ("899276111111", "13 angka"),  # 12 digits: too short for EAN-13
        ("12345", "13 angka"),
        ("89927611111a3", "hanya boleh berisi angka"),
        ("", "hanya boleh berisi angka"),
        ("８９９２７６１１１１１１３", "hanya boleh berisi angka"),  # full-width digits
    ],
)
def test_bad_codes_are_refused_with_a_reason(code: str, message: str) -> None:
    assert not is_valid_ean(code)
    with pytest.raises(BarcodeError, match=message):
        validate_ean(code)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_a_computed_check_digit_always_validates_ean13(body: str) -> None:
    code = with_check_digit(body)
    assert len(code) == 13 and is_valid_ean(code)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_a_computed_check_digit_always_validates_ean8(body: str) -> None:
    assert is_valid_ean(with_check_digit(body))


@given(
    st.text(alphabet="0123456789", min_size=12, max_size=12),
    st.integers(min_value=0, max_value=12),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_error_is_caught(body: str, position: int, shift: int) -> None:
    code = with_check_digit(body)
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    assert not is_valid_ean(wrong)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 10))
def test_adjacent_transpositions_of_different_digits_mostly_caught(body: str, i: int) -> None:
    code = with_check_digit(body)
    a, b = code[i], code[i + 1]
    swapped = code[:i] + b + a + code[i + 2 :]
    # GS1 mod 10 misses a swap only when the two digits differ by 5.
    if a != b and abs(int(a) - int(b)) != 5:
        assert not is_valid_ean(swapped)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8992761111113\r\n", "8992761111113"),  # scanner's Enter
        ("  8992761111113\t", "8992761111113"),
        ("]E08992761111113", "8992761111113"),  # AIM identifier
        ("]E496385074", "96385074"),
        ("899-2761 111113", "8992761111113"),  # typed with separators
        ("012345678905", "0012345678905"),  # UPC-A becomes EAN-13
    ],
)
def test_scanner_input_is_normalised(raw: str, expected: str) -> None:
    assert normalise_scan(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "kosong"),
        (" \r\n", "kosong"),
        ("ABC123", "hanya boleh berisi angka"),
        ("٨٩٩٢٧٦١١١١١١٣", "hanya boleh berisi angka"),  # Arabic-Indic digits
        ("1" * 65, "terlalu panjang"),
    ],
)
def test_bad_scanner_input_is_refused(raw: str, message: str) -> None:
    with pytest.raises(BarcodeError, match=message):
        normalise_scan(raw)


def test_scan_to_ean_checks_the_digit_after_normalising() -> None:
    assert scan_to_ean("]E08992761111113\n") == "8992761111113"
    with pytest.raises(BarcodeError, match="seharusnya"):
        scan_to_ean("8992761111112\n")


@given(st.text(max_size=80))
def test_normalise_scan_returns_digits_or_refuses(raw: str) -> None:
    try:
        out = normalise_scan(raw)
    except BarcodeError:
        return
    assert out.isascii() and out.isdigit()


def test_weight_label_layout() -> None:
    code = make_instore(InStoreKind.WEIGHT, 42, 1250)
    assert code == "2100420012503"
    parsed = parse_instore(code)
    assert (parsed.kind, parsed.item, parsed.grams, parsed.price_sen) == (
        InStoreKind.WEIGHT,
        "0042",
        1250,
        None,
    )
    assert parsed.base_code == "2100420000005" == base_code(code)


def test_price_label_layout() -> None:
    code = make_instore(InStoreKind.PRICE, 42, 15_000)
    assert code == "2200420150004"
    parsed = parse_instore(code)
    assert parsed.kind is InStoreKind.PRICE
    assert parsed.price_sen == 15_000_00 and parsed.grams is None
    assert has_embedded_value(code)


def test_store_item_number_has_no_value() -> None:
    code = make_instore(InStoreKind.ITEM, 123)
    assert code == with_check_digit("200000000123")
    parsed = parse_instore(code)
    assert parsed.kind is InStoreKind.ITEM and parsed.item == "0000000123"
    assert not has_embedded_value(code)
    assert base_code(code) == code


def test_not_instore_codes() -> None:
    assert not is_instore("8992761111113")
    assert not is_instore("96385074")
    with pytest.raises(BarcodeError, match="bukan barcode toko"):
        parse_instore("8992761111113")
    assert base_code("8992761111113") == "8992761111113"


@pytest.mark.parametrize(
    ("kind", "item", "value", "message"),
    [
        (InStoreKind.WEIGHT, 10_000, 1, "4 angka"),
        (InStoreKind.WEIGHT, 1, 1_000_000, "999.999 gram"),
        (InStoreKind.PRICE, 1, -1, "Rp999.999"),
        (InStoreKind.ITEM, 10_000_000_000, 0, "10 angka"),
    ],
)
def test_make_instore_refuses_values_that_do_not_fit(kind, item, value, message) -> None:
    with pytest.raises(BarcodeError, match=message):
        make_instore(kind, item, value)


@given(
    st.sampled_from([InStoreKind.WEIGHT, InStoreKind.PRICE]),
    st.integers(0, 9999),
    st.integers(0, 999_999),
)
def test_instore_round_trip(kind: InStoreKind, item: int, value: int) -> None:
    code = make_instore(kind, item, value)
    assert is_valid_ean(code) and is_instore(code)
    parsed = parse_instore(code)
    assert parsed.item == f"{item:04d}"
    if kind is InStoreKind.WEIGHT:
        assert parsed.grams == value
    else:
        assert parsed.price_sen == value * 100
    # Every label of one item shares one base code.
    assert base_code(code) == make_instore(kind, item, 0)
