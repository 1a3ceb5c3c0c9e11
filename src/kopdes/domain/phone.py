"""Indonesian phone numbers: normalise to E.164 (``+62...``) or refuse with a clear message.

Accepted ways of writing the same mobile number::

    0812-3456-7890   0812 3456 7890   (0812) 34567890   62812...   +62 812 ...   +62 (0)812...
    0062 812 ...     812 3456 7890

Rules (decided here, documented in ``platform/privacy/README.md``):

* Only ``0``-``9`` are digits; full-width and Arabic-Indic digits are refused, not
  converted. Spaces, dots, dashes and brackets between groups are removed.
* Only Indonesia (+62). ``+`` or ``00`` followed by another country code is refused.
* The national significant number (NSN, the digits after the trunk ``0``) is either
  - mobile: starts with ``8`` and a known block (81, 82, 83, 85, 87, 88, 89), 9-12 digits
    (so 10-13 digits when written with the leading 0), or
  - landline: starts with an area code (first digit 2-7 or 9; Indonesian area codes never
    start with 0, 1 or 8), 8-11 digits (e.g. ``021 1234 5678``, ``0274 512345``).
  ``080x`` (toll-free/premium) and other blocks are refused.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[ .\-()]", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)

MOBILE_BLOCKS = frozenset("1235789")  # second digit after the 8
LANDLINE_FIRST_DIGITS = frozenset("2345679")
MOBILE_NSN_LENGTH = (9, 12)
LANDLINE_NSN_LENGTH = (8, 11)


class PhoneKind(enum.StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


class PhoneError(ValueError):
    """Not an Indonesian phone number. ``message`` is Bahasa Indonesia, safe to show."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Phone:
    e164: str  # "+6281234567890": store this
    kind: PhoneKind

    @property
    def national(self) -> str:
        """``0812-3456-7890`` for a mobile, ``0` + the digits for a landline (shown to people)."""
        national = "0" + self.e164[3:]
        if self.kind is PhoneKind.MOBILE:
            return f"{national[:4]}-{national[4:8]}-{national[8:]}"
        return national

    @property
    def whatsapp(self) -> str:
        """Digits for a ``https://wa.me/<digits>`` link."""
        return self.e164[1:]


def parse_phone(raw: str) -> Phone:
    """Parse an Indonesian phone number typed any common way; raise ``PhoneError`` if wrong."""
    text = _SEPARATORS.sub("", raw.strip(" \t\r\n"))
    if not text:
        raise PhoneError("Nomor telepon harus diisi.", code="empty")
    plus = text.startswith("+")
    body = text[1:] if plus else text
    if not _DIGITS.fullmatch(body):
        if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in body):
            raise PhoneError(
                "Nomor telepon harus ditulis dengan angka biasa 0-9 "
                "(angka lebar penuh atau angka Arab tidak diterima).",
                code="chars",
            )
        raise PhoneError(
            "Nomor telepon hanya boleh berisi angka 0-9 (ada huruf atau tanda lain).",
            code="chars",
        )
    if plus or body.startswith("00"):
        international = body if plus else body[2:]
        if not international.startswith("62"):
            raise PhoneError("Hanya nomor telepon Indonesia (+62) yang diterima.", code="country")
        nsn = international[2:]
        if nsn.startswith("0"):  # "+62 (0)812..." – the trunk 0 written out of habit
            nsn = nsn[1:]
    elif body.startswith("0"):
        nsn = body[1:]
    elif body.startswith("62") and len(body) >= 11:
        nsn = body[2:]
    elif body.startswith("8"):
        nsn = body
    else:
        raise PhoneError(
            "Nomor telepon harus diawali 0, 62, atau +62 (misalnya 0812-3456-7890).",
            code="format",
        )
    return _check_nsn(nsn)


def _check_nsn(nsn: str) -> Phone:
    if nsn.startswith("8"):
        low, high = MOBILE_NSN_LENGTH
        if len(nsn) < 2 or nsn[1] not in MOBILE_BLOCKS:
            raise PhoneError(
                f"Awalan 0{nsn[:3]} bukan nomor HP Indonesia yang dikenal.", code="prefix"
            )
        if not low <= len(nsn) <= high:
            raise PhoneError(
                f"Nomor HP harus {low + 1}-{high + 1} angka (termasuk 0 di depan), "
                f"yang diisi {len(nsn) + 1} angka.",
                code="length",
            )
        return Phone(e164="+62" + nsn, kind=PhoneKind.MOBILE)
    if nsn[:1] in LANDLINE_FIRST_DIGITS:
        low, high = LANDLINE_NSN_LENGTH
        if not low <= len(nsn) <= high:
            raise PhoneError(
                f"Nomor telepon rumah/kantor harus {low + 1}-{high + 1} angka termasuk kode "
                f"wilayah, yang diisi {len(nsn) + 1} angka.",
                code="length",
            )
        return Phone(e164="+62" + nsn, kind=PhoneKind.LANDLINE)
    raise PhoneError(
        "Nomor ini bukan nomor HP atau telepon Indonesia (HP diawali 08, "
        "telepon rumah diawali kode wilayah seperti 021).",
        code="prefix",
    )


def normalize_phone(raw: str) -> str:
    """Return the E.164 form (``+6281234567890``) or raise ``PhoneError``."""
    return parse_phone(raw).e164
