"""Loans to members and the koperasi's own bank loan.

Fields and constraints only; every write goes through ``services.py``. The money is in the
books: every disbursement, repayment, restructuring and write-off is one journal entry
posted by ``ledger.services.post`` with the loan as sub-ledger key on 1-1300
(``subledger_kind="loans"``, ``subledger_ref=str(loan.pk)``). ``Loan.principal_paid`` and
the installment rows are derived state kept in the same transaction and checked by
``verification.py`` against the sub-ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kopdes.loans.choices import (
    Channel,
    CollateralBinding,
    DisbursementMethod,
    FeeMode,
    Kolektibilitas,
    LoanMethod,
    LoanStatus,
    PaymentSource,
    PenaltyPer,
    ProposalKind,
    RatePer,
    Rounding,
)
from kopdes.platform.approvals.models import Proposal, ProposalState
from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel

USER = settings.AUTH_USER_MODEL


class LoanProduct(TenantModel):
    """A loan product (jenis pinjaman): method, rate, tenor range, fees, denda, plafond."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    method = models.CharField(_("method"), max_length=8, choices=LoanMethod.choices)
    # Percent, exact decimal (never float): 1.5000 = 1.5% per ``rate_per``.
    rate_percent = models.DecimalField(_("interest rate (%)"), max_digits=7, decimal_places=4)
    rate_per = models.CharField(_("rate per"), max_length=5, choices=RatePer.choices)
    rounding = models.CharField(
        _("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.RUPIAH
    )
    term_min = models.PositiveSmallIntegerField(_("shortest term (months)"), default=1)
    term_max = models.PositiveSmallIntegerField(_("longest term (months)"), default=12)
    # Basis points of the principal (100 = 1%), income at disbursement.
    admin_fee_bp = models.PositiveIntegerField(_("admin fee (bp)"), default=0)
    provisi_bp = models.PositiveIntegerField(_("provisi (bp)"), default=0)
    fee_mode = models.CharField(max_length=9, choices=FeeMode.choices, default=FeeMode.DEDUCTED)
    penalty_bp = models.PositiveIntegerField(_("denda rate (bp)"), default=0)
    penalty_per = models.CharField(
        max_length=5, choices=PenaltyPer.choices, default=PenaltyPer.MONTH
    )
    penalty_grace_days = models.PositiveSmallIntegerField(_("denda grace days"), default=0)
    # Plafond: at most ``savings_multiple`` x the member's savings (0 = no such rule) and at
    # most ``plafond_max`` sen (0 = no cap).
    savings_multiple = models.PositiveSmallIntegerField(_("savings multiple"), default=0)
    plafond_max = SenField(_("plafond cap (sen)"), default=0)
    requirements = models.TextField(_("guarantor / collateral notes"), blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="loan_product_code"),
            models.CheckConstraint(
                condition=Q(term_min__lte=F("term_max")), name="loan_term_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Loan(TenantModel):
    """One loan from application to closing. ``number`` is gap-free per koperasi."""

    number = models.CharField(max_length=20)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=LoanStatus.choices, default=LoanStatus.APPLIED)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.COUNTER)
    # Terms (copied from the product when applying, so a product change never moves them).
    principal = SenField(_("principal (sen)"))
    term = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(max_length=8, choices=LoanMethod.choices)
    rate_percent = models.DecimalField(max_digits=7, decimal_places=4)
    rate_per = models.CharField(max_length=5, choices=RatePer.choices)
    rounding = models.CharField(max_length=10, choices=Rounding.choices)
    grace_periods = models.PositiveSmallIntegerField(default=0)
    admin_fee = SenField(default=0)
    provisi = SenField(default=0)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True, default="")
    declared_income = SenField(_("monthly income (sen)"), default=0)
    declared_expense = SenField(_("monthly expense (sen)"), default=0)
    # The collateral's appraised value and how it is bound; the PPAP counts the appraised
    # value times the AD/ART factor of the binding (``domain.loans.Collateral``).
    collateral_value = SenField(_("appraised collateral value (sen)"), default=0)
    collateral_binding = models.CharField(
        _("collateral binding"),
        max_length=16,
        choices=CollateralBinding.choices,
        default=CollateralBinding.NONE,
    )
    collateral_note = models.CharField(max_length=300, blank=True, default="")
    guarantor_note = models.CharField(max_length=300, blank=True, default="")
    applied_on = models.DateField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=150, blank=True, default="")
    # Decision.
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True, default="")
    # Disbursement.
    disbursed_on = models.DateField(null=True, blank=True)
    disbursed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disbursement_method = models.CharField(
        max_length=8, choices=DisbursementMethod.choices, blank=True, default=""
    )
    disbursement_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Running figures (derived, kept by services in the posting's transaction).
    principal_paid = SenField(default=0)
    interest_paid = SenField(default=0)
    penalty_paid = SenField(default=0)
    prepaid = SenField(default=0)  # principal paid ahead of the schedule
    written_off_amount = SenField(default=0)
    recovered_amount = SenField(default=0)
    closed_on = models.DateField(null=True, blank=True)
    # The daily job's view of the loan.
    restructured = models.BooleanField(default=False)
    restructured_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dpd = models.PositiveIntegerField(_("days past due"), default=0)
    kolektibilitas = models.PositiveSmallIntegerField(
        choices=Kolektibilitas.choices, default=Kolektibilitas.LANCAR
    )
    ppap_required = SenField(default=0)
    assessed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["koperasi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="loan_number_unique"),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="loan_application_key_unique",
            ),
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(
                condition=Q(principal_paid__gte=0) & Q(principal_paid__lte=F("principal")),
                name="loan_principal_paid_range",
            ),
            # Maker-checker below the ORM too: the maker never decides their own application.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("created_by")),
                name="loan_checker_not_maker",
            ),
        ]
        indexes = [
            models.Index(fields=["koperasi", "status"], name="loan_status"),
            models.Index(fields=["koperasi", "member"], name="loan_member"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> int:
        """Principal still owed (sen); 0 before disbursement and after closing."""
        if self.status != LoanStatus.ACTIVE:
            return 0
        return self.principal - self.principal_paid


class Installment(TenantModel):
    """One row of a loan's schedule, with what has been paid on it."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    period = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal = SenField()
    interest = SenField()
    balance = SenField()  # scheduled principal left after this installment
    principal_paid = SenField(default=0)
    interest_paid = SenField(default=0)
    penalty_paid = SenField(default=0)
    paid_on = models.DateField(null=True, blank=True)  # fully paid on

    class Meta:
        ordering = ["loan", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "loan", "period"], name="loan_installment_period"
            ),
            models.CheckConstraint(
                condition=Q(principal_paid__lte=F("principal"))
                & Q(interest_paid__lte=F("interest")),
                name="loan_installment_not_overpaid",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "paid_on", "due_date"], name="loan_inst_due")]

    @property
    def installment(self) -> int:
        return self.principal + self.interest

    @property
    def unpaid(self) -> int:
        return self.principal + self.interest - self.principal_paid - self.interest_paid


class Repayment(TenantModel):
    """One payment on a loan (angsuran or pelunasan), split denda -> jasa -> pokok."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    date = models.DateField()
    amount = SenField()
    penalty = SenField(default=0)
    interest = SenField(default=0)
    principal = SenField(default=0)
    source = models.CharField(max_length=8, choices=PaymentSource.choices)
    is_payoff = models.BooleanField(default=False)
    # Pelunasan dipercepat: the member asked to pay principal ahead of the schedule (the
    # rest of it was re-amortised) or to pay the loan off; the receipt says so.
    accelerated = models.BooleanField(default=False)
    # Which installments this payment paid: [[period, denda, jasa, pokok], ...] (sen);
    # principal paid ahead of the schedule (accelerated) is ``principal`` less these.
    allocation = models.JSONField(default=list, blank=True)
    outstanding_after = SenField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=150)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The loan just before this payment: {"loan": {paid figures, prepaid, status,
    # closed_on, dpd, ppap_required}, "rows": [[period, due_date, principal, interest,
    # balance, principal_paid, interest_paid, penalty_paid, paid_on], ...]}, so a reversal
    # restores the schedule exactly, including a re-amortisation the payment caused.
    state_before = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["loan", "date", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="loan_repayment_key_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_repayment_positive"),
            models.CheckConstraint(
                condition=Q(amount=F("penalty") + F("interest") + F("principal")),
                name="loan_repayment_split_sums",
            ),
        ]


class RepaymentReversal(Proposal):
    """Maker-checker correction of a posted repayment (koreksi pembayaran), a ``Proposal``:
    one officer asks with a reason (``proposed_by``, ``reason``), another decides
    (``decided_by``, never the maker: the base's ``loans_repaymentreversal_four_eyes``);
    approval posts the mirror entry (``reverses`` the repayment's entry) and restores the
    installment rows from ``Repayment.state_before``."""

    repayment = models.ForeignKey(Repayment, on_delete=models.PROTECT, related_name="reversals")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)  # required, as before
    date = models.DateField()  # the reversal entry's date
    idempotency_key = models.CharField(max_length=150)
    reversal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        ordering = ["koperasi", "-proposed_at"]
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="loan_reversal_key_unique"
            ),
            # A repayment is reversed at most once and has at most one open request.
            models.UniqueConstraint(
                fields=["koperasi", "repayment"],
                condition=~Q(state=ProposalState.REJECTED),
                name="loan_reversal_one_per_repayment",
            ),
        ]


class Relationship(TenantModel):
    """An officer's family tie to a member, kept by the ketua: that officer may never
    approve this member's loan (DOMAIN.md §3)."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation"), max_length=40)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["koperasi", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "user", "member"], name="loan_relationship_unique"
            )
        ]


class LoanProposal(Proposal):
    """Maker-checker for restructuring (ketua approves) and write-off (ketua AND pengawas),
    a ``Proposal``. ``decided_by`` is the (first) approver or the officer who rejected; a
    write-off's second approver is ``second_approved_by`` (neither the maker nor the
    first approver: ``loan_proposal_second_checker``). The proposal stays pending until
    the second half of a write-off."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(max_length=12, choices=ProposalKind.choices)
    reason = models.CharField(_("reason"), max_length=300)  # required, as before
    # Restructuring: {"term", "rate_percent", "rate_per", "method", "grace_periods",
    # "capitalised_interest", "start_date"}.
    params = models.JSONField(default=dict, blank=True)
    second_approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        ordering = ["koperasi", "-proposed_at"]
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "loan", "kind"],
                condition=Q(state=ProposalState.PENDING),
                name="loan_one_open_proposal",
            ),
            models.CheckConstraint(
                condition=Q(second_approved_by__isnull=True)
                | (
                    ~Q(second_approved_by=F("proposed_by")) & ~Q(second_approved_by=F("decided_by"))
                ),
                name="loan_proposal_second_checker",
            ),
        ]


class PpapRun(TenantModel):
    """The month-end loan-loss provision: only the change against the allowance is posted."""

    period = models.PositiveIntegerField()  # yyyymm
    date = models.DateField()
    required = SenField()
    previous = SenField()
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "period"], name="loan_ppap_run_period")
        ]


class BankLoan(TenantModel):
    """The koperasi's own borrowing (e.g. the Himbara loan): a liability on 2-2100."""

    lender = models.CharField(_("lender"), max_length=100)
    reference = models.CharField(_("contract number"), max_length=60, blank=True, default="")
    plafond = SenField(_("plafond (sen)"))
    rate_percent = models.DecimalField(max_digits=7, decimal_places=4)  # per year
    term = models.PositiveSmallIntegerField()  # months
    grace_periods = models.PositiveSmallIntegerField(default=0)
    due_day = models.PositiveSmallIntegerField(default=12)
    method = models.CharField(max_length=8, choices=LoanMethod.choices, default=LoanMethod.ANUITAS)
    start_date = models.DateField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(plafond__gt=0), name="bank_loan_plafond_positive")
        ]

    def __str__(self) -> str:
        return f"{self.lender} {self.reference}".strip()


class BankLoanMovement(TenantModel):
    """A drawdown (principal in), or a payment of principal and interest (out)."""

    class Kind(models.TextChoices):
        DRAWDOWN = "drawdown", _("Drawdown")
        PAYMENT = "payment", _("Installment payment")

    bank_loan = models.ForeignKey(BankLoan, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    date = models.DateField()
    principal = SenField(default=0)
    interest = SenField(default=0)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=150)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["bank_loan", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="bank_loan_movement_key"
            )
        ]
