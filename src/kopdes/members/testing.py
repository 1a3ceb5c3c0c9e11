"""Deterministic builders for member tests (and the isolation harness)."""

from __future__ import annotations

import datetime as dt
import itertools

from kopdes.members import services
from kopdes.members.models import Member

_serial = itertools.count(1)
REGISTERED_ON = dt.date(2026, 1, 15)


def nik_for(koperasi, birth_date: dt.date, sex: str, serial: int) -> str:
    """A valid NIK from the koperasi's kecamatan, consistent with birth date and sex."""
    day = birth_date.day + (40 if sex == "P" else 0)
    district = koperasi.region_code.replace(".", "")[:6]
    return f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def registration_data(koperasi, *, serial: int | None = None, sex: str = "L", **overrides) -> dict:
    n = serial if serial is not None else next(_serial)
    birth = dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    data = {
        "full_name": f"Anggota Uji {n}",
        "nik": nik_for(koperasi, birth, sex, n % 9999 + 1),
        "kk_number": koperasi.region_code.replace(".", "")[:6] + f"{n:010d}",
        "birth_place": "Bogor",
        "birth_date": birth,
        "sex": sex,
        "address": f"Kp. Babakan RT 0{n % 9 + 1}/RW 02",
        "region_code": koperasi.region_code,
        "phone": f"0812{n:08d}",
        "occupation": "Petani",
        "heirs": [{"name": "Siti Aminah", "relation": "istri", "share_percent": 100}],
    }
    data.update(overrides)
    return data


def make_member(koperasi, *, actor=None, **overrides) -> Member:
    """Register a member through the real service (system actor unless given)."""
    return services.register_member(
        koperasi,
        actor=actor,
        data=registration_data(koperasi, **overrides),
        registered_on=REGISTERED_ON,
    )
