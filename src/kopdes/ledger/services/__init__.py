"""Writes to the books, one module per concern, re-exported here (callers import
``kopdes.ledger.services``):

- ``entries``: ``post`` (the single door through which every module's money movement
  becomes a journal entry), ``post_batched`` (the same for a caller batching its round
  trips under the koperasi's lock), ``post_many`` (imports, month-end runs);
- ``manual``: the manual journal and its back-dated proposals;
- ``reversal``: reversing a ledger-only entry (maker-checker);
- ``periods``: closing and reopening months, the year-end closing entry;
- ``accounts``: the chart of accounts;
- ``common``: the ledger lock, the business-date check, moving the books start.

Each function runs in one transaction, takes the koperasi's ledger lock
(``lock_chain("ledger:<id>")``) where it touches the chain, and records its audit event in
the same transaction. Refusals raise ``LedgerError`` / ``PermissionDeniedError`` /
``IdempotencyConflictError`` (all ``DomainError``, in ``ledger.errors``) with an
Indonesian message and write nothing. The posting path's SQL is in ``ledger.posting``.
"""

from kopdes.ledger.errors import IdempotencyConflictError, LedgerError, PermissionDeniedError
from kopdes.ledger.posting import BookReads
from kopdes.ledger.services.accounts import (
    create_account,
    install_chart_of_accounts,
    set_account_active,
    setup_koperasi_books,
)
from kopdes.ledger.services.common import (
    MAX_KEY_LENGTH,
    _lock,
    check_business_date,
    lock_name,
    move_books_start,
)
from kopdes.ledger.services.entries import (
    EntryRequest,
    Posted,
    Posting,
    post,
    post_batched,
    post_many,
)
from kopdes.ledger.services.manual import (
    approve_entry_proposal,
    post_manual,
    reject_entry_proposal,
)
from kopdes.ledger.services.periods import (
    approve_period_change,
    fiscal_year_end_month,
    propose_period_change,
    propose_period_close,
    propose_period_reopen,
    reject_period_change,
)
from kopdes.ledger.services.reversal import (
    LEDGER_REVERSIBLE_SOURCES,
    approve_reversal,
    propose_reversal,
    reject_reversal,
)

__all__ = [
    "LEDGER_REVERSIBLE_SOURCES",
    "MAX_KEY_LENGTH",
    "BookReads",
    "EntryRequest",
    "IdempotencyConflictError",
    "LedgerError",
    "PermissionDeniedError",
    "Posted",
    "Posting",
    "_lock",
    "approve_entry_proposal",
    "approve_period_change",
    "approve_reversal",
    "check_business_date",
    "create_account",
    "fiscal_year_end_month",
    "install_chart_of_accounts",
    "lock_name",
    "move_books_start",
    "post",
    "post_batched",
    "post_manual",
    "post_many",
    "propose_period_change",
    "propose_period_close",
    "propose_period_reopen",
    "propose_reversal",
    "reject_entry_proposal",
    "reject_period_change",
    "reject_reversal",
    "set_account_active",
    "setup_koperasi_books",
]
