from django.apps import AppConfig
from django.db.backends.signals import connection_created


class LedgerConfig(AppConfig):
    name = "kopdes.ledger"
    label = "ledger"
    verbose_name = "Bookkeeping"

    def ready(self) -> None:
        from kopdes.ledger import (
            approvals,  # noqa: F401  (registers its kinds in the approvals inbox)
            tiles,  # noqa: F401  (registers the dashboard tile)
            verification,  # noqa: F401  (registers kopdes verify checks)
        )
        from kopdes.ledger.durability import assert_durable
        from kopdes.ledger.services import setup_koperasi_books
        from kopdes.platform.core.anchors import ChainSpec, register_chain
        from kopdes.platform.tenancy.services import on_koperasi_created

        # The journal's head is anchored outside the database (core.anchors).
        register_chain(
            ChainSpec("jurnal", "jurnal", "ledger_journalentry", "koperasi_id", "number")
        )
        on_koperasi_created(lambda koperasi, actor: setup_koperasi_books(koperasi, actor=actor))

        # Infrastructure, not a business rule: every new connection proves it is durable.
        connection_created.connect(assert_durable, dispatch_uid="kopdes.ledger.durability")
