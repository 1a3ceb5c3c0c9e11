from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoreConfig(AppConfig):
    name = "kopdes.store"
    label = "store"
    verbose_name = _("Store")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kopdes.store import verification  # noqa: F401  (registers the kopdes verify check)
