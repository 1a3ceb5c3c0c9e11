"""Masked forms of personal data: the project's examples and properties."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.masking import (
    mask_address,
    mask_birth_date,
    mask_name,
    mask_nik,
    mask_phone,
)


def test_nik_keeps_first_four_and_last_four() -> None:
    assert mask_nik("3201234567890001") == "3201********0001"


def test_phone_keeps_country_operator_block_and_last_three() -> None:
    assert mask_phone("+6281234567890") == "+62812*****890"
    assert mask_phone("+62812345678") == "+62812***678"


@pytest.mark.parametrize(
    ("fn", "value", "masked"),
    [
        (mask_nik, "", ""),
        (mask_nik, "123", "***"),
        (mask_nik, "12345678901", "***********"),
        (mask_phone, "0812345678", "*******678"),
        (mask_phone, "+62812", "******"),
        (mask_phone, "62812345678", "********678"),
    ],
)
def test_odd_shapes_are_masked_more_never_less(
    fn: Callable[[str], str], value: str, masked: str
) -> None:
    assert fn(value) == masked


def test_name_keeps_first_letters() -> None:
    assert mask_name("Siti Nurhaliza") == "S*** N********"
    assert mask_name("Budi") == "B***"
    assert mask_name("") == ""


def test_birth_date_keeps_the_year() -> None:
    assert mask_birth_date(dt.date(1985, 5, 12)) == "**-**-1985"
    assert mask_birth_date(None) == ""


def test_address_keeps_only_the_village_part() -> None:
    assert mask_address("Jl. Mawar 5, RT 01/RW 02, Desa Sukamaju") == "***, Desa Sukamaju"
    assert mask_address("Jl. Mawar 5 RT 01") == "***"
    assert mask_address("") == ""
    assert mask_address(", Desa Sukamaju") == "***"


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_a_masked_nik_shows_at_most_eight_digits_and_keeps_length(nik: str) -> None:
    masked = mask_nik(nik)
    assert len(masked) == 16
    assert masked[4:12] == "********"
    assert mask_nik(masked) == masked  # masking a masked value changes nothing
    assert not re.search(r"[0-9]{16}", masked)


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="0123456789", min_size=9, max_size=12))
def test_a_masked_phone_never_shows_the_middle(nsn: str) -> None:
    e164 = "+62" + nsn
    masked = mask_phone(e164)
    assert len(masked) == len(e164)
    assert masked[:6] == e164[:6] and masked[-3:] == e164[-3:]
    assert set(masked[6:-3]) == {"*"}
    assert sum(ch.isdigit() for ch in masked) <= 8


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=60))
def test_masking_is_total_and_never_longer(text: str) -> None:
    for fn in (mask_nik, mask_phone, mask_name):
        out = fn(text)
        assert len(out) == len(text)
    out = mask_address(text)
    assert out == text if not text.strip() else (out == "***" or out.startswith("***,"))
    if out.startswith("***,"):
        assert text.endswith(out[4:]) and out[4:].strip()
