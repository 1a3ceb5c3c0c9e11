"""Demo bank interest: a year of the jasa giro the bank credits monthly.

The gerai sembako's takings used to be posted here as monthly recaps; the store now rings
up the demo's sales itself (``store.demo``: a year through ``checkout``), so only the
income the store does not post is left. Through ``ledger.services.post_many``. Seeded.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart, services
from kopdes.ledger.models import JournalEntry

MONTHS = 12
SOURCE = "demo.giro"


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


def add_bank_interest(koperasi, rng) -> None:
    if JournalEntry.objects.filter(koperasi=koperasi, source=SOURCE).exists():
        return  # idempotent
    services.setup_koperasi_books(koperasi)  # idempotent; the chart must exist
    bendahara = demo_officer(koperasi, "bendahara")
    entries = []
    for day in _months(koperasi):
        tag = f"{day:%Y%m}"
        giro = _rupiah(rng, 20_000, 60_000, 1_000)
        entries.append(
            services.EntryRequest(
                date=day.replace(day=28),
                memo=f"Jasa giro bank {tag}",
                lines=[
                    LineDraft.debit(chart.BANK, giro),
                    LineDraft.credit(chart.OTHER_INCOME_ACCOUNT, giro),
                ],
                idempotency_key=f"demo:giro:{tag}",
                source=SOURCE,
            )
        )
    services.post_many(koperasi, actor=bendahara, entries=entries)


EXTENSIONS.append(add_bank_interest)
