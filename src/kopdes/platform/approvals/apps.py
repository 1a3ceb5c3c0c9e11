from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "kopdes.platform.approvals"
    label = "approvals"
    verbose_name = "Approvals inbox"
