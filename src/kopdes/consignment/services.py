"""Titip jual: terms per item, goods received from and returned to the consignor, the
consignor's share of each sale (the checkout's cost source), the monthly settlement
statement and the payout.

Posting. The consigned goods are the consignor's: their stock position holds quantity
only (value 0), so nothing of them is ever in Persediaan and ``store.stock`` reconciles
untouched. A sale of them (``store.services.checkout``) credits revenue at the sale price
and debits HPP with the consignor's share, credited to Utang konsinyasi 2-1310 on the
consignor's sub-ledger (``store.hooks``, registered from ``apps.py``): the line's gross
margin is the koperasi's commission. The payout debits that sub-ledger and credits the
unit's Kas. The share is computed per sale line by ``domain.consignment.settle_consignment``
on the line's own net (its price less its own discount; a discount on the whole sale is
the koperasi's, off its commission), rounded once per line; the statement adds up what
the sales booked, so the statement and the books agree to the sen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from kopdes.consignment.errors import ConsignmentError
from kopdes.consignment.models import (
    CommissionKind,
    ConsignmentMovement,
    ConsignmentPayout,
    ConsignmentTerms,
    Direction,
)
from kopdes.domain import consignment as rules
from kopdes.domain import inventory
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.domain.sale import SaleError, line_gross
from kopdes.domain.units import tidy
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import SubledgerKind
from kopdes.ledger.models import Account
from kopdes.platform.audit.services import record
from kopdes.platform.core.idempotency import replayed
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.store.errors import StoreError
from kopdes.store.hooks import OutsideCost
from kopdes.store.models import (
    BusinessUnit,
    Item,
    SaleLine,
    SaleReturnLine,
    StockMovement,
    StockPosition,
    Supplier,
)
from kopdes.store.services.stock import position_of, pure, stock_quantity

VIEW = "consignment.view"
MANAGE = "consignment.manage"
PAY = "consignment.pay"
MAX_KEY = 150


def _role(actor, koperasi, permission: str) -> str:
    return role_label(require_perm(actor, koperasi, permission), permission)


def _by(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _key(value: str) -> str:
    key = (value or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ConsignmentError(_("A valid idempotency key is required."), field="idempotency_key")
    return key


def _own(koperasi, *objects) -> None:
    if any(o is None or o.koperasi_id != koperasi.pk for o in objects):
        raise ConsignmentError(_("Item or consignor not found."), field="item")


def ensure_account(koperasi) -> None:
    """Utang konsinyasi 2-1310 in the koperasi's chart (a chart installed before it was in
    the template gets it from the template, like any missing template account)."""
    if not Account.objects.filter(koperasi=koperasi, code=chart.CONSIGNMENT_PAYABLE).exists():
        ledger.install_chart_of_accounts(koperasi)


# --- terms -----------------------------------------------------------------------------------


def terms_on(koperasi, item: Item, day: dt.date) -> ConsignmentTerms | None:
    return (
        ConsignmentTerms.objects.filter(koperasi=koperasi, item=item, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def set_terms(
    koperasi,
    *,
    actor,
    item: Item,
    consignor: Supplier,
    kind: str,
    rate_bp: int = 0,
    margin: int = 0,
    consignor_price: int = 0,
    valid_from: dt.date,
) -> ConsignmentTerms:
    """Agree the commission on ``item`` with ``consignor`` from ``valid_from``.

    Refused: a supplier not marked UMKM, a service, an item another consignor already
    consigns, an item that has the koperasi's own stock history (consigned goods are kept
    as their own item, so they never mix with stock the koperasi paid for), a commission
    the domain refuses (over 100%, negative), a consignor price of zero, two terms of one
    item on one date.
    """
    role = _role(actor, koperasi, MANAGE)
    _own(koperasi, item, consignor)
    if not consignor.is_umkm or not consignor.is_active:
        raise ConsignmentError(
            _("The consignor must be an active supplier marked UMKM."), field="consignor"
        )
    unit = item.business_unit
    if item.is_service or not unit.sells_goods:
        raise ConsignmentError(_("A service cannot be consigned."), field="item")
    if isinstance(valid_from, dt.datetime) or not isinstance(valid_from, dt.date):
        raise ConsignmentError(_("The date is not valid."), field="valid_from")
    for name, value in (("rate_bp", rate_bp), ("margin", margin), ("price", consignor_price)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConsignmentError(_("The amount must be a whole number."), field=name)
    per = item.units().price_per
    try:
        terms = rules.Terms(rules.CommissionKind(kind), rate_bp=rate_bp, margin=margin, per=per)
    except rules.ConsignmentError as exc:
        raise ConsignmentError(exc.message, field=exc.field) from exc
    except ValueError:
        raise ConsignmentError(_("Unknown way of taking the commission."), field="kind") from None
    if terms.kind is rules.CommissionKind.CONSIGNOR_PRICE and consignor_price <= 0:
        raise ConsignmentError(
            _("The consignor's price must be more than zero."), field="consignor_price"
        )
    if terms.kind is rules.CommissionKind.FIXED_MARGIN and margin <= 0:
        raise ConsignmentError(_("The fixed commission must be more than zero."), field="margin")
    if consignor_price < 0:
        raise ConsignmentError(
            _("The consignor's price must be more than zero."), field="consignor_price"
        )
    with transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        earlier = ConsignmentTerms.objects.filter(koperasi=koperasi, item=item)
        other = earlier.exclude(consignor=consignor).select_related("consignor").first()
        if other is not None:
            raise ConsignmentError(
                _("%(item)s is already consigned by %(name)s.")
                % {"item": item.name, "name": other.consignor.name},
                field="item",
            )
        if not earlier.exists() and (
            StockMovement.objects.filter(koperasi=koperasi, item=item).exists()
            or SaleLine.objects.filter(koperasi=koperasi, item=item).exists()
        ):
            raise ConsignmentError(
                _(
                    "%(item)s already has the koperasi's own stock or sales: add the "
                    "consigned goods as an item of their own."
                )
                % {"item": item.name},
                field="item",
            )
        if earlier.filter(valid_from=valid_from).exists():
            raise ConsignmentError(
                _("Terms for this item from that date already exist."), field="valid_from"
            )
        ensure_account(koperasi)
        row = ConsignmentTerms.objects.create(
            koperasi=koperasi,
            item=item,
            consignor=consignor,
            kind=terms.kind.value,
            rate_bp=rate_bp if terms.kind is rules.CommissionKind.PERCENT else 0,
            margin=margin if terms.kind is rules.CommissionKind.FIXED_MARGIN else 0,
            consignor_price=(
                consignor_price if terms.kind is rules.CommissionKind.CONSIGNOR_PRICE else 0
            ),
            per=per,
            valid_from=valid_from,
            created_by=_by(actor),
        )
        record(
            "consignment.terms.set",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=row,
            summary={
                "item": item.name,
                "consignor": consignor.name,
                "kind": row.kind,
                "rate_bp": row.rate_bp,
                "margin": row.margin,
                "consignor_price": row.consignor_price,
                "valid_from": valid_from.isoformat(),
            },
        )
    return row


def describe_terms(terms: ConsignmentTerms) -> str:
    """The commission in words: "10% dari penjualan", "Rp 500 per pcs" ..."""
    from kopdes.domain.rates import format_bp

    unit = terms.item.units().base.value if terms.item_id else ""
    if terms.kind == CommissionKind.PERCENT:
        return _("%(rate)s of the sale") % {"rate": format_bp(terms.rate_bp)}
    if terms.kind == CommissionKind.FIXED_MARGIN:
        return _("%(amount)s per %(unit)s sold") % {
            "amount": format_rupiah(terms.margin),
            "unit": unit,
        }
    return _("consignor is paid %(amount)s per %(unit)s") % {
        "amount": format_rupiah(terms.consignor_price),
        "unit": unit,
    }


# --- goods in and out ------------------------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    movement: ConsignmentMovement
    replayed: bool


def _move(
    koperasi,
    *,
    actor,
    direction: str,
    item: Item,
    quantity,
    unit: str | None,
    date: dt.date | None,
    idempotency_key: str,
    note: str,
) -> Moved:
    role = _role(actor, koperasi, MANAGE)
    _own(koperasi, item)
    key = _key(idempotency_key)
    day = date or koperasi.today()
    if day > koperasi.today():
        raise ConsignmentError(_("The date may not be in the future."), field="date")
    stock = stock_quantity(item, quantity, unit)
    note = " ".join((note or "").split())[:200]
    fingerprint = _digest(
        {"direction": direction, "item": str(item.pk), "quantity": stock, "date": day}
    )
    with transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        existing = replayed(
            ConsignmentMovement,
            koperasi,
            key,
            fingerprint,
            conflict=lambda _row: _(
                "This idempotency key was already used for another movement of "
                "consigned goods. Nothing was recorded."
            ),
        )
        if existing is not None:
            return Moved(existing, True)
        terms = terms_on(koperasi, item, day)
        if terms is None:
            raise ConsignmentError(
                _("%(item)s has no consignment terms on that date: set them first.")
                % {"item": item.name},
                field="item",
            )
        position = position_of(koperasi, item, lock=True)
        if position.value:
            raise ConsignmentError(
                _("%(item)s holds the koperasi's own stock; it cannot take consigned goods.")
                % {"item": item.name},
                field="item",
            )
        try:
            if direction == Direction.IN:
                moved = inventory.receive(
                    pure(position), stock, 0, kind=inventory.MovementKind.CONSIGNMENT_IN
                )
            else:
                moved = inventory.issue(
                    pure(position), stock, kind=inventory.MovementKind.CONSIGNMENT_OUT
                )
        except inventory.InventoryError as exc:
            raise ConsignmentError(f"{item.name}: {exc.message}", field="quantity") from exc
        position.quantity, position.value = moved.after.quantity, moved.after.value
        position.save()
        stock_row = StockMovement.objects.create(
            koperasi=koperasi,
            item=item,
            business_unit_id=item.business_unit_id,
            kind=moved.kind.value,
            quantity=stock,
            value=0,
            quantity_after=position.quantity,
            value_after=position.value,
            date=day,
            supplier=terms.consignor,
            memo=note,
            created_by=_by(actor),
        )
        row = ConsignmentMovement.objects.create(
            koperasi=koperasi,
            direction=direction,
            item=item,
            consignor=terms.consignor,
            quantity=stock,
            date=day,
            stock_movement=stock_row,
            note=note,
            idempotency_key=key,
            fingerprint=fingerprint,
            created_by=_by(actor),
        )
        record(
            "consignment.goods.received"
            if direction == Direction.IN
            else "consignment.goods.returned",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=row,
            summary={
                "item": item.name,
                "consignor": terms.consignor.name,
                "quantity": stock,
                "on_hand": position.quantity,
                "date": day.isoformat(),
            },
        )
    return Moved(row, False)


def receive_goods(
    koperasi,
    *,
    actor,
    item: Item,
    quantity,
    unit: str | None = None,
    date: dt.date | None = None,
    idempotency_key: str,
    note: str = "",
) -> Moved:
    """The consignor leaves ``quantity`` of ``item`` for sale: stock in at value 0
    (``consignment_in``), nothing posted. The same key and content returns the first."""
    return _move(
        koperasi,
        actor=actor,
        direction=Direction.IN,
        item=item,
        quantity=quantity,
        unit=unit,
        date=date,
        idempotency_key=idempotency_key,
        note=note,
    )


def return_goods(
    koperasi,
    *,
    actor,
    item: Item,
    quantity,
    unit: str | None = None,
    date: dt.date | None = None,
    idempotency_key: str,
    note: str = "",
) -> Moved:
    """Unsold consigned goods taken back by the consignor (``consignment_out``); never more
    than on hand."""
    return _move(
        koperasi,
        actor=actor,
        direction=Direction.OUT,
        item=item,
        quantity=quantity,
        unit=unit,
        date=date,
        idempotency_key=idempotency_key,
        note=note,
    )


# --- the checkout's cost source ------------------------------------------------------------


def consigned_costs(koperasi, lines: Sequence[Any], *, day: dt.date) -> dict[int, OutsideCost]:
    """``store.hooks`` source: for each consigned line, the consignor's share of the
    line's own net, credited to Utang konsinyasi on the consignor's sub-ledger. One query
    (the terms of the sale's goods); a consigned item without terms on ``day`` refuses
    the sale."""
    ids = {x.item.pk for x in lines if not x.item.is_service}
    if not ids:
        return {}
    found: dict[Any, list[ConsignmentTerms]] = defaultdict(list)
    for terms in ConsignmentTerms.objects.filter(koperasi=koperasi, item_id__in=ids).order_by(
        "-valid_from"
    ):
        found[terms.item_id].append(terms)
    if not found:
        return {}
    out: dict[int, OutsideCost] = {}
    for i, x in enumerate(lines):
        history = found.get(x.item.pk)
        if not history:
            continue
        terms = next((t for t in history if t.valid_from <= day), None)
        if terms is None:
            raise StoreError(
                _("%(item)s: no consignment terms on the sale's date.") % {"item": x.item.name},
                field="lines",
            )
        try:
            net = max(line_gross(x.quantity, x.price, x.per) - x.discount, 0)
            statement = rules.settle_consignment(
                [
                    rules.ConsignedSale(
                        x.item.name, x.quantity, net, terms.consignor_price, terms.per
                    )
                ],
                terms.rules(),
            )
        except (rules.ConsignmentError, SaleError) as exc:
            raise StoreError(f"{x.item.name}: {exc.message}", field="lines") from exc
        out[i] = OutsideCost(
            statement.payout,
            chart.CONSIGNMENT_PAYABLE,
            SubledgerKind.CONSIGNMENT.value,
            str(terms.consignor_id),
            memo=x.item.name,
        )
    return out


def consigned_returns(koperasi, sale_lines: Sequence[Any]) -> dict[Any, OutsideCost]:
    """``store.hooks`` return source: a voided or returned line of consigned goods takes
    its cost (the consignor's share) back off Utang konsinyasi on the consignor's
    sub-ledger; the goods come back at value 0. One query."""
    ids = {x.item_id for x in sale_lines}
    consignor_of = dict(
        ConsignmentTerms.objects.filter(koperasi=koperasi, item_id__in=ids).values_list(
            "item_id", "consignor_id"
        )
    )
    return {
        x.pk: OutsideCost(
            0,
            chart.CONSIGNMENT_PAYABLE,
            SubledgerKind.CONSIGNMENT.value,
            str(consignor_of[x.item_id]),
        )
        for x in sale_lines
        if x.item_id in consignor_of
    }


def refuse_own_receipt(koperasi, *, item: Item, **_kwargs: Any) -> None:
    """``store.hooks`` receipt rule: the koperasi's own goods (``receive_stock``, a
    purchase) never go into a consigned item, which holds the consignor's goods at value
    0; they would mix with them and put value into the item the books cannot tell apart."""
    terms = (
        ConsignmentTerms.objects.filter(koperasi=koperasi, item=item)
        .select_related("consignor")
        .first()
    )
    if terms is not None:
        raise StoreError(
            _(
                "%(item)s is consigned goods of %(name)s: record them on the consignment "
                "page, not as the koperasi's own stock."
            )
            % {"item": item.name, "name": terms.consignor.name},
            field="item",
        )


# --- the settlement statement ----------------------------------------------------------------


def period_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        raise ConsignmentError(_("The period is not valid."), field="period")
    start = dt.date(year, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class StatementLine:
    item: Item
    received: int
    sold: int
    returned: int
    on_hand: int  # at the end of the period
    sales: int
    share: int  # the consignor's share (what the sales booked to Utang konsinyasi)

    @property
    def commission(self) -> int:
        return self.sales - self.share

    def shown(self, quantity: int) -> Decimal:
        """``quantity`` stock units in the item's base unit (kg for grams)."""
        return tidy(Decimal(quantity) / self.item.units().price_per)

    @property
    def unit(self) -> str:
        return self.item.units().base.value

    @property
    def received_shown(self) -> Decimal:
        return self.shown(self.received)

    @property
    def sold_shown(self) -> Decimal:
        return self.shown(self.sold)

    @property
    def returned_shown(self) -> Decimal:
        return self.shown(self.returned)

    @property
    def on_hand_shown(self) -> Decimal:
        return self.shown(self.on_hand)


@dataclass(frozen=True)
class Statement:
    consignor: Supplier
    year: int
    month: int
    start: dt.date
    end: dt.date
    lines: tuple[StatementLine, ...]
    payouts: tuple[ConsignmentPayout, ...] = field(default=())

    @property
    def sales(self) -> int:
        return sum(x.sales for x in self.lines)

    @property
    def share(self) -> int:
        return sum(x.share for x in self.lines)

    @property
    def commission(self) -> int:
        return self.sales - self.share

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payouts)

    @property
    def due(self) -> int:
        """What is still owed to the consignor for this month's sales."""
        return self.share - self.paid

    @property
    def period_code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def consigned_items(koperasi, consignor: Supplier) -> list[Item]:
    ids = ConsignmentTerms.objects.filter(koperasi=koperasi, consignor=consignor).values("item_id")
    return list(
        Item.objects.filter(koperasi=koperasi, pk__in=ids)
        .select_related("business_unit")
        .order_by("name")
    )


def statement(koperasi, consignor: Supplier, year: int, month: int) -> Statement:
    """The consignor's settlement statement for one month: per item, received, sold (less
    customers' returns and voids approved in the month) and returned in the month, on hand
    at its end, sales (what the koperasi received), the consignor's share and the
    commission; the payouts made for the month and what is due."""
    _own(koperasi, consignor)
    start, end = period_bounds(year, month)
    items = consigned_items(koperasi, consignor)
    ids = [i.pk for i in items]
    moved: dict[tuple[Any, str], int] = defaultdict(int)
    moved_to_end: dict[tuple[Any, str], int] = defaultdict(int)
    for item_id, direction, when, quantity in ConsignmentMovement.objects.filter(
        koperasi=koperasi, consignor=consignor, date__lte=end
    ).values_list("item_id", "direction", "date", "quantity"):
        moved_to_end[(item_id, direction)] += quantity
        if when >= start:
            moved[(item_id, direction)] += quantity
    sold: dict[Any, tuple[int, int, int]] = {}
    for row in (
        SaleLine.objects.filter(
            koperasi=koperasi, item_id__in=ids, sale__date__gte=start, sale__date__lte=end
        )
        .values("item_id")
        .annotate(q=Sum("quantity"), net=Sum("net"), cost=Sum("cost"))
    ):
        sold[row["item_id"]] = (row["q"] or 0, row["net"] or 0, row["cost"] or 0)
    sold_to_end = dict(
        SaleLine.objects.filter(koperasi=koperasi, item_id__in=ids, sale__date__lte=end)
        .values("item_id")
        .annotate(q=Sum("quantity"))
        .values_list("item_id", "q")
    )
    # Customers' returns and voids approved (the books took the share back then).
    back: dict[Any, tuple[int, int, int]] = {}
    back_to_end: dict[Any, int] = defaultdict(int)
    for item_id, when, quantity, amount, cost in SaleReturnLine.objects.filter(
        koperasi=koperasi,
        sale_line__item_id__in=ids,
        sale_return__state="approved",
        sale_return__date__lte=end,
    ).values_list("sale_line__item_id", "sale_return__date", "quantity", "amount", "cost"):
        back_to_end[item_id] += quantity
        if when >= start:
            q0, a0, c0 = back.get(item_id, (0, 0, 0))
            back[item_id] = (q0 + quantity, a0 + amount, c0 + cost)
    lines = []
    for item in items:
        q, net, cost = sold.get(item.pk, (0, 0, 0))
        bq, bnet, bcost = back.get(item.pk, (0, 0, 0))
        q, net, cost = q - bq, net - bnet, cost - bcost
        on_hand = (
            moved_to_end[(item.pk, Direction.IN.value)]
            - moved_to_end[(item.pk, Direction.OUT.value)]
            - (sold_to_end.get(item.pk) or 0)
            + back_to_end[item.pk]
        )
        lines.append(
            StatementLine(
                item=item,
                received=moved[(item.pk, Direction.IN.value)],
                sold=q,
                returned=moved[(item.pk, Direction.OUT.value)],
                on_hand=on_hand,
                sales=net,
                share=cost,
            )
        )
    payouts = tuple(
        ConsignmentPayout.objects.filter(
            koperasi=koperasi, consignor=consignor, period=year * 100 + month
        ).order_by("created_at")
    )
    return Statement(consignor, year, month, start, end, tuple(lines), payouts)


def owed(koperasi, consignor: Supplier) -> int:
    """The consignor's balance on Utang konsinyasi (every month together)."""
    from kopdes.ledger.models import SubledgerBalance

    got = SubledgerBalance.objects.filter(
        koperasi=koperasi,
        subledger_kind=SubledgerKind.CONSIGNMENT,
        subledger_ref=str(consignor.pk),
    ).aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    return (got["c"] or 0) - (got["d"] or 0)


# --- the payout ------------------------------------------------------------------------------


def _paying_unit(koperasi, items: list[Item]) -> BusinessUnit:
    units = {i.business_unit_id: i.business_unit for i in items}
    if not units:
        raise ConsignmentError(_("This consignor has no consigned items."), field="consignor")
    return sorted(units.values(), key=lambda u: u.kind)[0]


@dataclass(frozen=True)
class Paid:
    payout: ConsignmentPayout
    replayed: bool


def pay_consignor(
    koperasi,
    *,
    actor,
    consignor: Supplier,
    year: int,
    month: int,
    amount: int,
    idempotency_key: str,
    date: dt.date | None = None,
) -> Paid:
    """Pay ``consignor`` ``amount`` sen for the month's sales, from the unit's Kas: Debit
    Utang konsinyasi (the consignor's sub-ledger), Credit Kas. Never more than is due for
    the month. The same key and content returns the first payout; other content: 409,
    nothing written."""
    role = _role(actor, koperasi, PAY)
    _own(koperasi, consignor)
    key = _key(idempotency_key)
    start, _end = period_bounds(year, month)
    day = date or koperasi.today()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ConsignmentError(_("The amount must be more than zero."), field="amount")
    if start > koperasi.today():
        raise ConsignmentError(_("That month has not begun."), field="period")
    period = year * 100 + month
    fingerprint = _digest({"consignor": str(consignor.pk), "period": period, "amount": amount})
    with transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        existing = replayed(
            ConsignmentPayout,
            koperasi,
            key,
            fingerprint,
            conflict=lambda payout: (
                _(
                    "This idempotency key was already used for a payout of %(amount)s "
                    "with different content. Nothing was recorded."
                )
                % {"amount": format_rupiah(payout.amount)}
            ),
        )
        if existing is not None:
            return Paid(existing, True)
        stated = statement(koperasi, consignor, year, month)
        if amount > stated.due:
            raise ConsignmentError(
                _("%(amount)s is more than what is due to %(name)s for %(period)s: %(due)s.")
                % {
                    "amount": format_rupiah(amount),
                    "name": consignor.name,
                    "period": stated.period_code,
                    "due": format_rupiah(max(stated.due, 0)),
                },
                field="amount",
            )
        in_books = owed(koperasi, consignor)
        if amount > in_books:  # a sale voided since: the books owe less than the month says
            raise ConsignmentError(
                _("%(amount)s is more than the books owe %(name)s (Utang konsinyasi): %(owed)s.")
                % {
                    "amount": format_rupiah(amount),
                    "name": consignor.name,
                    "owed": format_rupiah(max(in_books, 0)),
                },
                field="amount",
            )
        unit = _paying_unit(koperasi, [x.item for x in stated.lines])
        entry = ledger.post(
            koperasi,
            actor=actor,
            date=day,
            memo=(
                _("Consignment payout %(period)s: %(name)s")
                % {"period": stated.period_code, "name": consignor.name}
            )[:200],
            lines=[
                LineDraft.debit(
                    chart.CONSIGNMENT_PAYABLE,
                    amount,
                    subledger_kind=SubledgerKind.CONSIGNMENT.value,
                    subledger_ref=str(consignor.pk),
                ),
                LineDraft.credit(unit.cash_account, amount),
            ],
            idempotency_key=f"consignment.payout:{key}",
            source="consignment.payout",
            source_ref=str(consignor.pk),
            business_unit=unit.ledger_unit,
            audited_by_caller=True,
        )
        payout = ConsignmentPayout.objects.create(
            koperasi=koperasi,
            consignor=consignor,
            business_unit=unit,
            period=period,
            amount=amount,
            date=day,
            entry=entry,
            idempotency_key=key,
            fingerprint=fingerprint,
            created_by=_by(actor),
        )
        record(
            "consignment.payout.recorded",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=payout,
            summary={
                "consignor": consignor.name,
                "period": period,
                "amount": amount,
                "due_before": stated.due,
                "entry": entry.number,
            },
        )
    return Paid(payout, False)


# --- reads for the pages ---------------------------------------------------------------------


def consignors(koperasi) -> list[Supplier]:
    """The koperasi's UMKM suppliers (who may consign), consignors first."""
    return list(
        Supplier.objects.filter(koperasi=koperasi, is_umkm=True).order_by("-is_active", "name")
    )


def get_consignor(koperasi, consignor_id) -> Supplier:
    """An UMKM supplier of ``koperasi`` (``Http404`` for another koperasi's or unknown)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Supplier, koperasi=koperasi, pk=consignor_id, is_umkm=True)


@dataclass(frozen=True)
class ItemRow:
    item: Item
    consignor: Supplier
    terms: ConsignmentTerms | None
    on_hand: Decimal
    unit: str
    words: str


def item_rows(koperasi) -> list[ItemRow]:
    """Every consigned item with the terms in force today and what is on hand."""
    today = koperasi.today()
    history: dict[Any, list[ConsignmentTerms]] = defaultdict(list)
    for terms in (
        ConsignmentTerms.objects.filter(koperasi=koperasi)
        .select_related("item", "consignor", "item__business_unit")
        .order_by("item__name", "-valid_from")
    ):
        history[terms.item_id].append(terms)
    positions = dict(
        StockPosition.objects.filter(koperasi=koperasi, item_id__in=list(history)).values_list(
            "item_id", "quantity"
        )
    )
    rows = []
    for _item_id, terms_list in history.items():
        current = next((t for t in terms_list if t.valid_from <= today), None)
        shown = current or terms_list[-1]
        item = shown.item
        rows.append(
            ItemRow(
                item=item,
                consignor=shown.consignor,
                terms=current,
                on_hand=tidy(Decimal(positions.get(item.pk, 0)) / item.units().price_per),
                unit=item.units().base.value,
                words=describe_terms(shown),
            )
        )
    return rows


def candidate_items(koperasi) -> list[Item]:
    """Goods that may be given terms: active goods items without own stock history, or
    already consigned."""
    consigned = ConsignmentTerms.objects.filter(koperasi=koperasi).values("item_id")
    moved = StockMovement.objects.filter(koperasi=koperasi).values("item_id")
    return list(
        Item.objects.filter(koperasi=koperasi, is_active=True, is_service=False)
        .filter(Q(pk__in=consigned) | ~Q(pk__in=moved))
        .order_by("name")[:500]
    )
