from __future__ import annotations

import pytest

from kopdes.domain.regions import is_within, normalize_region_code, province_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3201262001", "32.01.26.2001"),
        ("32.01.26.2001", "32.01.26.2001"),
        (" 32.01.26.2001 ", "32.01.26.2001"),
        ("32 01 26 2001", "32.01.26.2001"),
    ],
)
def test_region_codes_are_normalised(raw: str, expected: str) -> None:
    assert normalize_region_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "32.01.26",
        "32.01.26.20011",
        "３２.01.26.2001",
        "32.0A.26.2001",
        "32-01-26-2001x",
        "٣٢.01.26.2001",
    ],
)
def test_malformed_region_codes_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="10 angka"):
        normalize_region_code(raw)


def test_region_containment() -> None:
    assert is_within("32.01.26.2001", "32")
    assert is_within("32.01.26.2001", "32.01")
    assert is_within("32.01.26.2001", "32.01.26.2001")
    assert not is_within("32.01.26.2001", "32.0")
    assert not is_within("33.01.26.2001", "32")
    assert not is_within("32.01.26.2001", "bad")
    assert province_of("32.01.26.2001") == "32"
