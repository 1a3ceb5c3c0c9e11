from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "kopdes.platform.tenancy"
    label = "tenancy"
    verbose_name = _("Koperasi")
    # Its audit actions are named in kopdes.platform.audit.activity.ACTION_LABELS.
