"""Indonesian phone numbers: the ways people write them, the T9 bad-input corpus, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.phone import Phone, PhoneError, PhoneKind, normalize_phone, parse_phone


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "(0812) 3456-7890",
        "6281234567890",
        "+6281234567890",
        "+62 812 3456 7890",
        "+62-812-3456-7890",
        "+62 (0)812 3456 7890",
        "006281234567890",
        "81234567890",
        "812 3456 7890",
        "  081234567890\n",
    ],
)
def test_the_usual_ways_of_writing_a_mobile_number_normalise_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812345678", "+62812345678"),  # 10 digits, the shortest mobile
        ("0812345678901", "+62812345678901"),  # 13 digits, the longest
        ("0895 1234 5678", "+6289512345678"),
        ("0881-2345-6789", "+6288123456789"),
        ("0838 1234 5678", "+6283812345678"),
        ("0877 1234 5678", "+6287712345678"),
        ("0851 2345 6789", "+6285123456789"),
        ("0822 1234 5678", "+6282212345678"),
    ],
)
def test_mobile_blocks_and_lengths(raw: str, e164: str) -> None:
    phone = parse_phone(raw)
    assert phone == Phone(e164=e164, kind=PhoneKind.MOBILE)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(021) 1234-5678", "+622112345678"),
        ("021 5551234", "+62215551234"),
        ("0274 512345", "+62274512345"),
        ("+62 361 234567", "+62361234567"),
        ("0967 123456", "+62967123456"),
    ],
)
def test_landline_numbers_with_an_area_code(raw: str, e164: str) -> None:
    phone = parse_phone(raw)
    assert phone.e164 == e164
    assert phone.kind is PhoneKind.LANDLINE


def test_display_forms() -> None:
    phone = parse_phone("081234567890")
    assert phone.national == "0812-3456-7890"
    assert phone.whatsapp == "6281234567890"
    assert parse_phone("021 5551234").national == "0215551234"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("+1 202 555 0100", "country"),
        ("+60 12 345 6789", "country"),  # Malaysia
        ("0060123456789", "country"),
        ("+6", "country"),
        ("081234567", "length"),  # 9 digits
        ("08123456789012", "length"),  # 14 digits
        ("+62812345", "length"),
        ("0211234", "length"),  # landline too short
        ("0211234567890", "length"),  # landline too long
        ("0800 1234 567", "prefix"),  # toll-free
        ("0809 1234 5678", "prefix"),
        ("0841 2345 6789", "prefix"),
        ("0861 2345 6789", "prefix"),
        ("01234567890", "prefix"),
        ("00", "country"),
        ("1234567890", "format"),
        ("5551234", "format"),
        ("0812-3456-789O", "chars"),  # letter O
        ("0812 3456 7890 ext 12", "chars"),
        ("0812345678\x00", "chars"),
        ("\u202e081234567890", "chars"),
        ("0812\u200b34567890", "chars"),
        ("08123456789😀", "chars"),
        ("+62+81234567890", "chars"),
        ("' OR 1=1--", "chars"),
        ("<img src=x onerror=alert(1)>", "chars"),
        ('=HYPERLINK("x")', "chars"),
        ("０８１２３４５６７８９０", "chars"),  # full-width
        ("٠٨١٢٣٤٥٦٧٨٩٠", "chars"),  # Arabic-Indic
        ("08123456789０", "chars"),
    ],
)
def test_bad_phone_numbers_are_refused_with_a_message(raw: str, code: str) -> None:
    with pytest.raises(PhoneError) as exc:
        normalize_phone(raw)
    assert exc.value.code == code
    assert exc.value.message
    assert str(exc.value) == exc.value.message


def test_unicode_digits_get_a_message_that_names_the_problem() -> None:
    with pytest.raises(PhoneError) as exc:
        normalize_phone("０８１２３４５６７８９０")
    assert "angka biasa 0-9" in exc.value.message


def test_length_message_counts_the_digits_typed() -> None:
    with pytest.raises(PhoneError) as exc:
        normalize_phone("081234567")
    assert exc.value.message == (
        "Nomor HP harus 10-13 angka (termasuk 0 di depan), yang diisi 9 angka."
    )


def test_foreign_number_message() -> None:
    with pytest.raises(PhoneError) as exc:
        normalize_phone("+60123456789")
    assert exc.value.message == "Hanya nomor telepon Indonesia (+62) yang diterima."


_mobile_nsn = st.builds(
    lambda block, rest: f"8{block}{rest}",
    st.sampled_from("1235789"),
    st.text(alphabet="0123456789", min_size=7, max_size=10),
)


@settings(max_examples=300, derandomize=True)
@given(_mobile_nsn, st.sampled_from(["0", "62", "+62", "+62 ", "0062", ""]), st.booleans())
def test_every_valid_mobile_normalises_the_same_whatever_the_prefix(
    nsn: str, prefix: str, dashes: bool
) -> None:
    body = "-".join(nsn[i : i + 4] for i in range(0, len(nsn), 4)) if dashes else nsn
    e164 = normalize_phone(prefix + body)
    assert e164 == "+62" + nsn
    assert normalize_phone(e164) == e164  # idempotent


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=30))
def test_any_text_either_normalises_to_ascii_e164_or_raises_phone_error(text: str) -> None:
    try:
        e164 = normalize_phone(text)
    except PhoneError as exc:
        assert exc.message
        return
    assert e164.startswith("+62")
    assert e164[1:].isascii() and e164[1:].isdigit()
    assert 11 <= len(e164) <= 15
