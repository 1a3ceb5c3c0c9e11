from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kopdes.platform.identity"
    label = "identity"
    verbose_name = "Identity and roles"
