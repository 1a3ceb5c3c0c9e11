"""The checkout: one sale at the counter, posted as ONE balanced journal entry.

Prices from the catalog (``domain.sale.choose_price``: the member price for a member),
stock issued at moving average (``domain.inventory.issue``: the HPP), payments checked by
``domain.sale.settle_payments`` through the payment-method registry (``store.payments``).
The entry: each payment's account debited (Kas of the selling unit, Piutang bon 1-1400 ...)
and, per business unit, its revenue (member / non-member) credited, its HPP debited and
Persediaan credited per item (sub-ledger ``inventory``). Every refusal is decided before
anything is written; the whole checkout runs under the koperasi's ledger lock, so two
tills never sell the same last piece.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import inventory
from kopdes.domain import sale as rules
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import allocate_by_weights
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import SubledgerKind
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.idempotency import replayed
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.platform.tenancy.services import clean_adart
from kopdes.store import hooks
from kopdes.store.errors import StoreError
from kopdes.store.models import (
    BonRepayment,
    BusinessUnit,
    Item,
    Sale,
    SaleLine,
    SalePayment,
    SaleReturn,
    StockMovement,
    StockPosition,
)
from kopdes.store.payments import get_method
from kopdes.store.services.shifts import open_shift_of
from kopdes.store.services.stock import as_store_errors, position_of, pure, stock_quantity

PERMISSION = "store.sell"
BELOW_COST = "store.sell_below_cost"
MAX_LINES = 200


def bon_limit(koperasi) -> int:
    """The AD/ART's member credit (bon) limit, sen (``AdArt.bon_limit``, default
    Rp500.000; 0 = no bon). A stored setting outside the rules refuses with its message."""
    return clean_adart(koperasi.adart_settings).bon_limit


def current_bon(koperasi, member) -> int:
    """The member's bon outstanding: what her sales put on bon, less her repayments
    (``BonRepayment``), less the bon refunded by approved voids and returns."""
    sold = SalePayment.objects.filter(koperasi=koperasi, member=member, method=rules.BON).aggregate(
        t=Sum("amount")
    )["t"]
    repaid = BonRepayment.objects.filter(koperasi=koperasi, member=member).aggregate(
        t=Sum("amount")
    )["t"]
    refunded = SaleReturn.objects.filter(
        koperasi=koperasi, sale__member=member, state=ProposalState.APPROVED
    ).aggregate(t=Sum("bon_refund"))["t"]
    return (sold or 0) - (repaid or 0) - (refunded or 0)


@dataclass(frozen=True)
class _Line:
    item: Item
    quantity: int  # stock units
    price: int  # sen per ``per`` stock units
    per: int
    discount: int
    override: bool
    data: Mapping[str, Any]  # the caller's line (keys read by store.hooks rules)


def _line_error(index: int, item: Item | None, message: str) -> StoreError:
    where = f"{item.name}" if item is not None else _("line %(n)d") % {"n": index}
    return StoreError(f"{where}: {message}", field="lines")


def _parse_lines(koperasi, lines: Sequence[Mapping[str, Any]], *, is_member: bool) -> list[_Line]:
    if not lines:
        raise StoreError(_("The sale has no items yet."), field="lines")
    if len(lines) > MAX_LINES:
        raise StoreError(_("Too many lines in one sale."), field="lines")
    ids: list[str] = []
    for raw in lines:
        ref = raw.get("item")
        ref = ref.pk if isinstance(ref, Item) else ref
        try:
            ids.append(str(uuid.UUID(str(ref))))
        except ValueError:
            ids.append("")
    items = {
        str(i.pk): i
        for i in Item.objects.filter(
            koperasi=koperasi, pk__in=[x for x in ids if x]
        ).select_related("business_unit")
    }
    out = []
    for i, (raw, ref) in enumerate(zip(lines, ids, strict=True), start=1):
        item = items.get(str(ref))
        if item is None or not item.is_active or not item.business_unit.is_active:
            raise _line_error(i, None, _("item not found in this koperasi's catalog."))
        try:
            quantity = stock_quantity(item, raw.get("quantity"), raw.get("unit"))
        except StoreError as exc:
            raise _line_error(i, item, exc.message) from exc
        per = item.units().price_per
        price = raw.get("price")
        override = price is not None
        if not override:
            price = rules.choose_price(
                is_member=is_member, member_price=item.member_price, public_price=item.public_price
            )
        if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
            raise _line_error(i, item, _("the price must be a whole amount above zero."))
        discount = raw.get("discount", 0) or 0
        if isinstance(discount, bool) or not isinstance(discount, int) or discount < 0:
            raise _line_error(i, item, _("the discount must be a whole amount of zero or more."))
        out.append(_Line(item, quantity, price, per, discount, override, raw))
    return out


def _fingerprint(parsed: list[_Line], member, payments, sale_discount: int) -> str:
    content = {
        "lines": [[str(x.item.pk), x.quantity, x.price, x.discount] for x in parsed],
        "member": str(member.pk) if member else "",
        "payments": sorted([str(p.method).strip().lower(), p.amount] for p in payments),
        "discount": sale_discount,
    }
    # What the registered rules read of each line (a prescription number ...), only when
    # given: a sale without them keeps the digest it always had.
    keys = hooks.line_keys()
    extras = [
        [i, k, " ".join(str(x.data[k]).split())]
        for i, x in enumerate(parsed, start=1)
        for k in keys
        if x.data.get(k) not in (None, "")
    ]
    if extras:
        content["extras"] = extras
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _payments(payments: Sequence[rules.Payment | Mapping[str, Any]]) -> list[rules.Payment]:
    out = []
    for p in payments:
        if isinstance(p, rules.Payment):
            out.append(p)
        else:
            out.append(rules.Payment(str(p.get("method", "")), p.get("amount")))
    return out


def checkout(
    koperasi,
    *,
    actor,
    lines: Sequence[Mapping[str, Any]],
    member=None,
    payments: Sequence[rules.Payment | Mapping[str, Any]],
    idempotency_key: str,
    sale_discount: int = 0,
    date: dt.date | None = None,
) -> Sale:
    """Ring up a sale and post it. ``lines``: dicts with ``item`` (an ``Item`` or its id),
    ``quantity`` (number or typed text, in ``unit``, default the item's base unit), and
    optionally ``price`` (sen per base unit, instead of the catalog's) and ``discount``
    (sen on the line). ``payments``: ``domain.sale.Payment`` or dicts (method, amount).

    The same ``idempotency_key`` with the same content returns the first sale
    (``sale.replayed``); with other content ``ConflictError`` (409). Refusals
    (``StoreError``, Bahasa Indonesia) write nothing.
    """
    roles = require_perm(actor, koperasi, PERMISSION)
    role = role_label(roles, PERMISSION)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 150:
        raise StoreError(_("A valid idempotency key is required."), field="idempotency_key")
    if member is not None and (member.koperasi_id != koperasi.pk or not member.is_active):
        raise StoreError(_("Member not found or not active."), field="member")
    is_member = member is not None
    parsed = _parse_lines(koperasi, lines, is_member=is_member)
    pays = _payments(payments)
    fingerprint = _fingerprint(parsed, member, pays, sale_discount)
    day = date or koperasi.today()
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        existing = replayed(
            Sale,
            koperasi,
            key,
            fingerprint,
            conflict=lambda sale: (
                _(
                    "This idempotency key was already used for sale %(number)s with "
                    "different content. Nothing was recorded."
                )
                % {"number": sale.number}
            ),
        )
        if existing is not None:
            existing.replayed = True
            return existing
        sale = _ring_up(
            koperasi,
            actor=actor,
            roles=roles,
            parsed=parsed,
            member=member,
            pays=pays,
            sale_discount=sale_discount,
            day=day,
            key=key,
            fingerprint=fingerprint,
        )
        record(
            "store.sale.completed",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=sale,
            summary={
                "number": sale.number,
                "total": sale.total,
                "cost": sale.cost,
                "member": member.number if member else None,
                "payments": {p.method: p.amount for p in sale.payment_rows},
                "entry": sale.entry.number,
            },
        )
    sale.replayed = False
    return sale


def _ring_up(
    koperasi, *, actor, roles, parsed, member, pays, sale_discount, day, key, fingerprint
) -> Sale:
    is_member = member is not None
    goods = [x.item for x in parsed if not x.item.is_service]
    locked = {
        p.item_id: p
        for p in StockPosition.objects.select_for_update().filter(koperasi=koperasi, item__in=goods)
    }
    positions: dict[Any, StockPosition] = {}
    running: dict[Any, inventory.StockPosition] = {}
    for item in goods:
        row = locked.get(item.pk) or position_of(koperasi, item)
        positions[item.pk] = row
        running[item.pk] = pure(row)
    issued: list[inventory.Movement | None] = []
    inputs = []
    # Goods the koperasi does not own (consigned: store.hooks) add what it owes for them.
    outside = hooks.outside_costs(koperasi, parsed, day=day)
    for i, x in enumerate(parsed):
        cost = outside[i].amount if i in outside else None
        if not x.item.is_service:
            try:
                movement = inventory.issue(running[x.item.pk], x.quantity)
            except inventory.InventoryError as exc:
                raise StoreError(f"{x.item.name}: {exc.message}", field="lines") from exc
            running[x.item.pk] = movement.after
            issued.append(movement)
            cost = movement.value + (cost or 0)
        else:
            issued.append(None)
        inputs.append(rules.LineInput(x.quantity, x.price, x.per, x.discount, cost))
    try:
        totals = rules.price_sale(inputs, sale_discount=sale_discount)
        rules.check_below_cost(totals, may_sell_below_cost=has_perm(roles, BELOW_COST))
        for p in pays:
            code = rules.normalize_method(p.method)
            if get_method(code) is None:
                raise rules.SaleError(
                    _("Unknown payment method: %(m)s.") % {"m": code}, code="method"
                )
        owed = current_bon(koperasi, member) if is_member else 0
        settlement = rules.settle_payments(
            totals.total,
            pays,
            is_member=is_member,
            credit_limit=bon_limit(koperasi),
            current_bon=owed,
        )
    except rules.SaleError as exc:
        raise StoreError(exc.message, field=exc.field or "lines") from exc
    # The registered rules (store.hooks: the apotek's batches ...) may still refuse.
    prepared = hooks.prepare_checkout(
        koperasi,
        actor=actor,
        roles=roles,
        lines=[
            hooks.LineView(i, x.item, x.quantity, x.data, x.price, x.per)
            for i, x in enumerate(parsed, start=1)
        ],
        day=day,
    )

    # The entry, per business unit.
    units: dict[Any, BusinessUnit] = {}
    net_by_unit: dict[Any, int] = defaultdict(int)
    cost_by_unit: dict[Any, int] = defaultdict(int)
    inventory_by_item: dict[Any, int] = defaultdict(int)
    for i, (x, priced) in enumerate(zip(parsed, totals.lines, strict=True)):
        u = x.item.business_unit
        units[u.pk] = u
        net_by_unit[u.pk] += priced.net
        own = (priced.cost or 0) - (outside[i].amount if i in outside else 0)
        if priced.cost:
            cost_by_unit[u.pk] += priced.cost
        if own:
            inventory_by_item[x.item.pk] += own
    order = list(units)
    entry_lines: list[LineDraft] = []
    weights = [net_by_unit[pk] for pk in order]
    for method, amount in sorted(settlement.by_method.items()):
        spec = get_method(method)
        assert spec is not None
        shares = (
            allocate_by_weights(amount, weights)
            if sum(weights)
            else [amount] + [0] * (len(order) - 1)
        )
        for pk, share in zip(order, shares, strict=True):
            if share:
                entry_lines.append(
                    LineDraft.debit(
                        spec.account(units[pk]),
                        share,
                        business_unit=units[pk].ledger_unit,
                        memo=method,
                    )
                )
    for pk in order:
        u = units[pk]
        revenue = u.revenue_member_account if is_member else u.revenue_public_account
        if net_by_unit[pk]:
            entry_lines.append(
                LineDraft.credit(revenue, net_by_unit[pk], business_unit=u.ledger_unit)
            )
        if cost_by_unit[pk]:
            cost_account = u.cost_member_account if is_member else u.cost_public_account
            entry_lines.append(
                LineDraft.debit(cost_account, cost_by_unit[pk], business_unit=u.ledger_unit)
            )
    items_by_pk = {x.item.pk: x.item for x in parsed}
    for item_pk, amount in inventory_by_item.items():
        item = items_by_pk[item_pk]
        entry_lines.append(
            LineDraft.credit(
                item.business_unit.inventory_account,
                amount,
                subledger_kind=SubledgerKind.INVENTORY,
                subledger_ref=str(item_pk),
                business_unit=item.business_unit.ledger_unit,
                memo=item.name[:200],
            )
        )
    entry_lines += hooks.credit_lines(parsed, outside)
    number = (Sale.objects.filter(koperasi=koperasi).aggregate(n=Max("number"))["n"] or 0) + 1
    single = (
        units[order[0]].ledger_unit if len({u.ledger_unit for u in units.values()}) == 1 else ""
    )
    entry = ledger.post(
        koperasi,
        actor=actor,
        date=day,
        memo=_("Sale #%(number)d") % {"number": number} + (f" - {member.number}" if member else ""),
        lines=entry_lines,
        idempotency_key=f"store.sale:{key}",
        source="store.sale",
        business_unit=single,
        audited_by_caller=True,
    )
    cost = sum(inventory_by_item.values()) + sum(c.amount for c in outside.values())
    sale = Sale.objects.create(
        koperasi=koperasi,
        number=number,
        date=day,
        cashier=actor if actor is not None and actor.is_authenticated else None,
        member=member,
        gross=totals.gross,
        discount=totals.discount,
        total=totals.total,
        cost=cost,
        cash_tendered=settlement.cash_tendered,
        change=settlement.change,
        below_cost=totals.needs_below_cost_permission,
        entry=entry,
        idempotency_key=key,
        fingerprint=fingerprint,
        # The cashier's open shift at her till, if any (its cash counts in that drawer).
        shift=open_shift_of(koperasi, actor),
    )
    sale_lines = SaleLine.objects.bulk_create(
        [
            SaleLine(
                koperasi=koperasi, sale=sale, position=i, item=x.item,
                business_unit_id=x.item.business_unit_id, quantity=x.quantity, price=x.price,
                per=x.per, gross=p.gross, discount=p.discount, net=p.net, cost=p.cost or 0,
                below_cost=p.below_cost,
            )
            for i, (x, p) in enumerate(zip(parsed, totals.lines, strict=True), start=1)
        ]
    )  # fmt: skip
    sale.payment_rows = SalePayment.objects.bulk_create(
        [
            SalePayment(
                koperasi=koperasi,
                sale=sale,
                method=m,
                amount=a,
                member=member if m == rules.BON else None,
            )
            for m, a in sorted(settlement.by_method.items())
            if a
        ]
    )
    by = actor if actor is not None and actor.is_authenticated else None
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                koperasi=koperasi, item=x.item, business_unit_id=x.item.business_unit_id,
                kind=inventory.MovementKind.SALE.value, quantity=m.quantity, value=m.value,
                quantity_after=m.after.quantity, value_after=m.after.value, date=day,
                entry=entry, sale=sale, created_by=by,
            )
            for x, m in zip(parsed, issued, strict=True)
            if m is not None
        ]
    )  # fmt: skip
    # Every issued item had a stored position (an empty one refuses the sale).
    # One plain UPDATE per item: ``bulk_update``'s CASE over every row costs more than the
    # few positions a sale touches.
    now = timezone.now()
    for item_pk, row in positions.items():
        StockPosition.objects.filter(pk=row.pk).update(
            quantity=running[item_pk].quantity, value=running[item_pk].value, updated_at=now
        )
    prepared.record(sale=sale, lines=sale_lines)
    return sale
