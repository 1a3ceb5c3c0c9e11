"""The point of sale's payment methods: a small registry the checkout posts through.

A method says which account its money lands in (debited by the sale's journal entry) and
whether only a member may use it. ``cash`` lands in the selling unit's Kas (its till,
``BusinessUnit.cash_account``); ``bon`` (member credit within the AD/ART limit) in
Piutang usaha / bon anggota (1-1400). QRIS (next issue) registers itself the same way from
its app's ``ready()``::

    register_method(PaymentMethod("qris", _("QRIS"), lambda unit: chart.QRIS_CLEARING))

``domain.sale.settle_payments`` checks the amounts (only cash may exceed what is due: the
change; bon only for a member, within her limit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kopdes.domain.sale import BON, CASH
from kopdes.ledger import chart


@dataclass(frozen=True)
class PaymentMethod:
    code: str  # lower case, as domain.sale.normalize_method gives it
    label: str | Promise
    account: Callable[[object], str]  # the store.BusinessUnit -> the account debited
    members_only: bool = False


METHODS: dict[str, PaymentMethod] = {}


def register_method(method: PaymentMethod) -> PaymentMethod:
    """Add (or replace) a payment method the checkout accepts."""
    METHODS[method.code] = method
    return method


def get_method(code: str) -> PaymentMethod | None:
    return METHODS.get(code)


register_method(PaymentMethod(CASH, _("Cash"), lambda unit: unit.cash_account))
register_method(
    PaymentMethod(BON, _("Member credit (bon)"), lambda unit: chart.TRADE_RECEIVABLE, True)
)
