"""Barcodes at the counter: EAN-13 / EAN-8 check digits, in-store codes, scanner input.

A USB barcode scanner is a keyboard: it "types" the code and usually an Enter, sometimes a
tab, a leading AIM symbology identifier (``]E0`` for EAN-13, ``]E4`` for EAN-8) or spaces.
``normalise_scan`` turns what arrived into the code itself (or refuses it); ``validate_ean``
checks the GS1 check digit; ``parse_instore`` reads the codes the koperasi prints itself.

In-store codes (GS1 restricted circulation, prefixes 20-29), the layout kopdes uses
(EAN-13, 13 digits)::

    2 T  I I I I  V V V V V V  C
    | |  item     value         check digit (GS1 mod 10 over the first 12)
    | what V means: 0 = nothing (a store-assigned item number: the 10 digits after "20"
    |                   are the number, e.g. an UMKM product without its own barcode)
    |               1 = weight in grams (000000-999999 g)
    |               2 = price in whole rupiah (Rp0-Rp999.999)
    |               3-9 = store-assigned item numbers, like 0
    "2": restricted circulation (in-store)

So ``2100420012503`` is item ``0042`` weighing 1.250 g and ``2200420150004`` is item
``0042`` priced Rp15.000 (labels printed by a scale). The catalogue stores a weighed or
priced item under its *base code*, the same code with the value all zeros
(``base_code("2100420012503") == "2100420000005"``), so one item matches every label.

No Django here; messages are Bahasa Indonesia (like ``domain.nik``), the caller shows them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

EAN13_LENGTH = 13
EAN8_LENGTH = 8
UPCA_LENGTH = 12
INSTORE_FIRST_DIGIT = "2"
MAX_SCAN_LENGTH = 64  # a scanner never sends more; a longer "scan" is pasted text

# AIM symbology identifiers a scanner may put first (EAN-13, EAN-8, EAN with add-on).
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9]")
# What a scanner or a person may put between or around the digits.
_SEPARATORS = re.compile(r"[ \t\r\n\-]")
_DIGITS = re.compile(r"^[0-9]+$", re.ASCII)


class BarcodeError(ValueError):
    """A barcode was refused; the message (Bahasa Indonesia) says why."""


class InStoreKind(enum.StrEnum):
    ITEM = "item"  # a store-assigned item number, no value inside
    WEIGHT = "weight"  # the last six digits are grams
    PRICE = "price"  # the last six digits are whole rupiah


_KIND_DIGIT = {InStoreKind.WEIGHT: "1", InStoreKind.PRICE: "2"}


@dataclass(frozen=True)
class InStoreCode:
    """A parsed in-store code. ``grams`` / ``price_sen`` only for their kind."""

    code: str
    kind: InStoreKind
    item: str  # the 4-digit item number (weight/price) or the 10 digits after "2T"
    grams: int | None = None
    price_sen: int | None = None

    @property
    def base_code(self) -> str:
        return base_code(self.code)


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (the digits before the check digit).

    Weights 3 and 1 alternate from the rightmost digit of the body: EAN-13 (12-digit body),
    EAN-8 (7), UPC-A (11) all use the same rule.
    """
    if not body or not _DIGITS.match(body):
        raise BarcodeError("Barcode hanya boleh berisi angka 0-9.")
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    """``body`` followed by its check digit (a 12-digit body gives an EAN-13)."""
    return body + str(check_digit(body))


def is_valid_ean(code: str) -> bool:
    """True for an EAN-13 or EAN-8 of digits whose check digit is right."""
    if len(code) not in (EAN13_LENGTH, EAN8_LENGTH) or not _DIGITS.match(code):
        return False
    return check_digit(code[:-1]) == int(code[-1])


def validate_ean(code: str) -> str:
    """``code`` if it is a valid EAN-13 or EAN-8, else ``BarcodeError`` saying what is wrong."""
    if not _DIGITS.match(code or ""):
        raise BarcodeError("Barcode hanya boleh berisi angka 0-9.")
    if len(code) not in (EAN13_LENGTH, EAN8_LENGTH):
        raise BarcodeError(
            f"Barcode harus 13 angka (EAN-13) atau 8 angka (EAN-8); yang diisi {len(code)} angka."
        )
    expected = check_digit(code[:-1])
    if expected != int(code[-1]):
        raise BarcodeError(
            f"Angka terakhir (angka pemeriksa) barcode {code} salah: seharusnya {expected}. "
            "Periksa lagi angka yang diketik atau pindai ulang."
        )
    return code


def normalise_scan(raw: str) -> str:
    """What a scanner (or a person) typed, as the code to look up; ``BarcodeError`` if none.

    Drops surrounding and inner spaces, tabs, line ends and dashes ("899-1234 567890"), a
    leading AIM identifier (``]E0``), and turns a 12-digit UPC-A into its EAN-13 (a leading
    0). Refuses anything but ASCII digits after that (full-width or Arabic-Indic digits
    included: a scanner never sends them, a wrong keyboard layout does). Does not check the
    check digit: ``validate_ean`` does.
    """
    if not isinstance(raw, str):
        raise BarcodeError("Barcode harus berupa teks angka.")
    if len(raw) > MAX_SCAN_LENGTH:
        raise BarcodeError("Barcode terlalu panjang.")
    text = raw.strip()
    text = _AIM_PREFIX.sub("", text)
    text = _SEPARATORS.sub("", text)
    if not text:
        raise BarcodeError("Barcode kosong: pindai atau ketik barcodenya.")
    if not _DIGITS.match(text):
        raise BarcodeError("Barcode hanya boleh berisi angka 0-9.")
    if len(text) == UPCA_LENGTH:
        text = "0" + text
    return text


def scan_to_ean(raw: str) -> str:
    """``normalise_scan`` then ``validate_ean``: the valid EAN a scan names."""
    return validate_ean(normalise_scan(raw))


def is_instore(code: str) -> bool:
    """An EAN-13 in the restricted-circulation range 20-29 (printed by the store)."""
    return len(code) == EAN13_LENGTH and code.startswith(INSTORE_FIRST_DIGIT)


def parse_instore(code: str) -> InStoreCode:
    """Read an in-store EAN-13 (layout in the module docstring); ``BarcodeError`` if not one."""
    validate_ean(code)
    if not is_instore(code):
        raise BarcodeError("Ini bukan barcode toko (barcode toko 13 angka diawali 20-29).")
    kind_digit = code[1]
    if kind_digit == _KIND_DIGIT[InStoreKind.WEIGHT]:
        return InStoreCode(code, InStoreKind.WEIGHT, item=code[2:6], grams=int(code[6:12]))
    if kind_digit == _KIND_DIGIT[InStoreKind.PRICE]:
        return InStoreCode(code, InStoreKind.PRICE, item=code[2:6], price_sen=int(code[6:12]) * 100)
    return InStoreCode(code, InStoreKind.ITEM, item=code[2:12])


def has_embedded_value(code: str) -> bool:
    """True for an in-store weight or price label (its value varies, its item does not)."""
    return is_instore(code) and code[1] in _KIND_DIGIT.values()


def base_code(code: str) -> str:
    """The code the catalogue keeps for ``code``: a weight/price label with its value set to
    zero (check digit recomputed); any other code unchanged."""
    if not has_embedded_value(code):
        return code
    return with_check_digit(code[:6] + "000000")


def make_instore(kind: InStoreKind, item: int, value: int = 0) -> str:
    """An in-store EAN-13: ``item`` 0-9999 with ``value`` grams or whole rupiah (weight,
    price), or a store item number 0-9999999999 (``InStoreKind.ITEM``, value ignored)."""
    if kind is InStoreKind.ITEM:
        if not 0 <= item <= 9_999_999_999:
            raise BarcodeError("Nomor barang toko paling banyak 10 angka.")
        return with_check_digit(f"20{item:010d}")
    if not 0 <= item <= 9999:
        raise BarcodeError("Nomor barang timbang paling banyak 4 angka (0-9999).")
    if not 0 <= value <= 999_999:
        raise BarcodeError(
            "Berat paling banyak 999.999 gram."
            if kind is InStoreKind.WEIGHT
            else "Harga pada label paling banyak Rp999.999."
        )
    return with_check_digit(f"2{_KIND_DIGIT[kind]}{item:04d}{value:06d}")
