"""Writes of the store: business units, the catalog and its import, suppliers.

Every function checks the permission matrix (``store.*``), validates all input before
writing (every problem reported at once; nothing written on any), and records its audit
event in the same transaction. Re-exported here; one module per concern.
"""

from kopdes.store.errors import ImportErrors, ItemErrors, StoreError
from kopdes.store.services.bon import bon_unit, repay_bon
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
from kopdes.store.services.returns import (
    approve_sale_return,
    propose_return,
    propose_void,
    reject_sale_return,
    returned_quantities,
)
from kopdes.store.services.sales import bon_limit, checkout, current_bon
from kopdes.store.services.shifts import close_shift, open_shift, open_shift_of, shift_figures
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
    "approve_sale_return",
    "bon_limit",
    "bon_unit",
    "checkout",
    "clean_item",
    "close_shift",
    "create_item",
    "create_supplier",
    "current_bon",
    "disable_business_unit",
    "enable_business_unit",
    "import_catalog",
    "open_shift",
    "open_shift_of",
    "position_of",
    "propose_return",
    "propose_void",
    "receive_stock",
    "reject_sale_return",
    "repay_bon",
    "returned_quantities",
    "set_item_active",
    "shift_figures",
    "update_item",
]
