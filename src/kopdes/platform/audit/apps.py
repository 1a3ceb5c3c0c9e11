from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kopdes.platform.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Registers the audit chain check that ``kopdes verify`` runs.
        from kopdes.platform.audit import verification  # noqa: F401
