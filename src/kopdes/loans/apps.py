from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "kopdes.loans"
    label = "loans"
    verbose_name = "Loans"

    def ready(self) -> None:
        from kopdes.loans import (
            approvals,  # noqa: F401  (registers its kinds in the approvals inbox)
            obligations,  # noqa: F401  (what a leaving member owes: the exit settlement)
            tiles,  # noqa: F401  (registers the dashboard tiles)
            verification,  # noqa: F401  (registers the kopdes verify check)
        )
        from kopdes.loans.member_panels import LoansData
        from kopdes.platform.core import member_panels

        # members shows her loans on its pages without importing loans.
        member_panels.register("loans", LoansData())
