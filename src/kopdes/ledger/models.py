"""The journal and what is derived from it. Fields and database constraints only.

Writes go through ``kopdes.ledger.services`` only: entries and lines are append-only
(database triggers refuse UPDATE/DELETE), balance rows are derived state that only
``services.post`` updates. See ``ledger/README.md`` for the invariants.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.domain.dates import MAX_DATE, MAX_PERIOD, MIN_DATE, MIN_PERIOD
from kopdes.ledger.choices import (
    AccountType,
    EntryKind,
    PeriodAction,
    PeriodStatus,
    Side,
    SubledgerKind,
)
from kopdes.platform.approvals.models import Proposal, ProposalState
from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel
from kopdes.platform.tenancy.choices import BusinessUnit

# The sane range of a business date (domain/dates.py): a row outside it would be a month
# nobody can close. Refused by ``post`` first, by these CHECK constraints below the ORM.
SANE_DATE = Q(date__gte=MIN_DATE) & Q(date__lte=MAX_DATE)
SANE_PERIOD = Q(period__gte=MIN_PERIOD) & Q(period__lte=MAX_PERIOD)


class Account(TenantModel):
    """One account of a koperasi's chart (bagan akun). Codes like "1-1100" or "1-1100.01"."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=12, choices=AccountType.choices)
    normal_side = models.CharField(_("normal side"), max_length=1, choices=Side.choices)
    # A contra account sits under its type but carries the opposite normal side (PPAP).
    is_contra = models.BooleanField(_("contra account"), default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Non-empty: a control account; every line on it names a sub-ledger of this kind.
    subledger_kind = models.CharField(
        _("sub-ledger"), max_length=20, choices=SubledgerKind.choices, blank=True, default=""
    )
    business_unit = models.CharField(
        _("business unit"), max_length=20, choices=BusinessUnit.choices, blank=True, default=""
    )
    # Revenue from members (partisipasi anggota) is kept apart from non-member revenue.
    is_member_revenue = models.BooleanField(_("member participation revenue"), default=False)
    is_active = models.BooleanField(_("open for posting"), default=True)
    is_template = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="ledger_account_code_unique"),
            models.CheckConstraint(
                condition=Q(normal_side__in=["D", "C"]), name="ledger_account_side_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Period(TenantModel):
    """One month of a koperasi's books. Rows exist once a month is closed (or proposed)."""

    period = models.PositiveIntegerField(_("month (yyyymm)"))
    status = models.CharField(max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "period"], name="ledger_period_unique"),
            models.CheckConstraint(
                condition=Q(period__gte=190001) & Q(period__lte=999912),
                name="ledger_period_valid",
            ),
        ]

    @property
    def year(self) -> int:
        return self.period // 100

    @property
    def month(self) -> int:
        return self.period % 100

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"


class JournalEntry(TenantModel):
    """A posted journal entry: numbered without gaps and hash-chained per koperasi."""

    # No index of its own: (koperasi, number) leads with it, and every extra index is paid
    # on each insert (bench ledger_batch).
    koperasi = models.ForeignKey(
        "tenancy.Koperasi", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.PositiveBigIntegerField(_("number"))
    date = models.DateField(_("date"))
    period = models.PositiveIntegerField(_("month (yyyymm)"))
    memo = models.CharField(_("description"), max_length=500)
    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.NORMAL)
    # Which module posted it ("manual", "savings", "loans", "store", ...) and its reference.
    source = models.CharField(_("source"), max_length=40, default="manual")
    source_ref = models.CharField(max_length=100, blank=True, default="")
    business_unit = models.CharField(
        max_length=20, choices=BusinessUnit.choices, blank=True, default=""
    )
    idempotency_key = models.CharField(max_length=200)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    total_amount = SenField(_("total debit (sen)"))
    line_count = models.PositiveSmallIntegerField()
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["number"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "number"], name="ledger_entry_number_unique"
            ),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="ledger_entry_idempotency_unique"
            ),
            # An entry is reversed at most once.
            models.UniqueConstraint(
                fields=["koperasi", "reverses"],
                condition=Q(reverses__isnull=False),
                name="ledger_entry_reversed_once",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="ledger_entry_number_positive"),
            models.CheckConstraint(
                condition=Q(total_amount__gt=0), name="ledger_entry_total_positive"
            ),
            models.CheckConstraint(condition=Q(line_count__gte=2), name="ledger_entry_two_lines"),
            models.CheckConstraint(condition=SANE_DATE, name="ledger_entry_date_sane"),
            models.CheckConstraint(condition=SANE_PERIOD, name="ledger_entry_period_sane"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "date"], name="ledger_entry_kop_date"),
            models.Index(fields=["koperasi", "source", "source_ref"], name="ledger_entry_source"),
        ]

    def __str__(self) -> str:
        return f"JU-{self.number:06d}"


class JournalLine(TenantModel):
    """One debit or credit of an entry. Date, month and unit are copied for fast reports."""

    # (koperasi, account, date) leads with it: see JournalEntry.koperasi.
    koperasi = models.ForeignKey(
        "tenancy.Koperasi", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = SenField(_("amount (sen)"))
    date = models.DateField()
    period = models.PositiveIntegerField()
    business_unit = models.CharField(
        max_length=20, choices=BusinessUnit.choices, blank=True, default=""
    )
    subledger_kind = models.CharField(
        max_length=20, choices=SubledgerKind.choices, blank=True, default=""
    )
    subledger_ref = models.CharField(max_length=64, blank=True, default="")
    memo = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["entry", "line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "entry", "line_no"], name="ledger_line_no_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_line_amount_positive"),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="ledger_line_side_valid"),
            models.CheckConstraint(condition=SANE_DATE, name="ledger_line_date_sane"),
            models.CheckConstraint(condition=SANE_PERIOD, name="ledger_line_period_sane"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "account", "date"], name="ledger_line_account_date"),
            models.Index(
                fields=["koperasi", "subledger_kind", "subledger_ref", "date"],
                name="ledger_line_subledger",
            ),
        ]


class AccountBalance(TenantModel):
    """Debit and credit totals of one account, business unit and month (derived state).

    ``business_unit`` "" collects lines without a unit. Sum the rows for an account's
    total; closing balance at a month = sum of rows with ``period`` <= that month.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    business_unit = models.CharField(max_length=20, blank=True, default="")
    period = models.PositiveIntegerField()
    debit_total = SenField(default=0)
    credit_total = SenField(default=0)

    class Meta:
        ordering = ["account", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "account", "business_unit", "period"],
                name="ledger_balance_unique",
            ),
            models.CheckConstraint(condition=SANE_PERIOD, name="ledger_balance_period_sane"),
        ]


class SubledgerBalance(TenantModel):
    """Debit and credit totals of one sub-ledger key (e.g. a member's savings) per month."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    subledger_kind = models.CharField(max_length=20, choices=SubledgerKind.choices)
    subledger_ref = models.CharField(max_length=64)
    period = models.PositiveIntegerField()
    debit_total = SenField(default=0)
    credit_total = SenField(default=0)

    class Meta:
        ordering = ["subledger_kind", "subledger_ref", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "account", "subledger_kind", "subledger_ref", "period"],
                name="ledger_subledger_balance_unique",
            ),
            models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_subledger_balance_period_sane"
            ),
        ]
        indexes = [
            models.Index(
                fields=["koperasi", "subledger_kind", "subledger_ref"],
                name="ledger_sl_balance_ref",
            )
        ]


class ReversalProposal(Proposal):
    """An officer asks to reverse an entry; another officer approves (maker-checker, the
    one ``approvals.models.Proposal``: maker, checker, state, four-eyes constraint)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    # The maker's reason is required here (``propose_reversal`` refuses an empty one).
    reason = models.CharField(_("reason"), max_length=500)
    date = models.DateField(_("reversal date"))
    reversal_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "entry"],
                condition=Q(state=ProposalState.PENDING),
                name="ledger_one_pending_reversal",
            ),
        ]


class PeriodProposal(Proposal):
    """The bendahara proposes closing (or reopening) a month; the ketua approves."""

    period = models.PositiveIntegerField(_("month (yyyymm)"))
    action = models.CharField(max_length=8, choices=PeriodAction.choices)
    closing_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "period"],
                condition=Q(state=ProposalState.PENDING),
                name="ledger_one_pending_period_proposal",
            ),
        ]


class EntryProposal(Proposal):
    """A manual journal entry dated further back than the AD/ART ``backdate_approval_days``
    allows: it waits for another officer (maker-checker, like ``ReversalProposal``) and is
    posted, with every date check made again, when approved. ``reason`` says how far back
    it is dated (written by ``post_manual``)."""

    date = models.DateField(_("date"))
    memo = models.CharField(_("description"), max_length=500)
    business_unit = models.CharField(max_length=20, blank=True, default="")
    lines = models.JSONField(_("lines"))  # LineDraft.as_dict() of each line
    total_amount = SenField(_("total debit (sen)"))
    idempotency_key = models.CharField(max_length=200)
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="ledger_entry_proposal_key_unique"
            ),
        ]


# Receipts attached to entries live in their own module (issue 3, pages); imported here so
# Django registers the model.
from kopdes.ledger.attachments import EntryAttachment  # noqa: E402, F401
