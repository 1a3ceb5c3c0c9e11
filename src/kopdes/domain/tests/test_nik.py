"""NIK and KK parsing: the T9 bad-input corpus, consistency checks, properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.nik import (
    PROVINCES,
    NikError,
    Sex,
    age_on,
    check_nik_matches,
    parse_kk,
    parse_nik,
)

GOOD_MALE = "3201231205850001"  # Jawa Barat, 32.01.23, 12-05-85, serial 0001
GOOD_FEMALE = "3201235205850002"  # same, day 12 + 40
AS_OF = dt.date(2026, 11, 28)


def test_parses_a_man_s_nik() -> None:
    info = parse_nik(GOOD_MALE)
    assert info.nik == GOOD_MALE
    assert (info.province, info.regency, info.district) == ("32", "32.01", "32.01.23")
    assert info.province_name == "Jawa Barat"
    assert (info.birth_day, info.birth_month, info.birth_yy) == (12, 5, 85)
    assert info.sex is Sex.MALE
    assert info.serial == "0001"
    assert info.birth_date_candidates == (dt.date(1985, 5, 12), dt.date(2085, 5, 12))


def test_a_woman_s_day_carries_forty() -> None:
    info = parse_nik(GOOD_FEMALE)
    assert info.sex is Sex.FEMALE
    assert info.birth_day == 12


@pytest.mark.parametrize(
    "raw",
    [
        "3201 2312 0585 0001",
        "32.01.23.120585.0001",
        "3201-2312-0585-0001",
        "  3201231205850001\n",
        "\t3201231205850001",
    ],
)
def test_separators_people_type_are_removed(raw: str) -> None:
    assert parse_nik(raw).nik == GOOD_MALE


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("320123120585000", "length", "NIK harus 16 angka, yang diisi 15 angka."),
        ("32012312058500011", "length", "NIK harus 16 angka, yang diisi 17 angka."),
        ("", "length", "NIK harus diisi."),
        ("   ", "length", "NIK harus diisi."),
        ("32012312O5850001", "chars", None),  # letter O for zero
        ("320123120585000l", "chars", None),  # letter l for one
        ("NIK3201231205850001", "chars", None),
        ("3201231205850001\x00", "chars", None),  # NUL
        ("\u202e3201231205850001", "chars", None),  # RTL override
        ("3201231205\u200b850001", "chars", None),  # zero-width space
        ("3201231205850001\u0301", "chars", None),  # combining mark
        ("3201231205850001😀", "chars", None),
        ("3201_2312_0585_0001", "chars", None),
        ("3201/2312/0585/0001", "chars", None),
        ("' OR 1=1--", "chars", None),
        ("<script>alert(1)</script>", "chars", None),
        ("9901231205850001", "province", "Kode provinsi 99 dalam NIK tidak ada."),
        ("0001231205850001", "province", "Kode provinsi 00 dalam NIK tidak ada."),
        ("2001231205850001", "province", "Kode provinsi 20 dalam NIK tidak ada."),
        ("3200231205850001", "regency", "Kode kabupaten/kota dalam NIK tidak boleh 00."),
        ("3201001205850001", "district", "Kode kecamatan dalam NIK tidak boleh 00."),
        ("3201230005850001", "birth_date", "Tanggal lahir dalam NIK (00-05) tidak ada."),
        ("3201233205850001", "birth_date", "Tanggal lahir dalam NIK (32-05) tidak ada."),
        ("3201233505850001", "birth_date", "Tanggal lahir dalam NIK (35-05) tidak ada."),
        ("3201234005850001", "birth_date", "Tanggal lahir dalam NIK (40-05) tidak ada."),
        ("3201237205850001", "birth_date", "Tanggal lahir dalam NIK (72-05) tidak ada."),
        ("3201239905850001", "birth_date", "Tanggal lahir dalam NIK (99-05) tidak ada."),
        ("3201231213850001", "birth_date", "Tanggal lahir dalam NIK (12-13) tidak ada."),
        ("3201231200850001", "birth_date", "Tanggal lahir dalam NIK (12-00) tidak ada."),
        ("3201233102850001", "birth_date", "Tanggal lahir dalam NIK (31-02) tidak ada."),
        ("3201237102850001", "birth_date", "Tanggal lahir dalam NIK (31-02) tidak ada."),
        ("3201233104850001", "birth_date", "Tanggal lahir dalam NIK (31-04) tidak ada."),
        ("3201232902850001", "birth_date", "Tanggal lahir dalam NIK (29-02) tidak ada."),
        ("3201231205850000", "serial", "Nomor urut dalam NIK (4 angka terakhir) tidak boleh 0000."),
    ],
)
def test_bad_nik_is_refused_with_a_precise_message(
    raw: str, code: str, message: str | None
) -> None:
    with pytest.raises(NikError) as exc:
        parse_nik(raw)
    assert exc.value.code == code
    if message is not None:
        assert exc.value.message == message
    assert str(exc.value) == exc.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "３２０１２３１２０５８５０００１",  # full-width
        "٣٢٠١٢٣١٢٠٥٨٥٠٠٠١",  # Arabic-Indic
        "۳۲۰۱۲۳۱۲۰۵۸۵۰۰۰۱",  # extended Arabic-Indic (Persian)
        "३२०१२३१२०५८५०००१",  # Devanagari
        "320123120585000１",  # one full-width digit at the end
    ],
)
def test_unicode_digits_are_refused_not_converted(raw: str) -> None:
    assert int(raw) > 0  # the trap: Python itself would accept these
    with pytest.raises(NikError) as exc:
        parse_nik(raw)
    assert exc.value.code == "chars"
    assert "angka biasa 0-9" in exc.value.message


def test_29_february_exists_in_a_leap_year_nik() -> None:
    info = parse_nik("3201232902000001")
    assert info.birth_date_candidates == (dt.date(2000, 2, 29),)  # 1900 was not a leap year
    info = parse_nik("3201232902840001")
    assert info.birth_date_candidates == (dt.date(1984, 2, 29), dt.date(2084, 2, 29))


def test_29_february_in_a_non_leap_year_is_refused() -> None:
    with pytest.raises(NikError) as exc:
        parse_nik("3201232902850001")
    assert exc.value.code == "birth_date"


def test_province_list_matches_the_official_dataset() -> None:
    from lokal import wilayah  # the test may use the dataset; the domain module may not

    official = {w.code for w in wilayah.list_wilayah()}
    assert set(PROVINCES) == official
    assert len(PROVINCES) == 38


def test_matches_the_entered_birth_date_and_sex() -> None:
    check_nik_matches(parse_nik(GOOD_MALE), dt.date(1985, 5, 12), Sex.MALE, as_of=AS_OF)
    check_nik_matches(parse_nik(GOOD_FEMALE), dt.date(1985, 5, 12), Sex.FEMALE, as_of=AS_OF)


@pytest.mark.parametrize(
    ("nik", "birth", "sex", "code", "message"),
    [
        (
            GOOD_FEMALE,
            dt.date(1985, 5, 12),
            Sex.MALE,
            "sex_mismatch",
            "NIK menunjukkan perempuan tetapi jenis kelamin diisi laki-laki.",
        ),
        (
            GOOD_MALE,
            dt.date(1985, 5, 12),
            Sex.FEMALE,
            "sex_mismatch",
            "NIK menunjukkan laki-laki tetapi jenis kelamin diisi perempuan.",
        ),
        (
            GOOD_MALE,
            dt.date(1985, 5, 13),
            Sex.MALE,
            "date_mismatch",
            "Tanggal lahir dalam NIK (12-05) tidak sama dengan tanggal lahir yang diisi (13-05).",
        ),
        (
            GOOD_MALE,
            dt.date(1986, 5, 12),
            Sex.MALE,
            "year_mismatch",
            "Tahun lahir dalam NIK (..85) tidak sama dengan tahun lahir yang diisi (1986).",
        ),
        (
            GOOD_MALE,
            dt.date(2085, 5, 12),
            Sex.MALE,
            "age",
            "Tanggal lahir 2085-05-12 belum terjadi.",
        ),
        (
            GOOD_MALE,
            dt.date(1885, 5, 12),
            Sex.MALE,
            "age",
            "Tahun lahir 1885 tidak masuk akal (umur lebih dari 120 tahun).",
        ),
    ],
)
def test_mismatch_with_the_entered_data_is_refused(
    nik: str, birth: dt.date, sex: Sex, code: str, message: str | None
) -> None:
    with pytest.raises(NikError) as exc:
        check_nik_matches(parse_nik(nik), birth, sex, as_of=AS_OF)
    assert exc.value.code == code
    assert exc.value.message == message


def test_century_is_decided_by_the_reference_date() -> None:
    info = parse_nik("3201231205100001")  # yy = 10
    check_nik_matches(info, dt.date(2010, 5, 12), Sex.MALE, as_of=AS_OF)
    # 1910: 116 years old on AS_OF -> plausible; 1906 would be fine too, 1905 is 121.
    check_nik_matches(info, dt.date(1910, 5, 12), Sex.MALE, as_of=AS_OF)
    old = parse_nik("3201231205050001")
    with pytest.raises(NikError):
        check_nik_matches(old, dt.date(1905, 5, 12), Sex.MALE, as_of=AS_OF)


def test_age_counts_whole_years() -> None:
    assert age_on(dt.date(1985, 5, 12), dt.date(2026, 5, 11)) == 40
    assert age_on(dt.date(1985, 5, 12), dt.date(2026, 5, 12)) == 41
    assert age_on(dt.date(2000, 2, 29), dt.date(2001, 2, 28)) == 0
    assert age_on(dt.date(2000, 2, 29), dt.date(2001, 3, 1)) == 1


def test_kk_number_is_validated() -> None:
    assert parse_kk("3201 0101 2345 0001") == "3201010123450001"
    with pytest.raises(NikError) as exc:
        parse_kk("320101012345000")
    assert exc.value.message == "Nomor KK harus 16 angka, yang diisi 15 angka."
    with pytest.raises(NikError) as exc:
        parse_kk("9901010123450001")
    assert exc.value.message == "Kode provinsi 99 dalam nomor KK tidak ada."
    with pytest.raises(NikError) as exc:
        parse_kk("３２０１０１０１２３４５０００１")
    assert exc.value.code == "chars"


# --- properties -----------------------------------------------------------------------

_province = st.sampled_from(sorted(PROVINCES))
_two = st.integers(1, 99).map(lambda n: f"{n:02d}")
_birth = st.dates(dt.date(1907, 1, 1), dt.date(2026, 11, 28))
_serial = st.integers(1, 9999).map(lambda n: f"{n:04d}")
_sex = st.sampled_from([Sex.MALE, Sex.FEMALE])


def _build(
    province: str, regency: str, district: str, birth: dt.date, sex: Sex, serial: str
) -> str:
    day = birth.day + (40 if sex is Sex.FEMALE else 0)
    return f"{province}{regency}{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial}"


@settings(max_examples=300, derandomize=True)
@given(_province, _two, _two, _birth, _sex, _serial)
def test_every_well_formed_nik_parses_and_round_trips(
    province: str, regency: str, district: str, birth: dt.date, sex: Sex, serial: str
) -> None:
    nik = _build(province, regency, district, birth, sex, serial)
    info = parse_nik(nik)
    assert info.nik == nik
    assert info.sex is sex
    assert birth in info.birth_date_candidates
    check_nik_matches(info, birth, sex, as_of=AS_OF)
    assert parse_nik(f"{nik[:4]} {nik[4:8]}-{nik[8:12]}.{nik[12:]}") == info


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=40))
def test_any_text_either_parses_to_16_ascii_digits_or_raises_nik_error(text: str) -> None:
    try:
        info = parse_nik(text)
    except NikError as exc:
        assert exc.message
        return
    assert len(info.nik) == 16
    assert info.nik.isascii() and info.nik.isdigit()


@settings(max_examples=200, derandomize=True)
@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=16, max_size=16))
def test_only_ascii_digits_are_accepted(digits: str) -> None:
    try:
        info = parse_nik(digits)
    except NikError:
        return
    assert digits.isascii()
    assert info.nik == digits
