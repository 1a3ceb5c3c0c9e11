"""Reads of purchasing: orders, receipts, payables with their aging, payments, harvest
purchases, and each member's harvest sold to the koperasi (her SHU participation)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet, Sum
from django.http import Http404

from kopdes.purchasing.models import (
    GoodsReceipt,
    HarvestPurchase,
    PurchaseOrder,
    SupplierPayment,
)

# Aging buckets of what is owed, by days past the due date.
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def _get(model, koperasi, pk: Any):
    try:
        found = model.objects.filter(koperasi=koperasi, pk=pk).first()
    except (ValidationError, ValueError, TypeError):
        found = None
    if found is None:
        raise Http404
    return found


def list_orders(koperasi, *, status: str = "") -> QuerySet[PurchaseOrder]:
    qs = PurchaseOrder.objects.filter(koperasi=koperasi).select_related("supplier")
    return qs.filter(status=status) if status else qs


def get_order(koperasi, order_id: Any) -> PurchaseOrder:
    return _get(PurchaseOrder, koperasi, order_id)


def get_receipt(koperasi, receipt_id: Any) -> GoodsReceipt:
    return _get(GoodsReceipt, koperasi, receipt_id)


def get_harvest(koperasi, purchase_id: Any) -> HarvestPurchase:
    return _get(HarvestPurchase, koperasi, purchase_id)


def list_harvest(koperasi) -> QuerySet[HarvestPurchase]:
    return HarvestPurchase.objects.filter(koperasi=koperasi).select_related("member", "item")


def list_payments(koperasi, supplier=None) -> QuerySet[SupplierPayment]:
    qs = SupplierPayment.objects.filter(koperasi=koperasi).select_related("supplier")
    return qs.filter(supplier=supplier) if supplier is not None else qs


def bucket(due: dt.date, today: dt.date) -> str:
    late = (today - due).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "1-30"
    if late <= 60:
        return "31-60"
    if late <= 90:
        return "61-90"
    return "90+"


def payables(koperasi, *, today: dt.date) -> list[dict[str, Any]]:
    """Per supplier owed anything: the total, its aging buckets and the next due date,
    the most owed first."""
    rows: dict[Any, dict[str, Any]] = {}
    open_ = (
        GoodsReceipt.objects.filter(koperasi=koperasi, on_credit=True, paid__lt=F("total"))
        .select_related("supplier")
        .order_by("due_date", "number")
    )
    for receipt in open_:
        row = rows.setdefault(
            receipt.supplier_id,
            {
                "supplier": receipt.supplier,
                "owed": 0,
                "buckets": dict.fromkeys(BUCKETS, 0),
                "next_due": receipt.due_date,
                "receipts": [],
            },
        )
        left = receipt.total - receipt.paid
        row["owed"] += left
        row["buckets"][bucket(receipt.due_date, today)] += left
        row["receipts"].append(receipt)
    return sorted(rows.values(), key=lambda r: (-r["owed"], r["supplier"].name))


def payable_of(koperasi, supplier, *, today: dt.date) -> dict[str, Any]:
    for row in payables(koperasi, today=today):
        if row["supplier"].pk == supplier.pk:
            return row
    return {"supplier": supplier, "owed": 0, "buckets": dict.fromkeys(BUCKETS, 0),
            "next_due": None, "receipts": []}  # fmt: skip


def harvest_participation(koperasi, *, year: int) -> dict[Any, int]:
    """{member id: sen} of the harvest each member sold to the koperasi in ``year``: her
    transactions with the hasil bumi unit, for the SHU's jasa usaha (AD/ART weights)."""
    totals: dict[Any, int] = defaultdict(int)
    for member_id, amount in (
        HarvestPurchase.objects.filter(koperasi=koperasi, date__year=year)
        .values("member_id")
        .annotate(total=Sum("amount"))
        .values_list("member_id", "total")
    ):
        totals[member_id] += int(amount)
    return dict(totals)
