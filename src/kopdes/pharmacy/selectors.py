"""Reads of the apotek: its unit, pharmacist and licence warning, drugs, batches and the
expiry lists (``domain.batches``). Every query is scoped to the koperasi."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from kopdes.domain import batches as fefo
from kopdes.pharmacy.choices import APOTEK
from kopdes.pharmacy.models import Batch, BatchMovement, DrugInfo, Pharmacist, Prescription
from kopdes.store.models import BusinessUnit, Item, StockPosition

# The near-expiry list's window, days (the page may ask for another: ?hari=).
NEAR_EXPIRY_DAYS = getattr(settings, "KOPDES_PHARMACY_NEAR_EXPIRY_DAYS", 90)
# The pharmacist's licence is flagged this many days before it expires.
LICENCE_WARN_DAYS = 30


def apotek_unit(koperasi) -> BusinessUnit | None:
    return BusinessUnit.objects.filter(koperasi=koperasi, kind=APOTEK, is_active=True).first()


def current_pharmacist(koperasi) -> Pharmacist | None:
    return Pharmacist.objects.filter(koperasi=koperasi, ended_on__isnull=True).first()


def pharmacists(koperasi) -> list[Pharmacist]:
    return list(Pharmacist.objects.filter(koperasi=koperasi))


@dataclass(frozen=True)
class LicenceWarning:
    level: str  # "missing", "expiring", "expired"
    message: str


def licence_warning(koperasi, today: dt.date | None = None) -> LicenceWarning | None:
    """What the apotek pages say about the responsible pharmacist: none recorded, her SIPA
    expired, or expiring within 30 days; None when all is well."""
    today = today or koperasi.today()
    pharmacist = current_pharmacist(koperasi)
    if pharmacist is None:
        return LicenceWarning(
            "missing",
            _("No responsible pharmacist is recorded: prescription drugs cannot be dispensed."),
        )
    status = fefo.licence_status(
        pharmacist.sipa_expires_on, today=today, warn_days=LICENCE_WARN_DAYS
    )
    date = pharmacist.sipa_expires_on.strftime("%d-%m-%Y")
    if status == fefo.LicenceStatus.EXPIRED:
        return LicenceWarning(
            "expired",
            _(
                "The SIPA of %(name)s expired on %(date)s: prescription drugs cannot be "
                "dispensed until it is renewed."
            )
            % {"name": pharmacist.name, "date": date},
        )
    if status == fefo.LicenceStatus.EXPIRING:
        days = (pharmacist.sipa_expires_on - today).days
        return LicenceWarning(
            "expiring",
            _("The SIPA of %(name)s expires on %(date)s, in %(days)d days: renew it in time.")
            % {"name": pharmacist.name, "date": date, "days": days},
        )
    return None


def apotek_items(koperasi):
    """The apotek's goods, by name."""
    return Item.objects.filter(
        koperasi=koperasi, business_unit__kind=APOTEK, is_service=False
    ).order_by("name")


def get_apotek_item(koperasi, item_id) -> Item:
    item = apotek_items(koperasi).select_related("business_unit").filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def drug_info(koperasi, item) -> DrugInfo | None:
    return DrugInfo.objects.filter(koperasi=koperasi, item=item).first()


@dataclass
class DrugRow:
    item: Item
    info: DrugInfo | None
    on_hand: int
    next_expiry: dt.date | None


def drug_rows(koperasi) -> list[DrugRow]:
    items = list(apotek_items(koperasi))
    ids = [i.pk for i in items]
    infos = {d.item_id: d for d in DrugInfo.objects.filter(koperasi=koperasi, item_id__in=ids)}
    stock = dict(
        StockPosition.objects.filter(koperasi=koperasi, item_id__in=ids).values_list(
            "item_id", "quantity"
        )
    )
    first: dict = {}
    for item_id, expires in (
        Batch.objects.filter(koperasi=koperasi, item_id__in=ids, quantity__gt=0)
        .order_by("expires_on")
        .values_list("item_id", "expires_on")
    ):
        first.setdefault(item_id, expires)
    return [DrugRow(i, infos.get(i.pk), stock.get(i.pk, 0), first.get(i.pk)) for i in items]


def batches_on_hand(koperasi) -> list[Batch]:
    return list(
        Batch.objects.filter(koperasi=koperasi, quantity__gt=0)
        .select_related("item")
        .order_by("expires_on", "item__name", "batch_number")
    )


@dataclass
class BatchRow:
    batch: Batch
    days_left: int


def _pure(batch: Batch) -> fefo.Batch:
    return fefo.Batch(str(batch.pk), batch.expires_on, batch.quantity)


def expiry_lists(
    koperasi, *, today: dt.date, within_days: int
) -> tuple[list[BatchRow], list[BatchRow]]:
    """(near expiry within ``within_days``, soonest first; expired with stock, oldest
    first), by ``domain.batches``."""
    rows = batches_on_hand(koperasi)
    by_id = {str(b.pk): b for b in rows}
    pure = [_pure(b) for b in rows]
    near = [
        BatchRow(by_id[b.batch_id], days)
        for b, days in fefo.near_expiry(pure, today=today, within_days=within_days)
    ]
    expired = [
        BatchRow(by_id[b.batch_id], b.days_left(today))
        for b in fefo.expired_batches(pure, today=today)
    ]
    return near, expired


def get_batch(koperasi, batch_id) -> Batch:
    batch = Batch.objects.filter(koperasi=koperasi, pk=batch_id).select_related("item").first()
    if batch is None:
        raise Http404
    return batch


def batch_movements(koperasi, batch: Batch) -> list[BatchMovement]:
    return list(
        BatchMovement.objects.filter(koperasi=koperasi, batch=batch)
        .select_related("sale_line__sale", "stock_movement__supplier")
        .order_by("date", "created_at", "id")
    )


def prescriptions_by_line(koperasi, line_ids) -> dict:
    return {
        p.sale_line_id: p
        for p in Prescription.objects.filter(koperasi=koperasi, sale_line_id__in=line_ids)
    }
