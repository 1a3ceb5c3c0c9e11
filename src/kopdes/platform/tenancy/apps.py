from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "kopdes.platform.tenancy"
    label = "tenancy"
    verbose_name = _("Koperasi")

    def ready(self) -> None:
        from kopdes.platform.web.activity import ACTION_LABELS

        # Plain names for this app's audit actions (audit log, dashboard activity list).
        ACTION_LABELS.setdefault("tenancy.koperasi.created", _("Koperasi registered"))
        ACTION_LABELS["tenancy.koperasi.profile_updated"] = _("Koperasi profile changed")
        ACTION_LABELS["tenancy.koperasi.adart_updated"] = _("AD/ART settings changed")
