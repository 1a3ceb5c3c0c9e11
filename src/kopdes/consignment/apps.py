from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsignmentConfig(AppConfig):
    name = "kopdes.consignment"
    label = "consignment"
    verbose_name = _("Consignment (titip jual)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The checkout asks this app what a consigned line costs (store.costing): the
        # consignor's share, credited to Utang konsinyasi instead of Persediaan.
        from kopdes.consignment.services import consigned_costs
        from kopdes.store.costing import register_cost_source

        register_cost_source("consignment", consigned_costs)
        # ... and refuses the koperasi's own goods into a consigned item (store.hooks).
        from kopdes.consignment.services import refuse_own_receipt
        from kopdes.store import hooks

        hooks.register_receipt_rule(hooks.ReceiptRule("consignment.own_stock", refuse_own_receipt))
        # ... and takes a voided or returned sale's share back off Utang konsinyasi.
        from kopdes.consignment.services import consigned_returns
        from kopdes.store.costing import register_return_source

        register_return_source("consignment", consigned_returns)
