"""Writes of the subsidised channels: settings, buyers, the RDKK import, sales, registers.

Every function checks the permission matrix (``subsidy.*``), validates all input before
writing (nothing written on any problem; messages in Bahasa Indonesia), and records its
audit event in the same transaction. Re-exported here; one module per concern.
"""

from kopdes.subsidy.errors import FormErrors, ImportErrors, ReplayConflict, SubsidyRefused
from kopdes.subsidy.services.allocations import import_allocations
from kopdes.subsidy.services.buyers import register_buyer
from kopdes.subsidy.services.registers import (
    lpg_register_workbook,
    pupuk_season_workbook,
    sphp_daily_workbook,
)
from kopdes.subsidy.services.sales import check_and_record_subsidised_sale
from kopdes.subsidy.services.settings import add_channel_rule, add_het_rate, add_season

__all__ = [
    "FormErrors",
    "ImportErrors",
    "ReplayConflict",
    "SubsidyRefused",
    "add_channel_rule",
    "add_het_rate",
    "add_season",
    "check_and_record_subsidised_sale",
    "import_allocations",
    "lpg_register_workbook",
    "pupuk_season_workbook",
    "register_buyer",
    "sphp_daily_workbook",
]
