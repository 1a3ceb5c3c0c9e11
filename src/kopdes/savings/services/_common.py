"""What several savings services share: the sub-ledger constants, journal memos, the ledger
lock and the argument and date checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain.money import MAX_SEN, format_rupiah
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import LedgerError
from kopdes.members.choices import MemberStatus
from kopdes.platform.core.locks import lock_chain
from kopdes.savings.choices import (
    SavingsKind,
    TxnKind,
)
from kopdes.savings.errors import SavingsError

SUBLEDGER = "savings"
KIND_LETTER = {
    SavingsKind.PRINCIPAL: "P",
    SavingsKind.MANDATORY: "W",
    SavingsKind.VOLUNTARY: "S",
    SavingsKind.TERM: "B",
}
# Liability codes used for pokok/wajib when AD/ART sets pokok_wajib_as_equity = False.
LIABILITY_CODES = {SavingsKind.PRINCIPAL: "2-1610", SavingsKind.MANDATORY: "2-1620"}
# Memos the services write into the journal and the passbook, in the koperasi's language
# whatever the officer's (``core.booktext``).
MEMOS = {
    TxnKind.DEPOSIT: gettext_lazy("Deposit %(number)s"),
    TxnKind.WITHDRAWAL: gettext_lazy("Withdrawal %(number)s"),
    "pokok": gettext_lazy("Principal savings %(member)s"),
    "to": gettext_lazy("To %(number)s"),
    "from": gettext_lazy("From %(number)s"),
    "transfer": gettext_lazy("Transfer %(source)s to %(target)s"),
    "term": gettext_lazy("Term deposit %(number)s"),
    "maturity": gettext_lazy("Maturity %(number)s"),
    "break": gettext_lazy("Early withdrawal %(number)s"),
    "jasa": gettext_lazy("Interest (jasa) %(month)s"),
    "jasa_tax": gettext_lazy("Tax on interest (jasa) %(month)s"),
    "jasa_run": gettext_lazy("Interest (jasa) on voluntary savings %(month)s"),
    "exit": gettext_lazy("Savings returned to leaving member %(member)s"),
    "correction": gettext_lazy("Correction of journal %(number)s: %(reason)s"),
    "correction_row": gettext_lazy("Correction of #%(seq)s: %(reason)s"),
    "term_jasa": gettext_lazy("Interest (jasa) on the term deposit"),
    "tax": gettext_lazy("Tax on interest"),
    "payout": gettext_lazy("Payout"),
    "penalty": gettext_lazy("Early withdrawal penalty"),
    "early": gettext_lazy("Early withdrawal"),
    "returned": gettext_lazy("Savings returned"),
}


# --- helpers ------------------------------------------------------------------------------


def _lock(koperasi) -> None:
    # The ledger's own lock: balance check and posting are serialised with every posting.
    lock_chain(ledger.lock_name(koperasi))


def check_amount(amount: Any) -> int:
    """A positive amount in sen, at most 10^15 rupiah (ints only: parse text in the view)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise SavingsError(_("The amount must be a whole number of sen."), field="amount")
    if amount <= 0:
        raise SavingsError(_("The amount must be more than zero."), field="amount")
    if amount > MAX_SEN:
        raise SavingsError(_("The amount is too large."), field="amount")
    return amount


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise SavingsError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > 150:
        raise SavingsError(_("The idempotency key is too long."), field="idempotency_key")
    return key


def _check_date(date) -> dt.date:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise SavingsError(_("The date is not valid."), field="date")
    return date


def _not_enough(number: str, balance: int) -> SavingsError:
    """The refusal of a movement that would take account ``number`` below zero."""
    return SavingsError(
        _("The balance of %(number)s is not enough: %(balance)s available. Nothing was recorded.")
        % {"number": number, "balance": format_rupiah(balance)},
        field="amount",
    )


def _closed(number: str) -> SavingsError:
    return SavingsError(_("Account %(number)s is closed.") % {"number": number}, field="account")


def _business_date(koperasi, date: dt.date, account=None) -> dt.date:
    """The ledger's business-date rule (books start .. today, no closed month) plus the
    account's opening; for requests checked before anything is posted."""
    try:
        return ledger.check_business_date(
            koperasi, date, opened_on=account.opened_on if account is not None else None
        )
    except LedgerError as exc:
        raise SavingsError(exc.message, field="date") from exc


def _backdated(koperasi, date: dt.date) -> bool:
    """A teller movement dated further back than the AD/ART allows waits for a second
    officer (``domain.dates.needs_second_officer``)."""
    return dates.needs_second_officer(
        date, today=koperasi.today(), approval_days=koperasi.adart.backdate_approval_days
    )


def _refuse_backdated_deposit(koperasi, date: dt.date, account=None) -> None:
    """Simpanan pokok dated further back than the AD/ART allows is not taken at the
    counter (paying it activates the member, which no request can wait for)."""
    if _backdated(koperasi, date):
        _business_date(koperasi, date, account)  # an impossible date says so first
        raise SavingsError(
            dates.backdate_message(
                date,
                today=koperasi.today(),
                approval_days=koperasi.adart.backdate_approval_days,
            )
            + " "
            + _(
                "Simpanan pokok cannot wait for approval: record it with today's date and "
                "note the real date in the description."
            ),
            field="date",
        )


def _require_member_active(member, *, allow_candidate: bool = False) -> None:
    allowed = {MemberStatus.ACTIVE} | ({MemberStatus.CANDIDATE} if allow_candidate else set())
    if member.status not in allowed:
        raise SavingsError(
            _("Savings are only for active members; %(member)s is not an active member.")
            % {"member": member.number},
            field="member",
        )
