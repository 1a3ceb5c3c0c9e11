from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kopdes.platform.privacy"
    label = "privacy"
    verbose_name = _("Personal data protection")

    def ready(self) -> None:
        # Registers the "every encrypted value opens" check that ``kopdes verify`` runs.
        from kopdes.platform.privacy import maintenance  # noqa: F401
