"""Stock moved from one business unit to another (the gerai sembako hands beras to the
hasil-bumi stall, the warehouse stock of the apotek...).

An item belongs to the unit that sells it (``Item.business_unit``), and its name and
barcode are unique in the koperasi, so the same goods in two units are two items. A
transfer therefore names both: ``item`` (the source, in one unit) and ``to_item`` (the
destination, of ANOTHER unit, counted in the same base unit). The quantity leaves the
source at its moving average and enters the destination at that same cost
(``domain.inventory.transfer``: nothing is gained or lost), posted as one entry: the
destination unit's Persediaan debited (the destination item's sub-ledger, its
``business_unit``), the source unit's Persediaan credited. A retry with the same key and
content returns the first transfer; other content is refused (409). Stock worth 0 moves
without an entry (and, like a free receipt, without idempotency).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain import inventory
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import SubledgerKind
from kopdes.ledger.models import JournalEntry
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.locks import lock_chain
from kopdes.store import hooks
from kopdes.store.errors import StoreError
from kopdes.store.models import Item, StockMovement
from kopdes.store.services._common import _role
from kopdes.store.services.stock import as_store_errors, position_of, pure, stock_quantity

PERMISSION = "store.transfer"


@dataclass(frozen=True)
class Transferred:
    out: StockMovement
    into: StockMovement
    replayed: bool


def _check(koperasi, item: Item, to_item: Item) -> None:
    if item.koperasi_id != koperasi.pk or to_item.koperasi_id != koperasi.pk:
        raise StoreError(_("Item not found."), field="item")
    if item.pk == to_item.pk or item.business_unit_id == to_item.business_unit_id:
        raise StoreError(
            _("A transfer goes to an item of another business unit, not the same unit."),
            field="to_item",
        )
    for one in (item, to_item):
        if one.is_service or not one.business_unit.sells_goods:
            raise StoreError(
                _("%(item)s is a service and has no stock.") % {"item": one.name}, field="item"
            )
    if not to_item.business_unit.is_active:
        raise StoreError(
            _("%(unit)s is switched off.") % {"unit": to_item.business_unit.name},
            field="to_item",
        )
    if item.base_unit != to_item.base_unit:
        raise StoreError(
            _(
                "%(a)s is counted in %(ua)s and %(b)s in %(ub)s: a transfer needs the same "
                "base unit."
            )
            % {
                "a": item.name,
                "ua": item.get_base_unit_display(),
                "b": to_item.name,
                "ub": to_item.get_base_unit_display(),
            },
            field="to_item",
        )


def _replay(koperasi, key: str, item: Item, to_item: Item, stock: int) -> Transferred | None:
    """The transfer already posted under ``key``: returned when it moved the same thing,
    else the key's reuse is refused (409). Read before the stock is checked, so a retry
    of a transfer that emptied the source still answers with the first transfer."""
    entry = JournalEntry.objects.filter(koperasi=koperasi, idempotency_key=key).first()
    if entry is None:
        return None
    moves = {m.kind: m for m in StockMovement.objects.filter(koperasi=koperasi, entry=entry)}
    out, into = moves.get("transfer_out"), moves.get("transfer_in")
    if (
        out is None
        or into is None
        or (out.item_id, into.item_id, out.quantity) != (item.pk, to_item.pk, stock)
    ):
        raise ConflictError(
            _("This key was already used for another transfer."), field="idempotency_key"
        )
    return Transferred(out, into, True)


def transfer_stock(
    koperasi,
    *,
    actor,
    item: Item,
    to_item: Item,
    quantity,
    unit: str | None = None,
    idempotency_key: str,
    date: dt.date | None = None,
    memo: str = "",
    source_address: str = "",
) -> Transferred:
    """Move ``quantity`` (of ``unit``, default the base unit) of ``item`` into ``to_item``
    of another unit, at the moving average. Refused with a message, nothing written: the
    same unit, another base unit, a service, a quantity that is not a positive (whole
    where the unit is whole) number, more than in stock."""
    role = _role(actor, koperasi, PERMISSION)
    _check(koperasi, item, to_item)
    stock = stock_quantity(item, quantity, unit)
    source, target = item.business_unit, to_item.business_unit
    day = date or koperasi.today()
    key = f"store.transfer:{(idempotency_key or '').strip()}"
    memo = " ".join(str(memo or "").split())[:200]
    creator = actor if actor is not None and actor.is_authenticated else None
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        replayed = _replay(koperasi, key, item, to_item, stock)
        if replayed is not None:
            return replayed
        # The rules of the apps built on the store (the apotek refuses batch-kept goods).
        sending = hooks.prepare_movement(
            koperasi, actor=actor, kind="transfer_out", item=item, quantity=stock, day=day
        )
        taking = hooks.prepare_movement(
            koperasi, actor=actor, kind="transfer_in", item=to_item, quantity=stock, day=day
        )
        from_position = position_of(koperasi, item, lock=True)
        to_position = position_of(koperasi, to_item, lock=True)
        out, into = inventory.transfer(pure(from_position), pure(to_position), stock)
        entry = None
        if out.value:
            entry = ledger.post(
                koperasi,
                actor=actor,
                date=day,
                memo=(
                    memo
                    or _("Stock transfer: %(item)s from %(source)s to %(target)s")
                    % {"item": item.name, "source": source.name, "target": target.name}
                )[:200],
                lines=[
                    LineDraft.debit(
                        target.inventory_account,
                        out.value,
                        subledger_kind=SubledgerKind.INVENTORY,
                        subledger_ref=str(to_item.pk),
                        business_unit=target.ledger_unit,
                    ),
                    LineDraft.credit(
                        source.inventory_account,
                        out.value,
                        subledger_kind=SubledgerKind.INVENTORY,
                        subledger_ref=str(item.pk),
                        business_unit=source.ledger_unit,
                    ),
                ],
                idempotency_key=key,
                source="store.transfer",
                source_ref=str(item.pk),
                audited_by_caller=True,
            )
        from_position.quantity, from_position.value = out.after.quantity, out.after.value
        from_position.save()
        to_position.quantity, to_position.value = into.after.quantity, into.after.value
        to_position.save()

        def movement(of: Item, moved: inventory.Movement, text: str) -> StockMovement:
            return StockMovement.objects.create(
                koperasi=koperasi,
                item=of,
                business_unit=of.business_unit,
                kind=moved.kind.value,
                quantity=moved.quantity,
                value=moved.value,
                quantity_after=moved.after.quantity,
                value_after=moved.after.value,
                date=day,
                entry=entry,
                memo=text[:200],
                created_by=creator,
            )

        sent = movement(
            item, out, _("To %(item)s (%(unit)s)") % {"item": to_item.name, "unit": target.name}
        )
        received = movement(
            to_item, into, _("From %(item)s (%(unit)s)") % {"item": item.name, "unit": source.name}
        )
        sending.record(movement=sent)
        taking.record(movement=received)
        record(
            "store.stock.transferred",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=sent,
            summary={
                "item": item.name,
                "to_item": to_item.name,
                "from": source.name,
                "to": target.name,
                "quantity": stock,
                "value": out.value,
                "entry": entry.number if entry else None,
            },
            source_address=source_address,
        )
    return Transferred(sent, received, False)
