from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsignmentConfig(AppConfig):
    name = "kopdes.consignment"
    label = "consignment"
    verbose_name = _("Consignment (titip jual)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kopdes.consignment.services import (
            consigned_costs,
            consigned_returns,
            refuse_own_receipt,
        )
        from kopdes.store import hooks

        # The checkout asks this app what a consigned line costs: the consignor's share,
        # credited to Utang konsinyasi instead of Persediaan; a voided or returned line
        # gives it back; the koperasi's own goods are never received into a consigned item.
        hooks.register_cost_source("consignment", consigned_costs)
        hooks.register_return_source("consignment", consigned_returns)
        hooks.register_receipt_rule(hooks.ReceiptRule("consignment.own_stock", refuse_own_receipt))
