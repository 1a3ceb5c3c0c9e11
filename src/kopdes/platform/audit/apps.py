from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kopdes.platform.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Registers the audit chain check that ``kopdes verify`` runs.
        from kopdes.platform.audit import verification  # noqa: F401
        from kopdes.platform.core.anchors import ChainSpec, register_chain

        # Each koperasi's chain head is anchored outside the database (core.anchors).
        register_chain(
            ChainSpec(
                "audit", "rantai audit", "audit_auditevent", "chain", "seq", group_is_uuid=False
            )
        )
