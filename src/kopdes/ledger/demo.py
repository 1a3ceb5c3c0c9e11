"""Demo store sales: a year of the gerai sembako's monthly takings, to members and to the
public apart, with what the goods cost, and the bank's jasa giro.

Until the store module posts its own sales, this is what puts revenue from members
(partisipasi bruto) and from non-members on the statement of SHU. Each month's takings go
in as one entry per kind (a monthly recap from the till book), through
``ledger.services.post_many``. The goods are bought for cash in the same month and booked
straight to HPP (periodic inventory), members' and non-members' apart. Seeded.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart, services
from kopdes.ledger.models import JournalEntry

MONTHS = 12
SOURCE = "demo.sembako"
UNIT = "sembako"


def _rupiah(rng, low: int, high: int, step: int = 50_000) -> int:
    """A round amount in sen between ``low`` and ``high`` rupiah."""
    return rng.randrange(low // step, high // step + 1) * step * 100


def _months(koperasi) -> list[dt.date]:
    """The first days of the last ``MONTHS`` whole months, none before the books start."""
    first = timezone.localdate().replace(day=1)
    start = getattr(koperasi, "books_start", None)
    out = []
    for back in range(MONTHS, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        day = dt.date(year, month + 1, 1)
        if start is None or day >= start:
            out.append(day)
    return out


def add_store_sales(koperasi, rng) -> None:
    if UNIT not in (koperasi.business_units or []):
        return
    if JournalEntry.objects.filter(koperasi=koperasi, source=SOURCE).exists():
        return  # idempotent
    services.setup_koperasi_books(koperasi)  # idempotent; the chart must exist
    bendahara = demo_officer(koperasi, "bendahara")
    cash = chart.unit_code(chart.CASH, UNIT)
    D, C = LineDraft.debit, LineDraft.credit
    entries = []
    for day in _months(koperasi):
        tag = f"{day:%Y%m}"
        members = _rupiah(rng, 6_000_000, 12_000_000)
        public = _rupiah(rng, 2_000_000, 5_000_000)
        # Members buy at a thinner margin than the public (the koperasi serves them).
        members_cost = members * rng.randrange(86, 90) // 100
        public_cost = public * rng.randrange(78, 83) // 100
        end = day.replace(day=28)
        for key, memo, lines in (
            (
                "members",
                f"Penjualan gerai sembako kepada anggota {tag}",
                [D(cash, members), C(chart.unit_code(chart.REVENUE_MEMBERS, UNIT), members)],
            ),
            (
                "public",
                f"Penjualan gerai sembako kepada non-anggota {tag}",
                [D(cash, public), C(chart.unit_code(chart.REVENUE_NON_MEMBERS, UNIT), public)],
            ),
            (
                "goods",
                f"Belanja barang dagangan gerai sembako {tag}",
                [
                    D(chart.unit_code(chart.COST_OF_GOODS_SOLD, UNIT), members_cost),
                    D(chart.unit_code(chart.COST_OF_GOODS_SOLD_NON_MEMBERS, UNIT), public_cost),
                    C(cash, members_cost + public_cost),
                ],
            ),
        ):
            entries.append(
                services.EntryRequest(
                    date=end,
                    memo=memo,
                    lines=lines,
                    idempotency_key=f"demo:sembako:{key}:{tag}",
                    source=SOURCE,
                    business_unit=UNIT,
                )
            )
        giro = _rupiah(rng, 20_000, 60_000, 1_000)
        entries.append(
            services.EntryRequest(
                date=end,
                memo=f"Jasa giro bank {tag}",
                lines=[D(chart.BANK, giro), C(chart.OTHER_INCOME_ACCOUNT, giro)],
                idempotency_key=f"demo:giro:{tag}",
                source=SOURCE,
            )
        )
    services.post_many(koperasi, actor=bendahara, entries=entries)


EXTENSIONS.append(add_store_sales)
