"""Apotek desa: drug batches, first-expiring-first-out, expiry and prescriptions.

A batch has an id (the manufacturer's batch or lot number), an expiry date and a quantity
on hand in the item's base unit (tablets, ml, pieces). The expiry date is the last day the
batch may be sold; a label that gives only a month ("ED 12/2026") means its last day
(``expiry_from_label``). On a day after its expiry a batch is expired: it is never picked
and never sold (``today`` is passed in; no clock here).

``pick_batches`` takes a quantity from the batches that expire first (FEFO), ties by batch
id so the pick is the same on every run. ``near_expiry`` lists batches within N days of
expiry for the pharmacist; ``expired_batches`` lists those to take off the shelf.
A drug that needs a prescription (obat keras) is sold only with its number
(``check_prescription``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

MAX_QUANTITY = 10**12
_PRESCRIPTION = re.compile(r"[0-9A-Za-z][0-9A-Za-z./\- ]{0,63}", re.ASCII)


class BatchError(ValueError):
    """A batch movement or sale the rules refuse. ``message`` is Bahasa Indonesia.

    ``code``: ``quantity``, ``batch``, ``expired``, ``insufficient``, ``prescription``,
    ``label``.
    """

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _quantity(value: object, *, what: str, field: str, positive: bool) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BatchError(f"{what} harus bilangan bulat.", code="quantity", field=field)
    if positive and value <= 0:
        raise BatchError(f"{what} harus lebih dari nol.", code="quantity", field=field)
    if value < 0:
        raise BatchError(f"{what} tidak boleh negatif.", code="quantity", field=field)
    if value > MAX_QUANTITY:
        raise BatchError(f"{what} terlalu besar.", code="quantity", field=field)
    return value


@dataclass(frozen=True)
class Batch:
    batch_id: str
    expires_on: dt.date
    quantity: int

    def __post_init__(self) -> None:
        if not isinstance(self.batch_id, str) or not self.batch_id.strip():
            raise BatchError("Nomor batch wajib diisi.", code="batch", field="batch_id")
        _quantity(self.quantity, what="Stok batch", field="quantity", positive=False)

    def is_expired(self, today: dt.date) -> bool:
        return today > self.expires_on

    def days_left(self, today: dt.date) -> int:
        """Days from ``today`` to the expiry date (0 on the last day, negative after)."""
        return (self.expires_on - today).days


def expiry_from_label(month: int, year: int) -> dt.date:
    """The last day of the month a label gives ("ED 12/2026" -> 31 December 2026)."""
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise BatchError("Bulan kedaluwarsa harus 1 sampai 12.", code="label", field="month")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2199:
        raise BatchError(
            "Tahun kedaluwarsa harus antara 2000 dan 2199.", code="label", field="year"
        )
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Pick:
    batch_id: str
    quantity: int
    expires_on: dt.date


def _check_unique(batches: Sequence[Batch]) -> None:
    seen: set[str] = set()
    for batch in batches:
        if batch.batch_id in seen:
            raise BatchError(
                f"Nomor batch {batch.batch_id} tercatat dua kali.", code="batch", field="batch_id"
            )
        seen.add(batch.batch_id)


def pick_batches(batches: Sequence[Batch], quantity: int, *, today: dt.date) -> tuple[Pick, ...]:
    """Take ``quantity`` from the batches that expire first (FEFO), skipping expired ones.

    Refuses when the batches that may still be sold do not hold enough; the message says
    how much is blocked as expired.
    """
    _quantity(quantity, what="Jumlah obat", field="quantity", positive=True)
    _check_unique(batches)
    usable = sorted(
        (b for b in batches if b.quantity and not b.is_expired(today)),
        key=lambda b: (b.expires_on, b.batch_id),
    )
    available = sum(b.quantity for b in usable)
    if quantity > available:
        blocked = sum(b.quantity for b in batches if b.is_expired(today))
        extra = f"; {blocked} lagi kedaluwarsa dan tidak boleh dijual" if blocked else ""
        raise BatchError(
            f"Stok obat yang boleh dijual tidak cukup: diminta {quantity}, tersedia "
            f"{available}{extra}.",
            code="insufficient",
            field="quantity",
        )
    picks: list[Pick] = []
    left = quantity
    for batch in usable:
        take = min(left, batch.quantity)
        picks.append(Pick(batch.batch_id, take, batch.expires_on))
        left -= take
        if left == 0:
            break
    return tuple(picks)


def check_batch_sale(batch: Batch, quantity: int, *, today: dt.date) -> None:
    """A sale from one named batch (the pharmacist chose it): not expired, enough on hand."""
    _quantity(quantity, what="Jumlah obat", field="quantity", positive=True)
    if batch.is_expired(today):
        raise BatchError(
            f"Batch {batch.batch_id} kedaluwarsa sejak {batch.expires_on.isoformat()}: "
            "tidak boleh dijual.",
            code="expired",
            field="batch_id",
        )
    if quantity > batch.quantity:
        raise BatchError(
            f"Stok batch {batch.batch_id} tidak cukup: diminta {quantity}, tersedia "
            f"{batch.quantity}.",
            code="insufficient",
            field="quantity",
        )


def near_expiry(
    batches: Iterable[Batch], *, today: dt.date, within_days: int
) -> list[tuple[Batch, int]]:
    """Batches still sellable that expire within ``within_days`` days, with the days
    left, soonest first (empty batches left out)."""
    _quantity(within_days, what="Jumlah hari", field="within_days", positive=False)
    rows = [
        (b, b.days_left(today))
        for b in batches
        if b.quantity and 0 <= b.days_left(today) <= within_days
    ]
    return sorted(rows, key=lambda row: (row[0].expires_on, row[0].batch_id))


def expired_batches(batches: Iterable[Batch], *, today: dt.date) -> list[Batch]:
    """Batches with stock that are past their expiry, oldest first (to take off the shelf)."""
    rows = [b for b in batches if b.quantity and b.is_expired(today)]
    return sorted(rows, key=lambda b: (b.expires_on, b.batch_id))


def check_prescription(requires_prescription: bool, number: str | None) -> str | None:
    """The prescription number to record, stripped: required for obat keras, else
    optional (None when blank)."""
    text = (number or "").strip()
    if not text:
        if requires_prescription:
            raise BatchError(
                "Obat ini wajib dengan resep dokter: isi nomor resep.",
                code="prescription",
                field="prescription_number",
            )
        return None
    if not _PRESCRIPTION.fullmatch(text):
        raise BatchError(
            "Nomor resep hanya boleh berisi huruf, angka, spasi, titik, garis miring dan "
            "tanda hubung (paling banyak 64).",
            code="prescription",
            field="prescription_number",
        )
    return text


class LicenceStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


def licence_status(expires_on: dt.date, *, today: dt.date, warn_days: int = 60) -> LicenceStatus:
    """The responsible pharmacist's licence (SIPA/STRA) on ``today``: expired after its
    last day, expiring within ``warn_days`` days, else valid."""
    days = (expires_on - today).days
    if days < 0:
        return LicenceStatus.EXPIRED
    if days <= warn_days:
        return LicenceStatus.EXPIRING
    return LicenceStatus.VALID
