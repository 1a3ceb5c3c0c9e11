"""Writes to member savings: deposits, withdrawals (maker-checker above the AD/ART
threshold), transfers, simpanan pokok (activates the member), term deposits, the monthly
jasa run and the settlement on exit.

Every movement is one journal entry through ``ledger.services.post`` with one line per
savings account on its control account (``subledger_kind="savings"``,
``subledger_ref=str(account.pk)``), so the members' sub-ledger always equals the control
accounts. Each function runs in one transaction that first takes the koperasi's ledger
lock (``lock_chain("ledger:<id>")``: a PostgreSQL advisory lock; on SQLite the
``BEGIN IMMEDIATE`` write lock), then reads balances, so two withdrawals can never both
see the same balance (T3). Every call carries an idempotency key: a retry with the same
key and content returns the first result; the same key with other content is a 409.
"""

from kopdes.savings.errors import SavingsError
from kopdes.savings.services._common import (
    KIND_LETTER,
    LIABILITY_CODES,
    MEMOS,
    SUBLEDGER,
    _backdated,
    _business_date,
    _check_date,
    _check_key,
    _closed,
    _lock,
    _not_enough,
    _refuse_backdated_deposit,
    _require_member_active,
    check_amount,
)
from kopdes.savings.services.accounts import (
    DEFAULT_PRODUCTS,
    _ensure_liability_accounts,
    _new_account,
    account_for,
    default_product,
    ensure_products,
    ledger_code,
    open_account,
)
from kopdes.savings.services.batch import post_cash_batch
from kopdes.savings.services.corrections import (
    CORRECTABLE_KINDS,
    CORRECTABLE_SOURCES,
    _already_corrected,
    _check_reason,
    _correction_scope,
    _counter_lines,
    _refuse_negative,
    _undo_activation,
    approve_correction,
    reject_correction,
    request_correction,
)
from kopdes.savings.services.exit import settle_member_exit
from kopdes.savings.services.jasa import (
    JASA_BATCH,
    JasaRun,
    _AccountRef,
    _post_entries,
    _post_jasa,
    post_monthly_jasa,
)
from kopdes.savings.services.movement import (
    Move,
    _apply,
    _apply_batched,
    _cash,
    _ledger_key,
    _MemberState,
    _replay,
    _single,
    resolve_counter_account,
)
from kopdes.savings.services.passbook import mark_passbook_printed
from kopdes.savings.services.teller import deposit, pay_principal, withdraw
from kopdes.savings.services.term_deposits import (
    _member_month_jasa,
    _month_bounds,
    _rate,
    break_term_deposit,
    place_term_deposit,
    settle_term_deposit,
)
from kopdes.savings.services.transfers import (
    TRANSFER_TARGETS,
    _transfer_inputs,
    check_transfer,
    transfer,
)
from kopdes.savings.services.withdrawals import (
    WithdrawalCheck,
    _refuse_second_request,
    _request_withdrawal,
    _withdrawal_inputs,
    _withdrawal_waits,
    approve_withdrawal,
    check_withdrawal,
    reject_withdrawal,
)

__all__ = [
    "CORRECTABLE_KINDS",
    "CORRECTABLE_SOURCES",
    "DEFAULT_PRODUCTS",
    "JASA_BATCH",
    "KIND_LETTER",
    "LIABILITY_CODES",
    "MEMOS",
    "SUBLEDGER",
    "TRANSFER_TARGETS",
    "JasaRun",
    "Move",
    "SavingsError",
    "WithdrawalCheck",
    "_AccountRef",
    "_MemberState",
    "_already_corrected",
    "_apply",
    "_apply_batched",
    "_backdated",
    "_business_date",
    "_cash",
    "_check_date",
    "_check_key",
    "_check_reason",
    "_closed",
    "_correction_scope",
    "_counter_lines",
    "_ensure_liability_accounts",
    "_ledger_key",
    "_lock",
    "_member_month_jasa",
    "_month_bounds",
    "_new_account",
    "_not_enough",
    "_post_entries",
    "_post_jasa",
    "_rate",
    "_refuse_backdated_deposit",
    "_refuse_negative",
    "_refuse_second_request",
    "_replay",
    "_request_withdrawal",
    "_require_member_active",
    "_single",
    "_transfer_inputs",
    "_undo_activation",
    "_withdrawal_inputs",
    "_withdrawal_waits",
    "account_for",
    "approve_correction",
    "approve_withdrawal",
    "break_term_deposit",
    "check_amount",
    "check_transfer",
    "check_withdrawal",
    "default_product",
    "deposit",
    "ensure_products",
    "ledger_code",
    "mark_passbook_printed",
    "open_account",
    "pay_principal",
    "place_term_deposit",
    "post_cash_batch",
    "post_monthly_jasa",
    "reject_correction",
    "reject_withdrawal",
    "request_correction",
    "resolve_counter_account",
    "settle_member_exit",
    "settle_term_deposit",
    "transfer",
    "withdraw",
]
