"""Writes of purchasing: orders, goods received, supplier payments, members' harvest.

Every function checks the permission matrix (``purchasing.*``), validates all input before
writing (nothing written on any refusal), takes the koperasi's ledger lock, is idempotent
where money or stock moves (same key and content: the first result; other content: 409)
and records its audit event in the same transaction. One module per concern.
"""

from kopdes.purchasing.errors import PurchasingError
from kopdes.purchasing.services.harvest import (
    buy_harvest,
    grams_of,
    harvest_item,
    set_harvest_terms,
    terms_for,
)
from kopdes.purchasing.services.orders import (
    cancel_order,
    create_order,
    place_order,
    resolve_supplier,
)
from kopdes.purchasing.services.payments import open_receipts, owed_to, pay_supplier
from kopdes.purchasing.services.receipts import in_unit, receive_order

__all__ = [
    "PurchasingError",
    "buy_harvest",
    "cancel_order",
    "create_order",
    "grams_of",
    "harvest_item",
    "in_unit",
    "open_receipts",
    "owed_to",
    "pay_supplier",
    "place_order",
    "receive_order",
    "resolve_supplier",
    "set_harvest_terms",
    "terms_for",
]
