"""A small, fixed set of books for the page, report, opening and export tests.

Everything goes through ``ledger.services`` (the chart install and ``post``), like a real
koperasi. Amounts in sen; two fiscal years so the "previous period" columns have figures.
"""

from __future__ import annotations

import datetime as dt

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services
from kopdes.platform.core import testing

D, C = LineDraft.debit, LineDraft.credit
RP = 100  # sen per rupiah


def books_for(koperasi, actor=None):
    """Install the chart and post the sample entries; return the bendahara."""
    services.setup_koperasi_books(koperasi)
    actor = actor or testing.make_user("bendahara", koperasi)
    n = 0

    def post(day: dt.date, memo: str, *lines: LineDraft, unit: str = "") -> None:
        nonlocal n
        n += 1
        services.post(
            koperasi,
            actor=actor,
            date=day,
            memo=memo,
            lines=list(lines),
            idempotency_key=f"sample-{n}",
            business_unit=unit,
        )

    # Previous year (2025).
    post(
        dt.date(2025, 3, 1),
        "Hibah modal awal",
        D("1-1100", 10_000_000 * RP),
        D("1-1200", 50_000_000 * RP),
        C("3-3000", 60_000_000 * RP),
    )
    post(
        dt.date(2025, 6, 10),
        "Penjualan sembako anggota",
        D("1-1101", 2_000_000 * RP),
        C("4-1101", 2_000_000 * RP),
        unit="sembako",
    )
    post(
        dt.date(2025, 6, 11),
        "HPP sembako",
        D("5-1101", 1_500_000 * RP),
        C("1-1200", 1_500_000 * RP),
        unit="sembako",
    )
    # This year (2026).
    post(
        dt.date(2026, 1, 5),
        "Penjualan sembako anggota",
        D("1-1101", 1_500_000 * RP),
        C("4-1101", 1_500_000 * RP),
        unit="sembako",
    )
    post(
        dt.date(2026, 1, 6),
        "Penjualan sembako umum",
        D("1-1101", 500_000 * RP),
        C("4-1201", 500_000 * RP),
        unit="sembako",
    )
    post(
        dt.date(2026, 1, 7),
        "HPP sembako",
        D("5-1101", 1_200_000 * RP),
        C("1-1200", 1_200_000 * RP),
        unit="sembako",
    )
    post(
        dt.date(2026, 1, 15),
        "Bayar listrik kantor",
        D("5-2100", 300_000 * RP + 50),
        C("1-1100", 300_000 * RP + 50),
    )
    post(
        dt.date(2026, 2, 1),
        "Beli etalase",
        D("1-2100", 5_000_000 * RP),
        C("1-1200", 5_000_000 * RP),
    )
    post(
        dt.date(2026, 2, 3),
        "Pinjaman bank Himbara",
        D("1-1200", 20_000_000 * RP),
        C("2-2100", 20_000_000 * RP),
    )
    post(
        dt.date(2026, 2, 4),
        "Setor kas ke bank",
        D("1-1200", 1_000_000 * RP),
        C("1-1100", 1_000_000 * RP),
    )
    return actor
