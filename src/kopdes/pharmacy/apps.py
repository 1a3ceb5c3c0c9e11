from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacyConfig(AppConfig):
    name = "kopdes.pharmacy"
    label = "pharmacy"
    verbose_name = _("Village pharmacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The batch and prescription rules of every goods receipt and checkout of the
        # apotek (store.hooks), and the kopdes verify check pharmacy.batches.
        from kopdes.pharmacy import rules, verification  # noqa: F401
