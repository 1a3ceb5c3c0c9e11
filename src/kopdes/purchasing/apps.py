from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "kopdes.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kopdes.purchasing import verification  # noqa: F401  (the kopdes verify check)
