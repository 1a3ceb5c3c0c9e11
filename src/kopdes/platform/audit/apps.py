from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kopdes.platform.audit"
    label = "audit"
    verbose_name = "Audit log"
