"""Paying a supplier what the koperasi owes it: Utang usaha 2-1300 debit, the paying unit's
Kas credit, one journal entry; the oldest receipts on credit (by due date) are settled
first. Never more than is owed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.platform.audit.services import record
from kopdes.platform.core.idempotency import replayed
from kopdes.purchasing.errors import PurchasingError
from kopdes.purchasing.models import GoodsReceipt, PaymentAllocation, SupplierPayment
from kopdes.purchasing.services._common import (
    _role,
    clean_key,
    clean_text,
    fingerprint,
    lock,
    next_number,
)
from kopdes.purchasing.services.orders import resolve_supplier
from kopdes.store.models import BusinessUnit
from kopdes.store.services.stock import as_store_errors


def open_receipts(koperasi, supplier, *, for_update: bool = False):
    """The supplier's receipts on credit not yet paid in full, oldest due first."""
    qs = GoodsReceipt.objects.filter(
        koperasi=koperasi, supplier=supplier, on_credit=True, paid__lt=F("total")
    ).order_by("due_date", "number")
    return qs.select_for_update() if for_update else qs


def owed_to(koperasi, supplier) -> int:
    """What the koperasi owes ``supplier`` (sen)."""
    totals = open_receipts(koperasi, supplier).aggregate(t=Sum("total"), p=Sum("paid"))
    return (totals["t"] or 0) - (totals["p"] or 0)


def _unit(koperasi, business_unit: Any, supplier) -> BusinessUnit:
    if isinstance(business_unit, BusinessUnit):
        found = business_unit if business_unit.koperasi_id == koperasi.pk else None
    elif business_unit:
        found = BusinessUnit.objects.filter(koperasi=koperasi, kind=str(business_unit)).first()
    else:
        oldest = open_receipts(koperasi, supplier).select_related("business_unit").first()
        found = oldest.business_unit if oldest else None
    if found is None or not found.is_active:
        raise PurchasingError(_("Choose the business unit whose cash pays."), field="business_unit")
    return found


def pay_supplier(
    koperasi,
    *,
    actor,
    supplier: Any,
    amount: int,
    business_unit: Any = None,
    date: dt.date | None = None,
    note: str = "",
    idempotency_key: str,
) -> SupplierPayment:
    """Pay ``amount`` sen to ``supplier`` from ``business_unit``'s Kas (a unit row or kind;
    default the unit of its oldest open receipt). Refused, nothing written: not more than
    zero, more than owed, an unknown supplier. The same key and content returns the first
    payment; other content: 409. Audited ``purchasing.supplier.paid``."""
    role = _role(actor, koperasi, "purchasing.pay")
    key = clean_key(idempotency_key)
    supplier_row = resolve_supplier(koperasi, supplier)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PurchasingError(_("The amount paid must be more than zero."), field="amount")
    unit = _unit(koperasi, business_unit, supplier_row)
    day = date or koperasi.today()
    note = clean_text(note, field="note", label=_("Note"))
    digest = fingerprint(
        {"supplier": str(supplier_row.pk), "amount": amount, "unit": unit.kind,
         "date": str(day), "note": note}
    )  # fmt: skip
    with as_store_errors(), transaction.atomic():
        lock(koperasi)
        found = replayed(SupplierPayment, koperasi, key, digest)
        if found is not None:
            return found
        receipts = list(open_receipts(koperasi, supplier_row, for_update=True))
        owed = sum(r.total - r.paid for r in receipts)
        if amount > owed:
            raise PurchasingError(
                _("%(amount)s is more than is owed to %(supplier)s (%(owed)s).")
                % {"amount": format_rupiah(amount), "supplier": supplier_row.name,
                   "owed": format_rupiah(owed)},
                field="amount",
            )  # fmt: skip
        number = next_number(SupplierPayment, koperasi)
        entry = ledger.post(
            koperasi,
            actor=actor,
            date=day,
            memo=(
                _("Payment %(number)s to supplier %(supplier)s")
                % {"number": f"PB-{number:05d}", "supplier": supplier_row.name}
            )[:200],
            lines=[
                LineDraft.debit(chart.TRADE_PAYABLE, amount),
                LineDraft.credit(unit.cash_account, amount),
            ],
            idempotency_key=f"purchasing.payment:{key}",
            source="purchasing.payment",
            source_ref=str(supplier_row.pk),
            business_unit=unit.ledger_unit,
            audited_by_caller=True,
        )
        payment = SupplierPayment.objects.create(
            koperasi=koperasi,
            number=number,
            supplier=supplier_row,
            business_unit=unit,
            date=day,
            amount=amount,
            note=note,
            entry=entry,
            idempotency_key=key,
            fingerprint=digest,
            created_by=actor,
        )
        left = amount
        allocations = []
        for receipt in receipts:
            if not left:
                break
            part = min(left, receipt.total - receipt.paid)
            left -= part
            GoodsReceipt.objects.filter(pk=receipt.pk).update(paid=F("paid") + part)
            allocations.append(
                PaymentAllocation(koperasi=koperasi, payment=payment, receipt=receipt, amount=part)
            )
        PaymentAllocation.objects.bulk_create(allocations)
        record(
            "purchasing.supplier.paid",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=payment,
            summary={
                "number": f"PB-{number:05d}",
                "supplier": supplier_row.name,
                "amount": format_rupiah(amount),
                "owed_after": format_rupiah(owed - amount),
                "entry": entry.number,
            },
        )
    return payment
