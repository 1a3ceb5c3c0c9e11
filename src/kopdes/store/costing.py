"""Where a sale line's HPP comes from when the goods are not the koperasi's own stock.

The checkout issues stock at moving average and credits Persediaan per item with that
cost. A registered cost source adds to a line's HPP an amount the koperasi owes someone
else, credited to that source's account instead of Persediaan: consigned goods (titip
jual, the ``consignment`` app) cost the consignor's share, credited to Utang konsinyasi
2-1310 on the consignor's sub-ledger, so the line's gross margin is the commission.

The store never imports those apps: they register from their ``AppConfig.ready()``, as
QRIS registers a payment method (``store.payments``)::

    register_cost_source("consignment", consigned_costs)

A source is called once per checkout, under the ledger lock and before anything is
written, with every line of the sale (objects with ``item``, ``quantity`` in stock units,
``price`` sen per ``per`` stock units and the line's own ``discount``) and the sale's
date; it returns the ``OutsideCost`` of the lines it answers for, by 0-based index, or
raises ``StoreError`` to refuse the sale (nothing is written). It must cost nothing for
lines it does not care about (the checkout is benchmarked): one query at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kopdes.domain.ledger import LineDraft

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
