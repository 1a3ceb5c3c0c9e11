"""Extension points of the store's receipts and checkout, for the apps built on the store.

The store never imports those apps (the apotek's batches, later others): they register a
rule or source here from their ``AppConfig.ready()``, as QRIS registers a payment method
(``store.payments``). Three kinds:

- ``ReceiptRule``: runs inside ``services.stock.receive_stock``. ``prepare(koperasi, *,
  actor, item, quantity, day, extra)`` is called under the ledger lock before anything is
  written (raise ``StoreError`` to refuse: nothing is written) and returns a state (or
  None: nothing to do for this receipt); ``record(state, *, movement)`` is called after
  the ``StockMovement`` exists, in the same transaction. ``extra`` is the mapping the
  caller passed to ``receive_stock(extra=...)`` (e.g. a batch number and expiry).
- ``CheckoutRule``: runs inside ``services.sales.checkout``. ``prepare(koperasi, *, actor,
  roles, lines, day)`` gets every line as a ``LineView`` (its item, quantity in stock
  units, the caller's line mapping) after the store's own checks, under the lock, before
  anything is written; ``record(state, *, sale, lines)`` after the ``Sale`` and its
  ``SaleLine`` rows exist. ``line_keys`` names the keys of a line mapping the rule reads
  (they join the sale's idempotency fingerprint: a replay with another prescription
  number is a conflict). ``ask(koperasi, item)`` says which of them the point of sale must
  ask the kasir for when she adds ``item`` (``LineField``s; empty for most items).

- ``MovementRule``: runs with every stock movement other than a receipt or a sale: a
  void or return of a sale (``returns``, kind ``sale_return``, with its ``sale_line``), a
  stock count's difference (``stock_count``, ``adjustment_in`` / ``adjustment_out``, also
  checked when the count is submitted), each side of a transfer (``transfers``,
  ``transfer_out`` / ``transfer_in``). ``prepare(koperasi, *, actor, kind, item, quantity,
  day, sale_line=None)`` under the lock before anything is written (raise to refuse;
  ``quantity`` > 0 in stock units), ``record(state, *, movement)`` after the
  ``StockMovement`` exists, in the same transaction.

- Cost sources (``register_cost_source``, ``register_return_source``): a line's HPP owed
  to someone else rather than taken from Persediaan (consigned goods, the ``consignment``
  app): what the checkout credits to that account, and what a void or return gives back
  to it. Described with their functions below.

A rule or source must cost nothing for lines it does not care about (the checkout is
benchmarked): look at ``item.business_unit.kind`` before querying.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from kopdes.domain.ledger import LineDraft


@dataclass(frozen=True)
class LineField:
    """A value the point of sale asks for with a line (a prescription number ...)."""

    name: str  # the key in the checkout line mapping
    label: str | Promise
    required: bool = True
    max_length: int = 64


@dataclass(frozen=True)
class LineView:
    """One line of a checkout as a rule sees it."""

    position: int  # 1-based, as ``SaleLine.position``
    item: Any  # store.Item (with business_unit)
    quantity: int  # stock units
    data: Mapping[str, Any]  # the caller's line mapping
    price: int = 0  # sen per ``per`` stock units, as the line is priced (before discounts)
    per: int = 1


@dataclass(frozen=True)
class ReceiptRule:
    name: str
    prepare: Callable[..., Any]
    record: Callable[..., None] | None = None


@dataclass(frozen=True)
class CheckoutRule:
    name: str
    prepare: Callable[..., Any]
    record: Callable[..., None] | None = None
    line_keys: tuple[str, ...] = ()
    ask: Callable[..., Sequence[LineField]] | None = None


@dataclass(frozen=True)
class MovementRule:
    name: str
    prepare: Callable[..., Any]
    record: Callable[..., None] | None = None


RECEIPT_RULES: dict[str, ReceiptRule] = {}
CHECKOUT_RULES: dict[str, CheckoutRule] = {}
MOVEMENT_RULES: dict[str, MovementRule] = {}


def register_receipt_rule(rule: ReceiptRule) -> ReceiptRule:
    """Add (or replace, by name) a rule every goods receipt goes through."""
    RECEIPT_RULES[rule.name] = rule
    return rule


def register_checkout_rule(rule: CheckoutRule) -> CheckoutRule:
    """Add (or replace, by name) a rule every checkout goes through."""
    CHECKOUT_RULES[rule.name] = rule
    return rule


def register_movement_rule(rule: MovementRule) -> MovementRule:
    """Add (or replace, by name) a rule every other stock movement goes through."""
    MOVEMENT_RULES[rule.name] = rule
    return rule


@dataclass
class Prepared:
    """The states the rules returned, for their ``record`` step."""

    states: list[tuple[Callable[..., None], Any]] = field(default_factory=list)

    def record(self, **kwargs: Any) -> None:
        for record, state in self.states:
            record(state, **kwargs)


def prepare_receipt(koperasi, **kwargs: Any) -> Prepared:
    prepared = Prepared()
    for rule in list(RECEIPT_RULES.values()):
        state = rule.prepare(koperasi, **kwargs)
        if state is not None and rule.record is not None:
            prepared.states.append((rule.record, state))
    return prepared


def prepare_checkout(koperasi, **kwargs: Any) -> Prepared:
    prepared = Prepared()
    for rule in list(CHECKOUT_RULES.values()):
        state = rule.prepare(koperasi, **kwargs)
        if state is not None and rule.record is not None:
            prepared.states.append((rule.record, state))
    return prepared


def prepare_movement(koperasi, **kwargs: Any) -> Prepared:
    prepared = Prepared()
    for rule in list(MOVEMENT_RULES.values()):
        state = rule.prepare(koperasi, **kwargs)
        if state is not None and rule.record is not None:
            prepared.states.append((rule.record, state))
    return prepared


def line_keys() -> tuple[str, ...]:
    """Every line key a checkout rule reads, sorted (for the fingerprint)."""
    return tuple(sorted({k for rule in CHECKOUT_RULES.values() for k in rule.line_keys}))


def fields_to_ask(koperasi, item) -> list[LineField]:
    """What the point of sale asks for when ``item`` is added (in the rules' order)."""
    out: list[LineField] = []
    for rule in list(CHECKOUT_RULES.values()):
        if rule.ask is not None:
            out.extend(rule.ask(koperasi, item))
    return out


# --- costs owed to someone else (consigned goods) ---------------------------------------------
# The checkout issues stock at moving average and credits Persediaan per item with that
# cost. A registered cost source adds to a line's HPP an amount the koperasi owes someone
# else, credited to that source's account instead of Persediaan: consigned goods cost the
# consignor's share, credited to Utang konsinyasi 2-1310 on the consignor's sub-ledger, so
# the line's gross margin is the commission. A source is called once per checkout, under
# the ledger lock and before anything is written, with every line of the sale (objects with
# ``item``, ``quantity`` in stock units, ``price`` sen per ``per`` stock units and the
# line's own ``discount``) and the sale's date; it returns the ``OutsideCost`` of the lines
# it answers for, by 0-based index, or raises ``StoreError`` to refuse the sale. One query
# at most.
# (koperasi, lines, *, day) -> {index: OutsideCost}
CostSource = Callable[..., Mapping[int, "OutsideCost"]]


@dataclass(frozen=True)
class OutsideCost:
    """``amount`` sen of a line's HPP owed to someone else, credited to ``account`` (with
    its sub-ledger when the account is a control account)."""

    amount: int
    account: str
    subledger_kind: str = ""
    subledger_ref: str = ""
    memo: str = ""


SOURCES: dict[str, CostSource] = {}


def register_cost_source(name: str, source: CostSource) -> CostSource:
    """Add (or replace, by name) a source every checkout asks."""
    SOURCES[name] = source
    return source


def outside_costs(koperasi, lines: Sequence[Any], *, day: dt.date) -> dict[int, OutsideCost]:
    """What the registered sources say about ``lines`` (empty when none is registered)."""
    found: dict[int, OutsideCost] = {}
    for source in list(SOURCES.values()):
        found.update(source(koperasi, lines, day=day))
    return found


def credit_lines(lines: Sequence[Any], costs: Mapping[int, OutsideCost]) -> list[LineDraft]:
    """The entry's credits for ``costs``: one per line, with the line's business unit."""
    return [
        LineDraft.credit(
            cost.account,
            cost.amount,
            subledger_kind=cost.subledger_kind,
            subledger_ref=cost.subledger_ref,
            business_unit=lines[i].item.business_unit.ledger_unit,
            memo=(cost.memo or lines[i].item.name)[:200],
        )
        for i, cost in sorted(costs.items())
        if cost.amount
    ]


# --- goods coming back (a void or a customer's return) ----------------------------------------
# (koperasi, sale_lines) -> {sale_line.pk: OutsideCost}: the sale lines whose whole HPP was
# owed to someone else (consigned goods hold no stock value of the koperasi's). Their cost
# comes back to that account (with its sub-ledger), not into Persediaan, and their goods
# come back into stock at value 0. ``amount`` of the answer is not read.
ReturnSource = Callable[..., Mapping[Any, OutsideCost]]
RETURN_SOURCES: dict[str, ReturnSource] = {}


def register_return_source(name: str, source: ReturnSource) -> ReturnSource:
    """Add (or replace, by name) a source every approved void or return asks."""
    RETURN_SOURCES[name] = source
    return source


def outside_on_return(koperasi, sale_lines: Sequence[Any]) -> dict[Any, OutsideCost]:
    """What the registered sources say about the sale lines coming back, by sale line id."""
    found: dict[Any, OutsideCost] = {}
    for source in list(RETURN_SOURCES.values()):
        found.update(source(koperasi, sale_lines))
    return found
