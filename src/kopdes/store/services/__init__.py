"""Writes of the store: business units, the catalog and its import, suppliers.

Every function checks the permission matrix (``store.*``), validates all input before
writing (every problem reported at once; nothing written on any), and records its audit
event in the same transaction. Re-exported here; one module per concern.
"""

from kopdes.store.errors import ImportErrors, ItemErrors, StoreError
from kopdes.store.services.business_units import (
    SPECS,
    UnitAccounts,
    account_codes,
    disable_business_unit,
    enable_business_unit,
)
from kopdes.store.services.catalog import (
    CleanItem,
    clean_item,
    create_item,
    import_catalog,
    set_item_active,
    update_item,
)
from kopdes.store.services.sales import bon_limit, checkout, current_bon
from kopdes.store.services.stock import Received, position_of, receive_stock
from kopdes.store.services.suppliers import create_supplier

__all__ = [
    "SPECS",
    "CleanItem",
    "ImportErrors",
    "ItemErrors",
    "Received",
    "StoreError",
    "UnitAccounts",
    "account_codes",
    "bon_limit",
    "checkout",
    "clean_item",
    "create_item",
    "create_supplier",
    "current_bon",
    "disable_business_unit",
    "enable_business_unit",
    "import_catalog",
    "position_of",
    "receive_stock",
    "set_item_active",
    "update_item",
]
