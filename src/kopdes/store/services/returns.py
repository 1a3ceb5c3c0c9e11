"""Voids and returns of a sale, maker-checker through the approvals inbox.

A cashier proposes (``propose_void``: the whole sale, the day it was rung up;
``propose_return``: some of its lines, never more than sold less what came back already);
another officer with ``store.approve_return`` approves or rejects (``approvals.services``:
``check_decider``, ``settle``, ``reject``; the database refuses a checker who is the maker).

Approval, in one transaction under the koperasi's ledger lock:

- a void posts the mirror of the sale's entry (``reverses`` it): every payment back to
  where it came from (Kas, the member's bon, QRIS clearing), revenue reversed, HPP back
  into Persediaan at exactly the sale's cost;
- a return posts, per business unit, the revenue of the returned quantities (member or
  non-member, as the sale) debited, their HPP credited and Persediaan debited per item at
  the sale's cost (``domain.inventory.returned_cost``: exact over several partial returns);
  the refund first takes the sale's bon off the member's bon, the rest is paid from Kas;
- goods come back into stock as movements of kind ``sale_return`` (services have none);
- the cash refunded leaves the drawer of the proposer's open shift (her till), which the
  shift's expected cash then counts.

A second approval gets ``AlreadyDecidedError`` (409) and posts nothing; the entry's key
(``store.return:<id>``) makes a replay post nothing either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import inventory
from kopdes.domain import sale as sale_rules
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import allocate_by_weights
from kopdes.ledger import selectors as ledger_selectors
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import SubledgerKind
from kopdes.platform.approvals import services as approvals
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import role_label
from kopdes.store import hooks
from kopdes.store.errors import StoreError
from kopdes.store.models import (
    ReturnKind,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    StockMovement,
    StockPosition,
)
from kopdes.store.payments import get_method
from kopdes.store.services._common import _role
from kopdes.store.services.shifts import open_shift_of
from kopdes.store.services.stock import as_store_errors, position_of, pure, stock_quantity

PROPOSE = "store.propose_return"
APPROVE = "store.approve_return"
REASON_MAX = 300


def returned_quantities(
    sale: Sale, *, pending: bool = False, exclude: SaleReturn | None = None
) -> dict[Any, int]:
    """Per sale line id, the stock units that came back by approved returns (and, with
    ``pending``, those waiting for approval too), leaving out ``exclude``."""
    states = [ProposalState.APPROVED] + ([ProposalState.PENDING] if pending else [])
    rows = SaleReturnLine.objects.filter(
        koperasi_id=sale.koperasi_id,
        sale_return__sale=sale,
        sale_return__state__in=states,
    )
    if exclude is not None:
        rows = rows.exclude(sale_return=exclude)
    rows = rows.values("sale_line_id").annotate(q=Sum("quantity"))
    return {r["sale_line_id"]: r["q"] for r in rows}


def _reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise StoreError(_("Please write the reason."), field="reason")
    if len(text) > REASON_MAX:
        raise StoreError(
            _("The reason may be at most %(n)d characters.") % {"n": REASON_MAX}, field="reason"
        )
    return text


def _check_open(sale: Sale) -> None:
    """No other proposal waits on the sale, and it was not voided."""
    others = SaleReturn.objects.filter(koperasi_id=sale.koperasi_id, sale=sale)
    if others.filter(state=ProposalState.PENDING).exists():
        raise StoreError(
            _("A void or return of this sale is already waiting for approval."), field="sale"
        )
    if others.filter(kind=ReturnKind.VOID, state=ProposalState.APPROVED).exists():
        raise StoreError(_("This sale has already been voided."), field="sale")


def _create(sale: Sale, *, actor, role, kind, reason, lines: list[tuple[SaleLine, int, int]]):
    amount = sum(a for _l, _q, a in lines)
    if amount <= 0:
        raise StoreError(_("The items returned are worth nothing to refund."), field="lines")
    try:
        with transaction.atomic():
            proposal = SaleReturn.objects.create(
                koperasi=sale.koperasi,
                kind=kind,
                sale=sale,
                amount=amount,
                reason=reason,
                proposed_by=actor,
                proposed_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise StoreError(
            _("A void or return of this sale is already waiting for approval."), field="sale"
        ) from exc
    SaleReturnLine.objects.bulk_create(
        [
            SaleReturnLine(
                koperasi=sale.koperasi, sale_return=proposal, sale_line=line, quantity=q, amount=a
            )
            for line, q, a in lines
        ]
    )
    record(
        f"store.sale_{kind}.proposed",
        actor=actor,
        koperasi=sale.koperasi,
        role=role,
        obj=proposal,
        summary={
            "sale": sale.number,
            "amount": amount,
            "lines": [[line.item.name, q] for line, q, _a in lines],
            "reason": reason,
        },
    )
    return proposal


def propose_void(sale: Sale, *, actor, reason: str) -> SaleReturn:
    """Ask a second officer to void the whole ``sale``: only on the day it was rung up,
    not after a return of it, not twice."""
    koperasi = sale.koperasi
    role = _role(actor, koperasi, PROPOSE)
    text = _reason(reason)
    with transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        sale = Sale.objects.get(koperasi=koperasi, pk=sale.pk)
        _check_open(sale)
        if sale.date != koperasi.today():
            raise StoreError(
                _(
                    "A sale can be voided only on the day it was made (%(date)s); return its "
                    "items instead."
                )
                % {"date": sale.date.strftime("%d/%m/%Y")},
                field="sale",
            )
        if returned_quantities(sale):
            raise StoreError(
                _("Part of this sale was returned already: return the remaining items instead."),
                field="sale",
            )
        lines = list(sale.lines.select_related("item").order_by("position"))
        return _create(
            sale,
            actor=actor,
            role=role,
            kind=ReturnKind.VOID,
            reason=text,
            lines=[(x, x.quantity, x.net) for x in lines],
        )


def propose_return(sale: Sale, *, actor, quantities: Mapping[Any, Any], reason: str) -> SaleReturn:
    """Ask a second officer to take back some of ``sale``'s lines: ``quantities`` maps a
    sale line (or its id) to the quantity returned, in the item's base unit (a number or
    typed text; empty or 0 = none of it). Each at most what was sold less what came back or
    waits to come back; whole where the unit is whole."""
    koperasi = sale.koperasi
    role = _role(actor, koperasi, PROPOSE)
    text = _reason(reason)
    with transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        sale = Sale.objects.get(koperasi=koperasi, pk=sale.pk)
        _check_open(sale)
        by_id = {str(x.pk): x for x in sale.lines.select_related("item").order_by("position")}
        asked: dict[str, Any] = {}
        for key, value in quantities.items():
            ref = str(getattr(key, "pk", key))
            if ref not in by_id:
                raise StoreError(_("That line is not part of this sale."), field="lines")
            if value is None or str(value).strip() in ("", "0"):
                continue
            asked[ref] = value
        if not asked:
            raise StoreError(_("Type the quantity returned of at least one item."), field="lines")
        before = returned_quantities(sale, pending=True)
        chosen = []
        for ref, line in by_id.items():
            if ref not in asked:
                continue
            try:
                quantity = stock_quantity(line.item, asked[ref])
            except StoreError as exc:
                raise StoreError(f"{line.item.name}: {exc.message}", field="lines") from exc
            try:
                amount = inventory.returned_cost(
                    line.quantity, line.net, returned_before=before.get(line.pk, 0),
                    quantity=quantity,
                )  # fmt: skip
            except inventory.InventoryError as exc:
                raise StoreError(f"{line.item.name}: {exc.message}", field="lines") from exc
            chosen.append((line, quantity, amount))
        return _create(
            sale, actor=actor, role=role, kind=ReturnKind.RETURN, reason=text, lines=chosen
        )


def approve_sale_return(proposal: SaleReturn, *, actor) -> SaleReturn:
    """A second officer approves: the entry, the stock back, the refund (see the module).
    Never the maker (``PermissionDeniedError``); decided once (``AlreadyDecidedError``)."""
    koperasi = proposal.koperasi
    roles = approvals.check_decider(proposal, actor, APPROVE)
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        rv = SaleReturn.objects.select_related("sale", "sale__member", "sale__entry").get(
            koperasi=koperasi, pk=proposal.pk
        )
        approvals.settle(rv, actor=actor, state=ProposalState.APPROVED)
        sale = rv.sale
        others = SaleReturn.objects.filter(koperasi=koperasi, sale=sale).exclude(pk=rv.pk)
        if others.filter(kind=ReturnKind.VOID, state=ProposalState.APPROVED).exists():
            raise StoreError(_("This sale has already been voided."), field="sale")
        before = returned_quantities(sale, exclude=rv)  # approved before this one
        if rv.kind == ReturnKind.VOID and before:
            raise StoreError(
                _("Part of this sale was returned already: return the remaining items instead."),
                field="sale",
            )
        lines = list(rv.lines.select_related("sale_line", "sale_line__item",
                                             "sale_line__business_unit"))  # fmt: skip
        costs: dict[Any, int] = {}
        for x in lines:
            sold = x.sale_line
            try:
                costs[x.pk] = inventory.returned_cost(
                    sold.quantity, sold.cost, returned_before=before.get(sold.pk, 0),
                    quantity=x.quantity,
                )  # fmt: skip
            except inventory.InventoryError as exc:
                raise StoreError(f"{sold.item.name}: {exc.message}", field="lines") from exc
        # Consigned goods (store.hooks): their cost goes back to the consignor's account.
        outside = hooks.outside_on_return(koperasi, [x.sale_line for x in lines])
        day = koperasi.today()
        by_method = _refunds(rv, sale, lines)
        shift = open_shift_of(koperasi, rv.proposed_by) if by_method.get("cash") else None
        what = _("Void") if rv.kind == ReturnKind.VOID else _("Return")
        memo = f"{what} #{sale.number}: {rv.reason}"[:200]
        if rv.kind == ReturnKind.VOID:
            entry_lines = ledger_selectors.mirrored_lines(sale.entry)
        else:
            entry_lines = _return_lines(sale, lines, costs, by_method, outside)
        entry = ledger.post(
            koperasi,
            actor=actor,
            date=day,
            memo=memo,
            lines=entry_lines,
            idempotency_key=f"store.return:{rv.pk}",
            source="store.sale_return",
            source_ref=str(sale.pk),
            reverses=sale.entry if rv.kind == ReturnKind.VOID else None,
            audited_by_caller=True,
        )
        _stock_back(koperasi, actor, rv, sale, lines, costs, entry, day, outside)
        for x in lines:
            x.cost = costs[x.pk]
        SaleReturnLine.objects.bulk_update(lines, ["cost"])
        fields = {
            "cost": sum(costs.values()),
            "cash_refund": by_method.get("cash", 0),
            "bon_refund": by_method.get(sale_rules.BON, 0),
            "other_refund": sum(a for m, a in by_method.items() if m not in ("cash", "bon")),
            "entry": entry,
            "shift": shift,
            "date": day,
        }
        SaleReturn.objects.filter(pk=rv.pk).update(**fields)
        for name, value in fields.items():
            setattr(rv, name, value)
        record(
            f"store.sale_{rv.kind}.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles, APPROVE),
            obj=rv,
            summary={
                "sale": sale.number,
                "amount": rv.amount,
                "cost": fields["cost"],
                "cash_refund": fields["cash_refund"],
                "bon_refund": fields["bon_refund"],
                "entry": entry.number,
            },
        )
    return rv


def reject_sale_return(proposal: SaleReturn, *, actor, reason: str = "") -> SaleReturn:
    """A second officer turns the void or return down: nothing moves; the rejection and
    its reason are kept on the proposal and audited."""
    note = (reason or "")[:REASON_MAX]
    return approvals.reject(
        proposal,
        actor=actor,
        permission=APPROVE,
        note=note,
        action=f"store.sale_{proposal.kind}.rejected",
        summary={"sale": proposal.sale.number, "amount": proposal.amount},
    )


def _refunds(rv: SaleReturn, sale: Sale, lines) -> dict[str, int]:
    """Where the refund goes, per payment method. A void: each payment back in full. A
    return: off the member's bon first (what the sale put on bon less what earlier returns
    took off it), the rest in cash."""
    payments = {p.method: p.amount for p in sale.payments.all()}
    if rv.kind == ReturnKind.VOID:
        return payments
    earlier = (
        SaleReturn.objects.filter(
            koperasi_id=sale.koperasi_id, sale=sale, state=ProposalState.APPROVED
        )
        .exclude(pk=rv.pk)
        .aggregate(t=Sum("bon_refund"))["t"]
        or 0
    )
    bon = min(rv.amount, max(payments.get(sale_rules.BON, 0) - earlier, 0))
    return {k: v for k, v in ((sale_rules.BON, bon), ("cash", rv.amount - bon)) if v}


def _return_lines(sale: Sale, lines, costs, by_method, outside=None) -> list[LineDraft]:
    is_member = sale.member_id is not None
    units: dict[Any, Any] = {}
    amount_by_unit: dict[Any, int] = defaultdict(int)
    cost_by_unit: dict[Any, int] = defaultdict(int)
    out: list[LineDraft] = []
    for x in lines:
        unit = x.sale_line.business_unit
        units[unit.pk] = unit
        amount_by_unit[unit.pk] += x.amount
        cost_by_unit[unit.pk] += costs[x.pk]
    order = list(units)
    for pk in order:
        u = units[pk]
        revenue = u.revenue_member_account if is_member else u.revenue_public_account
        if amount_by_unit[pk]:
            out.append(LineDraft.debit(revenue, amount_by_unit[pk], business_unit=u.ledger_unit))
        if cost_by_unit[pk]:
            cost_account = u.cost_member_account if is_member else u.cost_public_account
            out.append(
                LineDraft.credit(cost_account, cost_by_unit[pk], business_unit=u.ledger_unit)
            )
    for x in lines:
        if costs[x.pk]:
            item, unit = x.sale_line.item, x.sale_line.business_unit
            owed = (outside or {}).get(x.sale_line_id)
            out.append(
                LineDraft.debit(
                    owed.account if owed else unit.inventory_account,
                    costs[x.pk],
                    subledger_kind=owed.subledger_kind if owed else SubledgerKind.INVENTORY,
                    subledger_ref=owed.subledger_ref if owed else str(item.pk),
                    business_unit=unit.ledger_unit,
                    memo=item.name[:200],
                )
            )
    weights = [amount_by_unit[pk] for pk in order]
    for method, amount in sorted(by_method.items()):
        spec = get_method(method)
        assert spec is not None
        for pk, share in zip(order, allocate_by_weights(amount, weights), strict=True):
            if share:
                out.append(
                    LineDraft.credit(
                        spec.account(units[pk]), share, business_unit=units[pk].ledger_unit,
                        memo=method,
                    )
                )  # fmt: skip
    return out


def _stock_back(koperasi, actor, rv, sale, lines, costs, entry, day, outside=None) -> None:
    """Goods back into stock at the sale's cost, one movement per line (services: none);
    consigned goods (``outside``) at value 0, the consignor's again."""
    by = actor if actor is not None and actor.is_authenticated else None
    goods = [x for x in lines if not x.sale_line.item.is_service]
    items = {x.sale_line.item_id for x in goods}
    locked = {
        p.item_id: p
        for p in StockPosition.objects.select_for_update().filter(
            koperasi=koperasi, item_id__in=items
        )
    }
    # The rules of the apps built on the store (the apotek's batches), before any write.
    kind = inventory.MovementKind.SALE_RETURN.value
    prepared = [
        hooks.prepare_movement(
            koperasi, actor=actor, kind=kind, item=x.sale_line.item, quantity=x.quantity,
            day=day, sale_line=x.sale_line,
        )
        for x in goods
    ]  # fmt: skip
    movements = []
    for x in goods:
        item = x.sale_line.item
        row = locked.get(item.pk) or position_of(koperasi, item)
        value = 0 if x.sale_line_id in (outside or {}) else costs[x.pk]
        moved = inventory.return_from_customer(pure(row), x.quantity, value)
        row.quantity, row.value = moved.after.quantity, moved.after.value
        row.save()
        locked[item.pk] = row
        movements.append(
            StockMovement(
                koperasi=koperasi, item=item, business_unit_id=x.sale_line.business_unit_id,
                kind=inventory.MovementKind.SALE_RETURN.value, quantity=x.quantity,
                value=value, quantity_after=row.quantity, value_after=row.value, date=day,
                entry=entry, sale=sale, sale_return=rv, created_by=by,
                memo=rv.reason[:200],
            )
        )  # fmt: skip
    StockMovement.objects.bulk_create(movements)
    for rules, movement in zip(prepared, movements, strict=True):
        rules.record(movement=movement)
