"""Builders for tests of the subsidised channels. Deterministic; every row goes through the
services."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.utils import timezone
from openpyxl import Workbook

from kopdes.platform.core.testing import make_user
from kopdes.subsidy import rdkk_xlsx, services
from kopdes.subsidy.models import Buyer, HetRate, Season

_serials = itertools.count(1)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LPG_HET = 19_000_00  # Rp19.000 per tabung (Jawa Barat, as a setting)


def nik(serial: int | None = None) -> str:
    """A valid NIK of Kabupaten Bogor (32.01.26), born 12-05-1985, with its own serial."""
    return f"320126120585{serial or next(_serials):04d}"


def manajer(koperasi):
    return make_user("manajer", koperasi)


def lpg_het(koperasi, *, price: int = LPG_HET, effective_from=dt.date(2026, 1, 1)) -> HetRate:
    return services.add_het_rate(
        koperasi,
        actor=manajer(koperasi),
        data={
            "product": "lpg_3kg",
            "effective_from": effective_from,
            "price": price,
            "reference": "Kepgub Jabar 541/Kep.123-Perek/2025",
        },
        at=NOW,
    )


def buyer(koperasi, *, serial: int | None = None, name: str = "Siti Aminah") -> Buyer:
    return services.register_buyer(
        koperasi,
        actor=manajer(koperasi),
        data={"name": name, "nik": nik(serial), "kind": "household"},
        at=NOW,
    )


def season(koperasi, code: str = "MT1-2026") -> Season:
    return services.add_season(
        koperasi,
        actor=manajer(koperasi),
        data={"code": code, "start": dt.date(2025, 10, 1), "end": dt.date(2026, 3, 31)},
        at=NOW,
    )


def rdkk_bytes(rows: list[list], *, header: list[str] | None = None) -> bytes:
    """An RDKK file with ``rows`` under the template's header (or ``header``)."""
    wb = Workbook()
    ws = wb.active
    ws.title = rdkk_xlsx.SHEET
    ws.append(header or [h for _k, h in rdkk_xlsx.COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_rdkk(koperasi, rows: list[list]):
    return services.import_allocations(
        koperasi,
        actor=manajer(koperasi),
        content=rdkk_bytes(rows),
        filename="rdkk.xlsx",
        at=timezone.now(),
    )
