from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "kopdes.platform.tenancy"
    label = "tenancy"
    verbose_name = "Koperasi"
