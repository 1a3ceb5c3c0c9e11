from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopdes.domain.rates import bp_to_percent, format_bp, format_percent, percent_number


@pytest.mark.parametrize(
    "value,text",
    [
        (Decimal("1.5000"), "1,5%"),
        (Decimal("18"), "18%"),
        (Decimal("18.0000"), "18%"),
        (Decimal("0.125"), "0,125%"),
        (Decimal("0.00005"), "0,0001%"),  # half away from zero at four places
        (Decimal("1234.5"), "1.234,5%"),
        (Decimal("-2.50"), "-2,5%"),
        (6, "6%"),
        ("1.25", "1,25%"),
        (Decimal("0"), "0%"),
    ],
)
def test_format_percent(value, text):
    assert format_percent(value) == text


@pytest.mark.parametrize(
    "bp,text",
    [(10, "0,1%"), (3277, "32,77%"), (100, "1%"), (0, "0%"), (250, "2,5%"), (10_000, "100%")],
)
def test_format_bp(bp, text):
    assert format_bp(bp) == text


def test_missing_and_bad_input():
    assert format_bp(None) == "n/a"
    assert format_bp(None, missing="—") == "—"
    with pytest.raises(TypeError):
        format_percent(1.5)  # type: ignore[arg-type]  # a float is refused
    with pytest.raises(TypeError):
        format_percent(True)
    with pytest.raises(ValueError):
        format_percent("satu")


@given(st.integers(min_value=0, max_value=10**8))
def test_basis_points_read_back_exactly(bp):
    text = percent_number(bp_to_percent(bp))
    back = Decimal(text.replace(".", "").replace(",", "."))
    assert back * 100 == bp
    assert not text.endswith(",") and not (("," in text) and text.endswith("0"))


@pytest.mark.parametrize(
    "text,bp",
    [
        ("1", 100),
        ("0,1", 10),
        ("0.1", 10),
        ("2,5%", 250),
        (" 1,25 ", 125),
        ("", 0),
        ("100", 10_000),
    ],
)
def test_parse_percent_to_bp(text, bp):
    from kopdes.domain.rates import parse_percent_to_bp

    assert parse_percent_to_bp(text) == bp


@pytest.mark.parametrize("text", ["-1", "1,234", "satu", "1,2,3", "١", "1e2", "101", ",5"])
def test_parse_percent_refuses_with_an_indonesian_message(text):
    from kopdes.domain.rates import RateInputError, parse_percent_to_bp

    with pytest.raises(RateInputError) as exc:
        parse_percent_to_bp(text)
    assert "ersentase" in exc.value.message


@given(st.integers(min_value=0, max_value=10_000))
def test_parse_reads_back_what_format_writes(bp):
    from kopdes.domain.rates import parse_percent_to_bp

    assert parse_percent_to_bp(format_bp(bp)) == bp
