"""Units and conversions of store items: tables and properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopdes.domain.units import (
    ItemUnits,
    Unit,
    UnitError,
    check_quantity,
    check_whole,
    is_whole_unit,
    parse_quantity,
    price_per,
    stock_unit,
    tidy,
    unit_of,
)

MIE = ItemUnits(Unit.PCS, {Unit.PAK: 5, Unit.DUS: 40})
BERAS = ItemUnits(Unit.KG, {Unit.DUS: 25})  # a sak of 25 kg sold as "dus"
MINYAK = ItemUnits(Unit.LITER, {Unit.DUS: 12})


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("2", Unit.PCS, D("2")),
        ("1,5", Unit.KG, D("1.5")),
        ("1.5", Unit.KG, D("1.5")),
        ("0,25", Unit.LITER, D("0.25")),
        ("1.000", Unit.GRAM, D("1000")),
        ("12.500,5", Unit.ML, D("12500.5")),
        (" 3 ", Unit.DUS, D("3")),
        ("0,001", Unit.KG, D("0.001")),
    ],
)
def test_typed_quantities(text: str, unit: Unit, expected: D) -> None:
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("1,5", Unit.PCS, "harus bilangan bulat"),
        ("0,5", Unit.DUS, "harus bilangan bulat"),
        ("2.5", Unit.PAK, "harus bilangan bulat"),
        ("0", Unit.PCS, "lebih dari nol"),
        ("-1", Unit.KG, "negatif"),
        ("", Unit.KG, "wajib diisi"),
        ("dua", Unit.PCS, "tidak bisa dibaca"),
        ("1e3", Unit.KG, "tidak bisa dibaca"),
        ("NaN", Unit.KG, "tidak bisa dibaca"),
        ("1,2345", Unit.KG, "3 angka di belakang koma"),
        ("２", Unit.PCS, "tidak bisa dibaca"),
        ("9999999999999", Unit.GRAM, "tidak bisa dibaca"),
        ("2.000.000.000", Unit.GRAM, "terlalu besar"),
    ],
)
def test_bad_quantities_are_refused_in_indonesian(text: str, unit: Unit, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        parse_quantity(text, unit)


def test_whole_units() -> None:
    assert [u for u in Unit if is_whole_unit(u)] == [Unit.PCS, Unit.PAK, Unit.DUS]
    assert check_whole(D("3"), Unit.PCS) == D("3")
    assert check_whole(D("1.5"), Unit.KG) == D("1.5")
    with pytest.raises(UnitError, match=r"satuan pcs harus bilangan bulat \(tidak boleh 1,5 pcs\)"):
        check_whole(D("1.5"), Unit.PCS)


def test_zero_allowed_when_asked() -> None:
    assert parse_quantity("0", Unit.PCS, allow_zero=True) == 0
    assert check_quantity(0, Unit.KG, allow_zero=True) == 0


@pytest.mark.parametrize("value", [1.5, True, "2", None])
def test_check_quantity_refuses_non_numbers(value) -> None:
    with pytest.raises(UnitError, match="angka"):
        check_quantity(value, Unit.PCS)


def test_unit_of() -> None:
    assert unit_of(" Dus ") is Unit.DUS
    with pytest.raises(UnitError, match="tidak dikenal"):
        unit_of("lusin")


@pytest.mark.parametrize(
    ("units", "quantity", "unit", "base"),
    [
        (MIE, 2, Unit.DUS, D("80")),
        (MIE, 3, Unit.PAK, D("15")),
        (MIE, 7, Unit.PCS, D("7")),
        (BERAS, D("250"), Unit.GRAM, D("0.25")),
        (BERAS, 2, Unit.DUS, D("50")),
        (BERAS, D("1.5"), Unit.KG, D("1.5")),
        (MINYAK, 500, Unit.ML, D("0.5")),
        (ItemUnits(Unit.GRAM), D("1.2"), Unit.KG, D("1200")),
    ],
)
def test_conversion_to_base(units: ItemUnits, quantity, unit: Unit, base: D) -> None:
    assert units.to_base(quantity, unit) == base
    assert str(units.to_base(quantity, unit)) == str(base)  # never 8E+1


def test_units_of_an_item() -> None:
    assert MIE.units() == [Unit.PCS, Unit.PAK, Unit.DUS]
    assert BERAS.units() == [Unit.KG, Unit.GRAM, Unit.DUS]
    assert ItemUnits(Unit.ML).units() == [Unit.LITER, Unit.ML]


@pytest.mark.parametrize(
    ("units", "quantity", "unit", "message"),
    [
        (MIE, D("1.5"), Unit.DUS, "satuan dus harus bilangan bulat"),
        (MIE, 1, Unit.KG, "tidak bisa diubah"),
        (ItemUnits(Unit.PCS), 1, Unit.DUS, "tidak punya satuan dus"),
        (BERAS, 1, Unit.LITER, "tidak bisa diubah"),
        (ItemUnits(Unit.GRAM), D("0.0005"), Unit.KG, "3 angka"),
        (ItemUnits(Unit.KG), D("0.5"), Unit.GRAM, "3 angka"),
    ],
)
def test_bad_conversions(units: ItemUnits, quantity, unit: Unit, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        units.to_base(quantity, unit)


@pytest.mark.parametrize(
    ("base", "packs", "message"),
    [
        (Unit.DUS, {}, "Satuan dasar tidak boleh dus"),
        (Unit.PCS, {Unit.DUS: 0}, "Isi satu dus harus bilangan bulat 1 atau lebih"),
        (Unit.PCS, {Unit.KG: 2}, "hanya untuk pak dan dus"),
        (Unit.PCS, {Unit.PAK: 2.5}, "harus bilangan bulat"),
    ],
)
def test_bad_item_units(base: Unit, packs, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        ItemUnits(base, packs)


@given(st.integers(1, 500), st.integers(0, 10_000))
def test_packs_to_base_are_whole_and_exact(size: int, count: int) -> None:
    units = ItemUnits(Unit.PCS, {Unit.DUS: size})
    base = units.to_base(count, Unit.DUS)
    assert base == size * count and base == base.to_integral_value()
    assert units.from_base(base, Unit.DUS) == count


@given(st.integers(0, 10**9))
def test_grams_and_kilos_agree(grams: int) -> None:
    kilo = ItemUnits(Unit.KG)
    assert kilo.to_base(grams, Unit.GRAM) * 1000 == grams
    assert tidy(kilo.to_base(grams, Unit.GRAM)) == kilo.to_base(grams, Unit.GRAM)


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_whole_unit_accepts_exactly_integers(q: D) -> None:
    if q == q.to_integral_value():
        assert check_whole(q, Unit.PCS) == q
    else:
        with pytest.raises(UnitError):
            check_whole(q, Unit.PCS)


@pytest.mark.parametrize(
    ("base", "stock", "per"),
    [(Unit.KG, Unit.GRAM, 1000), (Unit.LITER, Unit.ML, 1000), (Unit.GRAM, Unit.GRAM, 1),
     (Unit.ML, Unit.ML, 1), (Unit.PCS, Unit.PCS, 1)],
)  # fmt: skip
def test_stock_is_counted_in_the_smallest_unit(base: Unit, stock: Unit, per: int) -> None:
    assert stock_unit(base) == stock and price_per(base) == per


@pytest.mark.parametrize(
    ("units", "quantity", "unit", "stock"),
    [
        (BERAS, D("1.5"), Unit.KG, 1500),
        (BERAS, 250, Unit.GRAM, 250),
        (BERAS, 2, Unit.DUS, 50_000),
        (MINYAK, 1, Unit.DUS, 12_000),
        (MIE, 2, Unit.DUS, 80),
    ],
)
def test_to_stock_gives_whole_stock_units(units: ItemUnits, quantity, unit: Unit, stock: int):
    assert units.to_stock(quantity, unit) == stock
    assert isinstance(units.to_stock(quantity, unit), int)


def test_less_than_one_stock_unit_is_refused() -> None:
    with pytest.raises(UnitError, match="satuan terkecil barang ini 1 gram"):
        BERAS.to_stock(D("0.5"), Unit.GRAM)


@given(st.integers(1, 500), st.integers(0, 10_000))
def test_stock_of_packs_of_a_measured_item(size: int, count: int) -> None:
    units = ItemUnits(Unit.KG, {Unit.DUS: size})
    assert units.to_stock(count, Unit.DUS) == size * count * 1000
