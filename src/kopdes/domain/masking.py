"""Masked forms of personal data for screens, lists, exports, receipts and logs.

The project rule (ARCHITECTURE.md §5): personal data is shown masked unless the role may
see it and the officer asks to reveal it (which is audited).

==============  ============================  ===================================
value           example                       masked
==============  ============================  ===================================
NIK / KK        ``3201234567890001``          ``3201********0001`` (first 4, last 4)
phone (E.164)   ``+6281234567890``            ``+62812*****890`` (+62, 3 after, last 3)
name            ``Siti Nurhaliza``            ``S*** N********`` (first letter per word)
address         ``Jl. Mawar 5, RT 01/RW 02,   ``***, Desa Sukamaju`` (only the last
                Desa Sukamaju``               comma-separated part stays)
birth date      ``1985-05-12``                ``**-**-1985`` (the year only)
==============  ============================  ===================================

Every function is total (any ``str`` in, a ``str`` out, never an exception: masking is used
on the way out, where refusing would hide the row). NIK, phone and name keep their length
so columns line up; an address shrinks to ``***`` and its last part. Unexpected shapes are
masked more, never less.
"""

from __future__ import annotations

import datetime as dt

MASK = "*"


def mask_nik(nik: str) -> str:
    """``3201234567890001`` -> ``3201********0001``; also for KK numbers.

    The province+regency (first 4) and the serial (last 4) stay: enough for an officer to
    tell two members apart on a list, not enough to rebuild the number (the birth date is
    hidden). Anything shorter than 12 characters is masked completely.
    """
    if len(nik) < 12:
        return MASK * len(nik)
    return nik[:4] + MASK * (len(nik) - 8) + nik[-4:]


def mask_phone(phone: str) -> str:
    """``+6281234567890`` -> ``+62812*****890``.

    Keeps ``+62``, the 3-digit operator block (tells the member which SIM) and the last 3
    digits (enough to confirm "is this your number ending 890?"). A value not in E.164
    ``+62`` form keeps only its last 3 characters; fewer than 7 are masked completely.
    """
    if phone.startswith("+62") and len(phone) >= 12:
        return phone[:6] + MASK * (len(phone) - 9) + phone[-3:]
    if len(phone) < 7:
        return MASK * len(phone)
    return MASK * (len(phone) - 3) + phone[-3:]


def mask_name(name: str) -> str:
    """``Siti Nurhaliza`` -> ``S*** N********``: first letter of each word, spaces kept."""
    return " ".join(word[:1] + MASK * (len(word) - 1) for word in name.split(" "))


def mask_address(address: str) -> str:
    """``Jl. Mawar 5, RT 01/RW 02, Desa Sukamaju`` -> ``***, Desa Sukamaju``.

    Street, house number and RT/RW identify a household; the village does not (every
    member of a koperasi desa lives there). Without a comma nothing stays readable.
    """
    if not address.strip():
        return address
    head, sep, tail = address.rpartition(",")
    if not sep or not head.strip() or not tail.strip():
        return MASK * 3
    return MASK * 3 + "," + tail


def mask_birth_date(value: dt.date | None) -> str:
    """``date(1985, 5, 12)`` -> ``**-**-1985``: the year (roughly the age) stays."""
    if value is None:
        return ""
    return f"**-**-{value.year:04d}"
