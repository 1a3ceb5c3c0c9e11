from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoreConfig(AppConfig):
    name = "kopdes.store"
    label = "store"
    verbose_name = _("Store")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kopdes.store import (
            approvals,  # noqa: F401  (the inbox's void and return kinds)
            stock_count_approvals,  # noqa: F401  (the inbox's kind)
            subsidised,  # noqa: F401  (the checkout rule of LPG, pupuk and SPHP lines)
            tiles,  # noqa: F401  (today's sales tile; the reports index's links)
            verification,  # noqa: F401  (registers the kopdes verify check)
        )
