from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "kopdes.savings"
    label = "savings"
    verbose_name = "Savings"

    def ready(self) -> None:
        from kopdes.savings import (
            tiles,  # noqa: F401  (registers the dashboard tiles)
            verification,  # noqa: F401  (registers the kopdes verify check)
        )
