from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kopdes.platform.core"
    label = "core"
    verbose_name = "kopdes core"

    def ready(self) -> None:
        from kopdes.platform.core import (
            checks,  # noqa: F401  (registers system checks)
            trigger_verification,  # noqa: F401  (kopdes verify)
        )
