from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "kopdes.savings"
    label = "savings"
    verbose_name = "Savings"

    def ready(self) -> None:
        from kopdes.platform.core import member_panels
        from kopdes.platform.core.exits import register_exit_settlement
        from kopdes.savings import (
            approvals,  # noqa: F401  (registers its kinds in the approvals inbox)
            tiles,  # noqa: F401  (registers the dashboard tiles)
            verification,  # noqa: F401  (registers the kopdes verify check)
        )
        from kopdes.savings.member_panels import SavingsData
        from kopdes.savings.services import settle_member_exit

        # members approves an exit; savings pays it out (``platform.core.exits``).
        register_exit_settlement(settle_member_exit)
        # members shows her savings on its pages without importing savings.
        member_panels.register("savings", SavingsData())
