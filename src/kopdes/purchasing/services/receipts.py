"""Goods received against a placed order, part or all of it, on cash or on credit.

Each line goes into stock through the store's one door, ``store.services.stock.
receive_stock`` (Persediaan debit, the item's sub-ledger; the unit's Kas or Utang usaha
2-1300 credit; the moving average), so stock and its journal stay in one place. A line's
cost is its share of the agreed amount, by cumulative rounding: the receipts of a line
always add up to exactly its agreed amount once it is received in full."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.inventory import round_half_up
from kopdes.domain.money import format_rupiah
from kopdes.domain.units import unit_of
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.idempotency import replayed
from kopdes.purchasing.errors import PurchasingError
from kopdes.purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
)
from kopdes.purchasing.services._common import (
    _role,
    clean_key,
    fingerprint,
    lock,
    next_number,
)
from kopdes.store.services.stock import receive_stock, stock_quantity

DEFAULT_TERM_DAYS = 30


def in_unit(line: PurchaseOrderLine, stock: int) -> str:
    """``stock`` stock units of the line's item written in the line's unit ("2,5")."""
    units = line.item.units()
    value = Decimal(stock) / (units.factor(unit_of(line.unit)) * units.price_per)
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def line_cost(line: PurchaseOrderLine, before: int, now: int) -> int:
    """The agreed amount's share of ``now`` stock units after ``before`` were received."""

    def upto(q: int) -> int:
        return round_half_up(Fraction(line.amount * q, line.quantity))

    return upto(before + now) - upto(before)


def receive_order(
    koperasi,
    *,
    actor,
    order: PurchaseOrder,
    quantities: dict[str, Any],
    on_credit: bool,
    due_date: dt.date | None = None,
    date: dt.date | None = None,
    idempotency_key: str,
) -> GoodsReceipt:
    """Receive ``quantities`` ({order line id: quantity in the line's unit}) of a placed
    ``order``. Cash: the unit's Kas pays now; ``on_credit``: owed to the supplier until
    ``due_date`` (default 30 days on). Refused with every problem (quantity zero,
    negative, fractional where the unit is whole, more than still ordered), nothing
    written. The order is received once every line is. The same key and content returns
    the first receipt; other content: 409. Audited ``purchasing.goods.received`` (and the
    store's ``store.stock.received`` per line)."""
    role = _role(actor, koperasi, "purchasing.receive")
    key = clean_key(idempotency_key)
    if order.koperasi_id != koperasi.pk:
        raise PurchasingError(_("Order not found."), field="order")
    day = date or koperasi.today()
    due = None
    if on_credit:
        due = due_date or day + dt.timedelta(days=DEFAULT_TERM_DAYS)
        if due < day:
            raise PurchasingError(
                _("The due date cannot be before the day the goods arrive."), field="due_date"
            )
    lines = {str(x.pk): x for x in order.lines.select_related("item", "item__business_unit")}
    errors: list[tuple[str, str]] = []
    wanted: list[tuple[PurchaseOrderLine, int, str]] = []
    for line_id, quantity in quantities.items():
        line = lines.get(str(line_id))
        if line is None:
            errors.append(("lines", _("This line is not on the order.")))
            continue
        try:
            stock = stock_quantity(line.item, quantity, line.unit)
        except DomainError as exc:
            errors.append((f"line-{line.pk}", f"{line.item.name}: {exc.message}"))
            continue
        wanted.append((line, stock, str(quantity).strip()))
    if not wanted and not errors:
        errors.append(("lines", _("Type the quantity received of at least one item.")))
    if errors:
        raise PurchasingError(errors=errors)
    digest = fingerprint(
        {
            "order": str(order.pk),
            "lines": sorted([str(line.pk), stock] for line, stock, _t in wanted),
            "on_credit": bool(on_credit),
            "due": str(due),
            "date": str(day),
        }
    )
    with transaction.atomic():
        lock(koperasi)
        found = replayed(GoodsReceipt, koperasi, key, digest)
        if found is not None:
            return found
        row = PurchaseOrder.objects.select_for_update().get(koperasi=koperasi, pk=order.pk)
        if row.status != OrderStatus.ORDERED:
            raise PurchasingError(
                _("Goods are received only against a placed order (this one is %(status)s).")
                % {"status": row.get_status_display().lower()},
                field="order",
            )
        fresh = {
            x.pk: x
            for x in PurchaseOrderLine.objects.select_for_update().filter(
                koperasi=koperasi, order=row
            )
        }
        for line, stock, typed in wanted:
            current = fresh[line.pk]
            if stock > current.remaining:
                errors.append(
                    (
                        f"line-{line.pk}",
                        _("%(item)s: %(typed)s %(unit)s is more than still ordered (%(left)s).")
                        % {"item": line.item.name, "typed": typed, "unit": line.unit,
                           "left": f"{in_unit(current, current.remaining)} {line.unit}"},
                    )
                )  # fmt: skip
        if errors:
            raise PurchasingError(errors=errors)
        number = next_number(GoodsReceipt, koperasi)
        receipt = GoodsReceipt.objects.create(
            koperasi=koperasi,
            number=number,
            order=row,
            supplier=row.supplier,
            business_unit=row.business_unit,
            date=day,
            on_credit=bool(on_credit),
            due_date=due,
            total=0,
            idempotency_key=key,
            fingerprint=digest,
            created_by=actor,
        )
        total = 0
        receipt_lines = []
        for line, stock, _typed in sorted(wanted, key=lambda w: w[0].position):
            current = fresh[line.pk]
            cost = line_cost(current, current.received, stock)
            received = receive_stock(
                koperasi,
                actor=actor,
                item=line.item,
                quantity=stock,
                unit=line.item.units().stock_unit.value,
                cost=cost,
                supplier=row.supplier,
                on_credit=bool(on_credit),
                date=day,
                idempotency_key=f"purchasing.gr:{key}:{line.position}",
                memo=_("%(receipt)s for %(order)s: %(item)s from %(supplier)s")
                % {"receipt": receipt, "order": row, "item": line.item.name,
                   "supplier": row.supplier.name},
            )  # fmt: skip
            current.received += stock
            current.received_cost += cost
            current.save(update_fields=["received", "received_cost"])
            total += cost
            receipt_lines.append(
                GoodsReceiptLine(
                    koperasi=koperasi,
                    receipt=receipt,
                    order_line=current,
                    item=line.item,
                    quantity=stock,
                    cost=cost,
                    movement=received.movement,
                )
            )
        GoodsReceiptLine.objects.bulk_create(receipt_lines)
        receipt.total = total
        receipt.save(update_fields=["total"])
        if all(x.received == x.quantity for x in fresh.values()):
            row.status = OrderStatus.RECEIVED
            row.save(update_fields=["status"])
        record(
            "purchasing.goods.received",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=receipt,
            summary={
                "number": str(receipt),
                "order": str(row),
                "supplier": row.supplier.name,
                "total": format_rupiah(total),
                "on_credit": bool(on_credit),
                "due_date": str(due) if due else "",
                "order_received": row.status == OrderStatus.RECEIVED,
            },
        )
    return receipt
