"""Purchase orders to a supplier: drafted with their lines and agreed cost, placed, cancelled.

An order moves no money and no stock; goods are received against it (``receipts``)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.money import format_rupiah
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.idempotency import replayed
from kopdes.purchasing.errors import PurchasingError
from kopdes.purchasing.models import OrderStatus, PurchaseOrder, PurchaseOrderLine
from kopdes.purchasing.services._common import (
    _role,
    clean_key,
    clean_text,
    fingerprint,
    lock,
    next_number,
)
from kopdes.store.models import Item, Supplier
from kopdes.store.services.stock import stock_quantity

MAX_LINES = 50


def resolve_supplier(koperasi, supplier: Any) -> Supplier:
    """``supplier`` (a row or an id) of ``koperasi`` and active, else refused."""
    found = None
    if isinstance(supplier, Supplier):
        found = supplier if supplier.koperasi_id == koperasi.pk else None
    elif supplier:
        try:
            found = Supplier.objects.filter(koperasi=koperasi, pk=supplier).first()
        except (ValueError, TypeError, ValidationError):  # a malformed id
            found = None
    if found is None or not found.is_active:
        raise PurchasingError(_("Supplier not found."), field="supplier")
    return found


def _item(koperasi, value: Any) -> Item | None:
    if isinstance(value, Item):
        return value if value.koperasi_id == koperasi.pk else None
    if not value:
        return None
    try:
        return (
            Item.objects.filter(koperasi=koperasi, pk=value).select_related("business_unit").first()
        )
    except (ValueError, TypeError, ValidationError):  # a malformed id is "not found"
        return None


def _typed(quantity: Any) -> Decimal:
    try:
        if isinstance(quantity, str):
            return Decimal(quantity.strip().replace(",", "."))
        return Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def create_order(
    koperasi,
    *,
    actor,
    supplier: Any,
    lines: list[dict[str, Any]],
    note: str = "",
    date: dt.date | None = None,
    idempotency_key: str,
) -> PurchaseOrder:
    """A draft order to ``supplier``: ``lines`` of {item, quantity, unit, price} (price in
    sen per unit typed, > 0). Every item a good of the same running business unit. Every
    problem is reported at once (``PurchasingError.errors``, field ``lines-<n>-<name>``);
    nothing is written on any. The same key and content returns the first order; other
    content: 409. Audited ``purchasing.order.created``."""
    role = _role(actor, koperasi, "purchasing.order")
    key = clean_key(idempotency_key)
    supplier_row = resolve_supplier(koperasi, supplier)
    note = clean_text(note, field="note", label=_("Note"))
    errors: list[tuple[str, str]] = []
    clean: list[dict[str, Any]] = []
    if not lines:
        errors.append(("lines", _("Add at least one item to the order.")))
    if len(lines) > MAX_LINES:
        errors.append(("lines", _("An order may have at most %(n)d lines.") % {"n": MAX_LINES}))
    unit_row = None
    for n, line in enumerate(lines[:MAX_LINES]):
        item = _item(koperasi, line.get("item"))
        if item is None or not item.is_active:
            errors.append((f"lines-{n}-item", _("Line %(n)d: item not found.") % {"n": n + 1}))
            continue
        if item.is_service or not item.business_unit.sells_goods:
            errors.append(
                (f"lines-{n}-item", _("Line %(n)d: a service is not ordered.") % {"n": n + 1})
            )
            continue
        if unit_row is None:
            unit_row = item.business_unit
        elif item.business_unit_id != unit_row.pk:
            errors.append(
                (
                    f"lines-{n}-item",
                    _("Line %(n)d: every item of one order belongs to the same business unit.")
                    % {"n": n + 1},
                )
            )
            continue
        unit = str(line.get("unit") or item.base_unit).strip().lower()
        try:
            stock = stock_quantity(item, line.get("quantity"), unit)
        except DomainError as exc:
            errors.append((f"lines-{n}-quantity", f"{item.name}: {exc.message}"))
            continue
        price = line.get("price")
        if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
            errors.append(
                (
                    f"lines-{n}-price",
                    _("%(item)s: the agreed cost must be more than zero.") % {"item": item.name},
                )
            )
            continue
        typed = _typed(line.get("quantity"))
        amount = int((typed * price).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        clean.append(
            {"item": item, "unit": unit, "typed": typed, "stock": stock, "price": price,
             "amount": amount}
        )  # fmt: skip
    if unit_row is not None and not unit_row.is_active:
        errors.append(("lines", _("The business unit of these items is switched off.")))
    if errors:
        raise PurchasingError(errors=errors)
    assert unit_row is not None
    day = date or koperasi.today()
    digest = fingerprint(
        {
            "supplier": str(supplier_row.pk),
            "note": note,
            "date": str(day),
            "lines": [[str(c["item"].pk), c["unit"], str(c["typed"]), c["price"]] for c in clean],
        }
    )
    with transaction.atomic():
        lock(koperasi)
        found = replayed(PurchaseOrder, koperasi, key, digest)
        if found is not None:
            return found
        total = sum(c["amount"] for c in clean)
        order = PurchaseOrder.objects.create(
            koperasi=koperasi,
            number=next_number(PurchaseOrder, koperasi),
            supplier=supplier_row,
            business_unit=unit_row,
            status=OrderStatus.DRAFT,
            order_date=day,
            note=note,
            total=total,
            idempotency_key=key,
            fingerprint=digest,
            created_by=actor,
        )
        PurchaseOrderLine.objects.bulk_create(
            PurchaseOrderLine(
                koperasi=koperasi,
                order=order,
                position=n + 1,
                item=c["item"],
                unit=c["unit"],
                typed_quantity=c["typed"],
                quantity=c["stock"],
                price=c["price"],
                amount=c["amount"],
            )
            for n, c in enumerate(clean)
        )
        record(
            "purchasing.order.created",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=order,
            summary={
                "number": str(order),
                "supplier": supplier_row.name,
                "lines": len(clean),
                "total": format_rupiah(total),
            },
        )
    return order


def _locked_order(koperasi, order: PurchaseOrder) -> PurchaseOrder:
    if order.koperasi_id != koperasi.pk:
        raise PurchasingError(_("Order not found."), field="order")
    return PurchaseOrder.objects.select_for_update().get(koperasi=koperasi, pk=order.pk)


def place_order(koperasi, *, actor, order: PurchaseOrder) -> PurchaseOrder:
    """A draft is sent to the supplier (status ordered); goods may then be received.
    Audited ``purchasing.order.placed``."""
    role = _role(actor, koperasi, "purchasing.order")
    with transaction.atomic():
        lock(koperasi)
        row = _locked_order(koperasi, order)
        if row.status != OrderStatus.DRAFT:
            raise PurchasingError(_("Only a draft order can be placed."), field="order")
        row.status = OrderStatus.ORDERED
        row.save(update_fields=["status"])
        record(
            "purchasing.order.placed", actor=actor, koperasi=koperasi, role=role, obj=row,
            summary={"number": str(row), "supplier": row.supplier.name},
        )  # fmt: skip
    return row


def cancel_order(koperasi, *, actor, order: PurchaseOrder, reason: str) -> PurchaseOrder:
    """A draft or placed order with nothing received is cancelled, with its reason.
    Audited ``purchasing.order.cancelled``."""
    role = _role(actor, koperasi, "purchasing.order")
    reason = clean_text(reason, field="reason", label=_("Reason"))
    if not reason:
        raise PurchasingError(_("Please say why the order is cancelled."), field="reason")
    with transaction.atomic():
        lock(koperasi)
        row = _locked_order(koperasi, order)
        if row.status not in (OrderStatus.DRAFT, OrderStatus.ORDERED):
            raise PurchasingError(_("This order can no longer be cancelled."), field="order")
        if row.receipts.exists():
            raise PurchasingError(
                _("Goods were already received against this order; it cannot be cancelled."),
                field="order",
            )
        row.status = OrderStatus.CANCELLED
        row.save(update_fields=["status"])
        record(
            "purchasing.order.cancelled", actor=actor, koperasi=koperasi, role=role, obj=row,
            summary={"number": str(row), "reason": reason},
        )  # fmt: skip
    return row
