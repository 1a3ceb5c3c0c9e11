"""Extension points of the store's receipts and checkout, for the apps built on the store.

The store never imports those apps (the apotek's batches, later others): they register a
rule here from their ``AppConfig.ready()``, as QRIS registers a payment method
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

A rule must cost nothing for lines it does not care about (the checkout is benchmarked):
look at ``item.business_unit.kind`` before querying. A line's HPP owed to someone else
(consigned goods) is not a rule's business: that is ``store.costing``'s cost sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


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
