"""Stock: goods received from a supplier (cash or on credit), posted to the ledger, with the
item's ``StockPosition`` kept at moving average (``domain.inventory``) in the same transaction.

The position and every movement are written under the koperasi's ledger lock (the lock
every posting of the koperasi takes), so two writers never read the same position.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain import inventory
from kopdes.domain.ledger import LineDraft
from kopdes.domain.units import UnitError, unit_of
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import SubledgerKind
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.locks import lock_chain
from kopdes.store import hooks
from kopdes.store.errors import StoreError
from kopdes.store.models import Item, StockMovement, StockPosition, Supplier
from kopdes.store.services._common import _role

PERMISSION = "store.receive_stock"


def position_of(koperasi, item: Item, *, lock: bool = False) -> StockPosition:
    """The item's stored position (a new, unsaved empty one when it never moved)."""
    qs = StockPosition.objects.filter(koperasi=koperasi, item=item)
    if lock:
        qs = qs.select_for_update()
    found = qs.first()
    if found is None:
        found = StockPosition(
            koperasi=koperasi,
            item=item,
            business_unit_id=item.business_unit_id,
            quantity=0,
            value=0,
        )
    return found


def pure(position: StockPosition) -> inventory.StockPosition:
    return inventory.StockPosition(position.quantity, position.value)


@contextlib.contextmanager
def as_store_errors() -> Iterator[None]:
    """The ledger's and the domain's refusals as the store reports them."""
    try:
        yield
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise StoreError(exc.message, field=exc.field) from exc
    except inventory.InventoryError as exc:
        raise StoreError(exc.message, field=exc.field) from exc


def stock_quantity(item: Item, quantity, unit: str | None = None) -> int:
    """``quantity`` (a number or typed text) of ``unit`` (default the base unit) as whole
    stock units, refused with the domain's message."""
    try:
        units = item.units()
        u = unit_of(unit) if unit else units.base
        if isinstance(quantity, str):
            try:
                quantity = Decimal(quantity.strip().replace(",", "."))
            except InvalidOperation:
                raise UnitError(_("The quantity is not a number.")) from None
        if isinstance(quantity, float):
            quantity = Decimal(str(quantity))
        stock = units.to_stock(quantity, u)
    except UnitError as exc:
        raise StoreError(str(exc), field="quantity") from exc
    if stock <= 0:
        raise StoreError(_("The quantity must be more than zero."), field="quantity")
    return stock


@dataclass(frozen=True)
class Received:
    movement: StockMovement
    replayed: bool


def receive_stock(
    koperasi,
    *,
    actor,
    item: Item,
    quantity,
    unit: str | None = None,
    cost: int,
    supplier: Supplier | None = None,
    on_credit: bool = False,
    date: dt.date | None = None,
    idempotency_key: str,
    memo: str = "",
    extra: Mapping[str, Any] | None = None,
) -> Received:
    """Goods received: ``quantity`` of ``item`` that cost ``cost`` sen in all, from
    ``supplier``, paid from the unit's Kas or owed to the supplier (Utang usaha 2-1300,
    ``on_credit``). Posts Persediaan (debit, the item's sub-ledger) against Kas or Utang
    with the unit's ``business_unit``; the position moves to the new moving average.
    A retry with the same key and content returns the first receipt; other content: 409.
    ``extra`` goes to the registered receipt rules (``store.hooks``: the apotek's batch
    number and expiry), which may refuse the receipt before anything is written.
    """
    role = _role(actor, koperasi, PERMISSION)
    if item.koperasi_id != koperasi.pk or (supplier and supplier.koperasi_id != koperasi.pk):
        raise StoreError(_("Item or supplier not found."), field="item")
    unit_row = item.business_unit
    if item.is_service or not unit_row.sells_goods:
        raise StoreError(_("A service has no stock to receive."), field="item")
    if on_credit and supplier is None:
        raise StoreError(_("Goods on credit need their supplier."), field="supplier")
    stock = stock_quantity(item, quantity, unit)
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise StoreError(_("The cost must be a whole amount of zero or more."), field="cost")
    day = date or koperasi.today()
    key = f"store.receipt:{(idempotency_key or '').strip()}"
    credit = chart.TRADE_PAYABLE if on_credit else unit_row.cash_account
    name = supplier.name if supplier else _("no supplier")
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        prepared = hooks.prepare_receipt(
            koperasi, actor=actor, item=item, quantity=stock, day=day, extra=extra or {}
        )
        entry = None
        if cost:
            entry = ledger.post(
                koperasi,
                actor=actor,
                date=day,
                memo=(
                    memo
                    or _("Goods received: %(item)s from %(supplier)s")
                    % {"item": item.name, "supplier": name}
                )[:200],
                lines=[
                    LineDraft.debit(
                        unit_row.inventory_account,
                        cost,
                        subledger_kind=SubledgerKind.INVENTORY,
                        subledger_ref=str(item.pk),
                    ),
                    LineDraft.credit(credit, cost),
                ],
                idempotency_key=key,
                source="store.receipt",
                source_ref=str(item.pk),
                business_unit=unit_row.ledger_unit,
                audited_by_caller=True,
            )
            found = StockMovement.objects.filter(koperasi=koperasi, entry=entry).first()
            if found is not None:
                return Received(found, True)
        position = position_of(koperasi, item, lock=True)
        moved = inventory.receive(pure(position), stock, cost)
        position.quantity, position.value = moved.after.quantity, moved.after.value
        position.save()
        movement = StockMovement.objects.create(
            koperasi=koperasi,
            item=item,
            business_unit=unit_row,
            kind=inventory.MovementKind.RECEIPT.value,
            quantity=stock,
            value=cost,
            quantity_after=position.quantity,
            value_after=position.value,
            date=day,
            entry=entry,
            supplier=supplier,
            memo=memo[:200],
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        prepared.record(movement=movement)
        record(
            "store.stock.received",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=movement,
            summary={
                "item": item.name,
                "quantity": stock,
                "cost": cost,
                "on_credit": on_credit,
                "entry": entry.number if entry else None,
            },
        )
    return Received(movement, False)
