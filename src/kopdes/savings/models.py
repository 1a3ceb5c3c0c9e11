"""Member savings: products, accounts, movements, withdrawal approvals, jasa runs.

Fields and constraints only; every write goes through ``services.py``. The money itself
is in the books: every movement is a journal entry posted by ``ledger.services.post`` with
the account as sub-ledger key (``subledger_kind="savings"``, ``subledger_ref=str(pk)``),
so ``kopdes verify`` proves the members' savings add up to the control accounts.
``SavingsAccount.balance`` and ``SavingsTransaction.balance_after`` are derived state kept
in the same transaction (and checked by ``verification.py``) so pages never sum lines.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kopdes.platform.approvals.models import Proposal, ProposalState
from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel
from kopdes.savings.choices import (
    AccountStatus,
    JasaBasis,
    MaturityAction,
    RatePer,
    SavingsKind,
    TxnKind,
)


class SavingsProduct(TenantModel):
    """A savings product of the koperasi (one default per kind; more sukarela/berjangka)."""

    kind = models.CharField(_("kind"), max_length=10, choices=SavingsKind.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    # Percent (exact decimal, never float): 3.0000 = 3% per ``rate_per``.
    rate_percent = models.DecimalField(
        _("interest rate (%)"), max_digits=7, decimal_places=4, default=0
    )
    rate_per = models.CharField(max_length=5, choices=RatePer.choices, default=RatePer.YEAR)
    jasa_basis = models.CharField(max_length=8, choices=JasaBasis.choices, default=JasaBasis.LOWEST)
    minimum_balance = SenField(_("minimum balance for interest (sen)"), default=0)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=0)
    # Early withdrawal of a term deposit: share of the principal, basis points (100 = 1%).
    penalty_bp = models.PositiveIntegerField(_("early withdrawal penalty (bp)"), default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="savings_product_code"),
        ]

    def __str__(self) -> str:
        return self.name


class SavingsAccount(TenantModel):
    """One member's account in one product: a sub-ledger key of a control account."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(SavingsProduct, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=SavingsKind.choices)
    number = models.CharField(_("account number"), max_length=30)
    # The control account this sub-ledger lives on (e.g. "2-1100").
    ledger_code = models.CharField(max_length=20)
    status = models.CharField(max_length=8, choices=AccountStatus.choices, default="open")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    balance = SenField(_("balance (sen)"), default=0)
    last_seq = models.PositiveIntegerField(default=0)
    # Passbook (buku simpanan): the last movement already printed.
    printed_seq = models.PositiveIntegerField(default=0)
    # Term deposits only.
    principal = SenField(default=0)
    term_months = models.PositiveSmallIntegerField(default=0)
    rate_percent = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    start_date = models.DateField(null=True, blank=True)
    maturity_date = models.DateField(null=True, blank=True)
    on_maturity = models.CharField(
        max_length=8, choices=MaturityAction.choices, default=MaturityAction.PAYOUT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="savings_account_number"),
            # One pokok, wajib and sukarela account per member and product; term deposits
            # are one account per placement.
            models.UniqueConstraint(
                fields=["koperasi", "member", "product"],
                condition=~Q(kind=SavingsKind.TERM),
                name="savings_account_one_per_product",
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="savings_account_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(printed_seq__lte=F("last_seq")), name="savings_printed_le_last"
            ),
        ]
        indexes = [
            models.Index(fields=["koperasi", "member"], name="savings_account_member"),
            models.Index(fields=["koperasi", "kind", "status"], name="savings_account_kind"),
        ]

    def __str__(self) -> str:
        return self.number


class SavingsTransaction(TenantModel):
    """One movement on an account (a passbook line). ``amount`` is signed: + into savings."""

    account = models.ForeignKey(SavingsAccount, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=TxnKind.choices)
    date = models.DateField()
    amount = SenField()
    balance_after = SenField()
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=200)
    memo = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "account", "seq"], name="savings_txn_seq"),
            # One movement of each kind per account per business operation (retries).
            models.UniqueConstraint(
                fields=["koperasi", "account", "kind", "idempotency_key"],
                name="savings_txn_idempotent",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="savings_txn_not_zero"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "account", "date"], name="savings_txn_account_date"),
            models.Index(fields=["koperasi", "member", "date"], name="savings_txn_member_date"),
            models.Index(fields=["koperasi", "kind", "date"], name="savings_txn_kind_date"),
        ]


#: The movements that may wait for a second officer (``WithdrawalRequest.kind``).
REQUEST_KINDS = [
    (TxnKind.WITHDRAWAL.value, TxnKind.WITHDRAWAL.label),
    (TxnKind.DEPOSIT.value, TxnKind.DEPOSIT.label),
]


class WithdrawalRequest(Proposal):
    """A teller movement waiting for a second officer (maker-checker, ``approvals.Proposal``):
    a withdrawal above the AD/ART ``withdrawal_approval_threshold`` or a deposit above its
    ``deposit_approval_threshold`` (``kind``). The name is the older of the two.
    ``decision_note`` is the checker's reason for a rejection."""

    account = models.ForeignKey(SavingsAccount, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=REQUEST_KINDS, default=TxnKind.WITHDRAWAL)
    amount = SenField()
    date = models.DateField()
    memo = models.CharField(max_length=200, blank=True, default="")
    idempotency_key = models.CharField(max_length=200)
    # Where the money leaves from on approval: Kas (default) or a bank account.
    counter_account = models.CharField(max_length=20, default="1-1100")
    transaction = models.ForeignKey(
        SavingsTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="savings_withdrawal_request_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="savings_withdrawal_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=[TxnKind.WITHDRAWAL, TxnKind.DEPOSIT]),
                name="savings_request_kind",
            ),
        ]


class Correction(Proposal):
    """A request to correct (koreksi) a posted teller movement, decided by a second officer
    (maker-checker, ``approvals.Proposal``; ``reason`` is the maker's, required).

    ``transaction`` is the movement asked about; ``entry`` the journal entry it was posted
    in. When the entry holds only this operation (a deposit, a withdrawal, both sides of a
    transfer) the whole entry is mirrored and the reversal points at it (``reverses``);
    when it is a collection of many members (``whole_entry`` False) only this row and its
    share of the counter line are mirrored.
    """

    transaction = models.ForeignKey(SavingsTransaction, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    whole_entry = models.BooleanField(default=True)
    # The maker's reason is required (``services.request_correction`` refuses an empty one).
    reason = models.CharField(_("reason"), max_length=500)
    date = models.DateField()
    idempotency_key = models.CharField(max_length=200)
    reversal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="savings_correction_key"
            ),
            # A movement is corrected at most once; a rejected request may be asked again.
            models.UniqueConstraint(
                fields=["koperasi", "transaction"],
                condition=~Q(state=ProposalState.REJECTED),
                name="savings_correction_once",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "entry"], name="savings_correction_entry")]


class JasaPosting(TenantModel):
    """Jasa credited to one account for one month: makes the monthly run idempotent."""

    account = models.ForeignKey(SavingsAccount, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField()  # yyyymm
    basis_amount = SenField()
    jasa_amount = SenField()
    tax_amount = SenField()
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "account", "period"], name="savings_jasa_once_per_month"
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "period"], name="savings_jasa_period")]


class OpeningImport(TenantModel):
    """An uploaded opening-balances file (its sha256 makes the upload idempotent)."""

    file_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    total_amount = SenField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "file_hash"], name="savings_opening_once"),
        ]
