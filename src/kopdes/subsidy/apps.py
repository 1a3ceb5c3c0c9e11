from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "kopdes.subsidy"
    label = "subsidy"
    verbose_name = _("Subsidised channels")
    default_auto_field = "django.db.models.BigAutoField"
