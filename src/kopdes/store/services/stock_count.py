"""Stock opname: count a business unit's stock, have another officer approve the
differences, post them.

1. ``start_count``: under the koperasi's ledger lock (so no sale is half-written), every
   goods item of the unit (active ones, and inactive ones still holding stock) gets a line
   with its position at that moment (``snapshot_quantity`` / ``snapshot_value``).
2. ``save_counts``: the officers type what they count, in the item's base unit ("1,5" kg),
   in as many sittings as they need; the sheet never shows the system quantity (a blind
   count). Typed text is checked like every quantity (``domain.units``): not negative, a
   whole number in a whole unit; every problem at once, nothing saved on any.
3. ``submit_count``: every line counted; the differences ``counted - snapshot_quantity``
   are valued at the moving average (an estimate) and the count waits in the approvals
   inbox (kind ``store-stock-count``).
4. ``approve_count`` (another officer, ``store.approve_count``): in one transaction,
   settle the proposal once, then apply each difference to the item's position AT THAT
   MOMENT (``domain.inventory.adjust_to_count`` to ``position + difference``) and post one
   entry: a shortage debits Beban usaha 5-2100 ("selisih persediaan", with the unit's
   ``business_unit``, so it lands in the unit's SHU) and credits the unit's Persediaan
   (the item's sub-ledger); a surplus the reverse. ``reject_count`` records the refusal.

Why the difference is taken against the snapshot: the shelf was counted as it stood when
the count started. A sale or a receipt recorded after the snapshot moved the position and
the shelf alike, so the shelf now holds ``counted + (position now - snapshot)``, and the
position must move by ``counted - snapshot``, whatever happened since. Applying
``counted - position now`` instead would undo every sale made during the count.

Values: a shortage leaves at the moving average at approval; a surplus comes in at it too
(or, on an item empty by then, at the snapshot's average, else the last receipt's unit
cost). With no cost known at all, the count is refused at submission with the item named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import inventory
from kopdes.domain.ledger import LineDraft
from kopdes.domain.units import UnitError, parse_quantity, tidy
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import SubledgerKind
from kopdes.platform.approvals import services as approvals
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import role_label
from kopdes.store import hooks
from kopdes.store.errors import ItemErrors, StoreError
from kopdes.store.models import (
    BusinessUnit,
    Item,
    StockCount,
    StockCountLine,
    StockMovement,
    StockPosition,
)
from kopdes.store.services._common import _role
from kopdes.store.services.stock import as_store_errors, position_of, pure

COUNT = "store.count_stock"
APPROVE = "store.approve_count"
# Where a count's differences go: the operating expense "beban usaha", as the chart has no
# account of its own for them (ledger/chart.py); the line carries the unit's business_unit.
DIFFERENCE_ACCOUNT = chart.OPERATING_EXPENSE


def start_count(
    koperasi,
    *,
    actor,
    business_unit: BusinessUnit,
    at: dt.datetime | None = None,
    source_address: str = "",
) -> StockCount:
    """Open a count of ``business_unit``: one line per goods item with its position now.
    One open count per unit (started and not yet approved or rejected)."""
    role = _role(actor, koperasi, COUNT)
    if business_unit.koperasi_id != koperasi.pk:
        raise StoreError(_("Business unit not found."), field="business_unit")
    if not business_unit.sells_goods or not business_unit.is_active:
        raise StoreError(
            _("Only a running unit that sells goods has stock to count."), field="business_unit"
        )
    now = at or timezone.now()
    try:
        with transaction.atomic():
            lock_chain(ledger.lock_name(koperasi))
            number = (
                StockCount.objects.filter(koperasi=koperasi).aggregate(n=Max("number"))["n"] or 0
            ) + 1
            count = StockCount.objects.create(
                koperasi=koperasi,
                business_unit=business_unit,
                number=number,
                date=koperasi.today(),
                snapshot_at=now,
                proposed_by=actor,
                proposed_at=now,
            )
            positions = {
                p.item_id: p
                for p in StockPosition.objects.filter(
                    koperasi=koperasi, business_unit=business_unit
                )
            }
            items = Item.objects.filter(
                koperasi=koperasi, business_unit=business_unit, is_service=False
            ).filter(Q(is_active=True) | Q(pk__in=[i for i, p in positions.items() if p.quantity]))
            lines = [
                StockCountLine(
                    koperasi=koperasi,
                    count=count,
                    item=item,
                    snapshot_quantity=positions[item.pk].quantity if item.pk in positions else 0,
                    snapshot_value=positions[item.pk].value if item.pk in positions else 0,
                )
                for item in items
            ]
            if not lines:
                raise StoreError(
                    _("This unit has no goods in the catalog to count."), field="business_unit"
                )
            StockCountLine.objects.bulk_create(lines, batch_size=500)
            record(
                "store.stock_count.started",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=count,
                summary={"number": number, "unit": business_unit.name, "items": len(lines)},
                source_address=source_address,
            )
    except IntegrityError:
        raise StoreError(
            _("A stock count of this unit is already open: finish or decide it first."),
            field="business_unit",
        ) from None
    return count


def _open(count: StockCount) -> None:
    if count.state != ProposalState.PENDING:
        raise StoreError(_("This stock count has already been decided."), field="count")
    if count.submitted_at is not None:
        raise StoreError(
            _("This stock count has been submitted; it can no longer be changed."),
            field="count",
        )


def cancel_count(count: StockCount, *, actor, source_address: str = "") -> StockCount:
    """Drop a count before it is submitted (started by mistake, or to start again): it is
    closed as rejected with no checker (nothing was proposed yet), and the unit can be
    counted again. A submitted count is decided in the inbox instead."""
    koperasi = count.koperasi
    role = _role(actor, koperasi, COUNT)
    _open(count)
    note = _("Cancelled before it was submitted.")
    with transaction.atomic():
        updated = StockCount.objects.filter(
            pk=count.pk, state=ProposalState.PENDING, submitted_at__isnull=True
        ).update(state=ProposalState.REJECTED, decided_at=timezone.now(), decision_note=note)
        if not updated:
            raise StoreError(
                _("This stock count has been submitted; it can no longer be changed."),
                field="count",
            )
        record(
            "store.stock_count.cancelled",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=count,
            summary={"number": count.number, "unit": count.business_unit.name},
            source_address=source_address,
        )
    count.refresh_from_db()
    return count


def parse_count(item: Item, text: Any) -> int:
    """What an officer typed for ``item`` (its base unit) as whole stock units (0 allowed)."""
    try:
        units = item.units()
        quantity = parse_quantity(str(text), units.base, allow_zero=True)
        return units.to_stock(quantity, units.base)
    except UnitError as exc:
        raise StoreError(str(exc), field="counted") from exc


def save_counts(
    count: StockCount,
    *,
    actor,
    counts: dict[str, Any],
    source_address: str = "",
) -> int:
    """Save what was counted: ``counts`` maps a line's id to the typed quantity in the
    item's base unit ("" or None: not counted yet, left as it was). Every problem is
    reported at once (``ItemErrors`` with the field ``line-<id>``); nothing is saved on
    any. Returns how many lines were saved."""
    koperasi = count.koperasi
    role = _role(actor, koperasi, COUNT)
    _open(count)
    wanted = {str(k): v for k, v in counts.items() if v is not None and str(v).strip() != ""}
    if not wanted:
        return 0
    lines = {
        str(line.pk): line
        for line in StockCountLine.objects.filter(
            koperasi=koperasi, count=count, pk__in=list(wanted)
        ).select_related("item")
    }
    errors: list[tuple[str, str]] = []
    parsed: dict[str, int] = {}
    for line_id, text in wanted.items():
        line = lines.get(line_id)
        if line is None:
            errors.append(("count", _("A counted item is not on this count sheet.")))
            continue
        try:
            parsed[line_id] = parse_count(line.item, text)
        except StoreError as exc:
            errors.append((f"line-{line_id}", f"{line.item.name}: {exc.message}"))
    if errors:
        raise ItemErrors(errors=errors)
    now = timezone.now()
    with transaction.atomic():
        # The state again under a row lock: a submit racing this save wins or loses whole.
        fresh = StockCount.objects.select_for_update().get(pk=count.pk)
        _open(fresh)
        changed = []
        for line_id, stock in parsed.items():
            line = lines[line_id]
            line.counted, line.counted_at, line.counted_by = stock, now, actor
            changed.append(line)
        StockCountLine.objects.bulk_update(changed, ["counted", "counted_at", "counted_by"])
        record(
            "store.stock_count.saved",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=count,
            summary={"number": count.number, "lines": len(changed)},
            source_address=source_address,
        )
    return len(changed)


def _unit_cost(line: StockCountLine, current: inventory.StockPosition) -> Fraction | None:
    """Sen per stock unit a difference is valued at: the average now, else the snapshot's,
    else the last receipt's unit cost; None when nothing ever gave the item a cost."""
    if current.average_cost is not None:
        return current.average_cost
    if line.snapshot_quantity:
        return Fraction(line.snapshot_value, line.snapshot_quantity)
    last = (
        StockMovement.objects.filter(
            koperasi_id=line.koperasi_id,
            item_id=line.item_id,
            kind__in=["receipt", "transfer_in", "adjustment_in"],
        )
        .order_by("-created_at", "-id")
        .values_list("quantity", "value")
        .first()
    )
    if last is None or not last[0]:
        return None
    return Fraction(last[1], last[0])


@dataclass(frozen=True)
class Difference:
    """One line's difference as a count shows it (quantity in stock units, signed)."""

    line: StockCountLine
    quantity: int
    value: int  # signed sen at the moving average


def differences(count: StockCount) -> list[Difference]:
    """The counted lines whose count differs from the snapshot, valued now (an estimate
    before approval: the average may still move)."""
    lines = [
        line
        for line in count.lines.select_related("item").order_by("item__name")
        if line.counted is not None and line.counted != line.snapshot_quantity
    ]
    positions = {
        p.item_id: p
        for p in StockPosition.objects.filter(
            koperasi_id=count.koperasi_id, item_id__in=[line.item_id for line in lines]
        )
    }
    found = []
    for line in lines:
        held = positions.get(line.item_id)
        current = (
            inventory.StockPosition(held.quantity, held.value)
            if held
            else inventory.StockPosition()
        )
        cost = _unit_cost(line, current)
        d = line.counted - line.snapshot_quantity
        value = None if cost is None else inventory.round_half_up(cost * abs(d))
        found.append(Difference(line, d, value if value is None else (value if d > 0 else -value)))
    return found


def submit_count(
    count: StockCount, *, actor, reason: str = "", source_address: str = ""
) -> StockCount:
    """Every line counted: the count goes to the approvals inbox with its differences
    valued at the moving average. Refused, nothing written, while a line is uncounted or
    a surplus has no cost to value it at."""
    koperasi = count.koperasi
    role = _role(actor, koperasi, COUNT)
    _open(count)
    reason = " ".join(str(reason or "").split())[:300]
    missing = count.lines.filter(counted__isnull=True).count()
    if missing:
        raise StoreError(
            _("%(n)d item(s) have not been counted yet: type 0 for an item that is not there.")
            % {"n": missing},
            field="count",
        )
    found = differences(count)
    no_cost = [d.line.item.name for d in found if d.value is None]
    if no_cost:
        raise StoreError(
            _(
                "No cost is known for %(items)s (never received): record the goods received "
                "with their cost instead of counting them in."
            )
            % {"items": ", ".join(no_cost[:5])},
            field="count",
        )
    now = timezone.now()
    with transaction.atomic():
        fresh = StockCount.objects.select_for_update().get(pk=count.pk)
        _open(fresh)
        # The rules of the apps built on the store may refuse a difference already now
        # (the apotek: a surplus of batch-kept goods); nothing is recorded yet.
        for d in found:
            hooks.prepare_movement(
                koperasi, actor=actor, day=koperasi.today(), item=d.line.item,
                kind="adjustment_in" if d.quantity > 0 else "adjustment_out",
                quantity=abs(d.quantity),
            )  # fmt: skip
        for d in found:
            d.line.difference_value = d.value
        StockCountLine.objects.bulk_update([d.line for d in found], ["difference_value"])
        count.shortage_value = -sum(d.value for d in found if d.value < 0)
        count.surplus_value = sum(d.value for d in found if d.value > 0)
        count.submitted_at = now
        count.proposed_at = now  # the inbox counts its age from the submission
        count.reason = reason
        count.save(
            update_fields=[
                "shortage_value",
                "surplus_value",
                "submitted_at",
                "proposed_at",
                "reason",
            ]
        )
        record(
            "store.stock_count.submitted",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=count,
            summary={
                "number": count.number,
                "differences": len(found),
                "shortage": count.shortage_value,
                "surplus": count.surplus_value,
            },
            source_address=source_address,
        )
    return count


def _check_not_counter(count: StockCount, actor) -> None:
    """Four eyes over the whole count: whoever typed a count of it does not decide it,
    even when another officer started it."""
    if StockCountLine.objects.filter(count=count, counted_by=actor).exists():
        raise PermissionDeniedError(
            _("An officer who counted this stock cannot approve or reject it; another must.")
        )


def _submitted(count: StockCount) -> None:
    if count.submitted_at is None:
        raise StoreError(_("This stock count has not been submitted yet."), field="count")


def approve_count(count: StockCount, *, actor, source_address: str = "") -> StockCount:
    """Another officer approves: each difference is applied to the position now and the
    whole count posts as one entry, in one transaction (exactly once: ``settle``)."""
    roles = approvals.check_decider(count, actor, APPROVE)
    _check_not_counter(count, actor)
    _submitted(count)
    koperasi = count.koperasi
    unit = count.business_unit
    day = koperasi.today()
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        approvals.settle(count, actor=actor, state=ProposalState.APPROVED)
        lines = [
            line
            for line in count.lines.select_related("item").order_by("item__name")
            if line.counted is not None and line.counted != line.snapshot_quantity
        ]
        positions = {
            p.item_id: p
            for p in StockPosition.objects.select_for_update().filter(
                koperasi=koperasi, item_id__in=[line.item_id for line in lines]
            )
        }
        moved: list[tuple[StockCountLine, StockPosition, inventory.Movement]] = []
        for line in lines:
            position = positions.get(line.item_id) or position_of(koperasi, line.item)
            current = pure(position)
            target = current.quantity + line.counted - line.snapshot_quantity
            if target < 0:
                raise StoreError(
                    _(
                        "%(item)s: %(short)s short in the count, but only %(now)s left in "
                        "stock now. Count it again."
                    )
                    % {
                        "item": line.item.name,
                        "short": line.snapshot_quantity - line.counted,
                        "now": current.quantity,
                    },
                    field="count",
                )
            movement = inventory.adjust_to_count(
                current, target, unit_cost=_unit_cost(line, current)
            )
            if movement is not None:
                moved.append((line, position, movement))
        # The rules of the apps built on the store (the apotek's batches), before any write.
        rules = [
            hooks.prepare_movement(
                koperasi, actor=actor, kind=m.kind.value, item=line.item, quantity=m.quantity,
                day=day,
            )
            for line, _p, m in moved
        ]  # fmt: skip
        shortage = sum(m.value for _l, _p, m in moved if not m.kind.incoming)
        surplus = sum(m.value for _l, _p, m in moved if m.kind.incoming)
        entry = None
        if shortage or surplus:
            drafts = []
            for line, _p, m in moved:
                if not m.value:
                    continue
                side = LineDraft.debit if m.kind.incoming else LineDraft.credit
                drafts.append(
                    side(
                        unit.inventory_account,
                        m.value,
                        subledger_kind=SubledgerKind.INVENTORY,
                        subledger_ref=str(line.item_id),
                    )
                )
            net = shortage - surplus
            if net > 0:
                drafts.append(LineDraft.debit(DIFFERENCE_ACCOUNT, net))
            elif net < 0:
                drafts.append(LineDraft.credit(DIFFERENCE_ACCOUNT, -net))
            entry = ledger.post(
                koperasi,
                actor=actor,
                date=day,
                memo=(
                    _("Stock count #%(number)d differences: %(unit)s")
                    % {"number": count.number, "unit": unit.name}
                )[:200],
                lines=drafts,
                idempotency_key=f"store.count:{count.pk}",
                source="store.stock_count",
                source_ref=str(count.pk),
                business_unit=unit.ledger_unit,
                audited_by_caller=True,
            )
        creator = actor if actor is not None and actor.is_authenticated else None
        for (line, position, m), prepared in zip(moved, rules, strict=True):
            position.quantity, position.value = m.after.quantity, m.after.value
            position.save()
            line.movement = StockMovement.objects.create(
                koperasi=koperasi,
                item=line.item,
                business_unit=unit,
                kind=m.kind.value,
                quantity=m.quantity,
                value=m.value,
                quantity_after=m.after.quantity,
                value_after=m.after.value,
                date=day,
                entry=entry if m.value else None,
                memo=str(count)[:200],
                created_by=creator,
            )
            prepared.record(movement=line.movement)
            line.difference_value = m.signed_value
        StockCountLine.objects.bulk_update(
            [line for line, _p, _m in moved], ["movement", "difference_value"]
        )
        count.entry = entry
        count.shortage_value, count.surplus_value = shortage, surplus
        count.save(update_fields=["entry", "shortage_value", "surplus_value"])
        record(
            "store.stock_count.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles, APPROVE),
            obj=count,
            summary={
                "number": count.number,
                "unit": unit.name,
                "movements": len(moved),
                "shortage": shortage,
                "surplus": surplus,
                "entry": entry.number if entry else None,
            },
            source_address=source_address,
        )
    return count


def reject_count(
    count: StockCount, *, actor, note: str = "", source_address: str = ""
) -> StockCount:
    """Another officer turns the count down: nothing moves; the unit may be counted again."""
    approvals.check_decider(count, actor, APPROVE)
    _check_not_counter(count, actor)
    _submitted(count)
    return approvals.reject(
        count,
        actor=actor,
        permission=APPROVE,
        note=" ".join(str(note or "").split()),
        action="store.stock_count.rejected",
        summary={"number": count.number, "unit": count.business_unit.name},
        source_address=source_address,
    )


def shown_quantity(item: Item, stock: int) -> str:
    """``stock`` stock units of ``item`` in its base unit, as typed ("1,5")."""
    return str(tidy(Decimal(stock) / item.units().price_per)).replace(".", ",")
