"""Writes for loans to members and the koperasi's own bank loan.

Every money movement is one journal entry through ``ledger.services.post`` with the loan
as sub-ledger key on 1-1300 (``subledger_kind="loans"``, ``subledger_ref=str(loan.pk)``).
Each function runs in one transaction that first takes the koperasi's ledger lock
(``lock_chain("ledger:<id>")``: a PostgreSQL advisory lock; on SQLite the ``BEGIN
IMMEDIATE`` write lock) and only then re-reads the loan, so two repayments racing each
other never both see the same outstanding amount (T3). Money commands carry an
idempotency key: the same key and content returns the first result; the same key with
other content is a 409 (``ConflictError``) and writes nothing.

Maker-checker (DOMAIN.md §3, reliability T16): the officer who entered an application
never decides it, nor does the member themself or an officer recorded as the member's
relative (``Relationship``); above the AD/ART ``loan_approval_threshold`` only the ketua
approves. Restructuring is proposed by one officer and approved by the ketua; a write-off
needs the ketua AND a pengawas, both other than the proposer.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain import loans as engine
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import MAX_SEN, divide_round, format_rupiah
from kopdes.ledger import chart
from kopdes.ledger import selectors as ledger_selectors
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import EntryKind
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.ledger.models import AccountBalance
from kopdes.loans.choices import (
    Channel,
    CollateralBinding,
    DisbursementMethod,
    FeeMode,
    Kolektibilitas,
    LoanStatus,
    PaymentSource,
    ProposalKind,
    ProposalState,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.holidays import next_working_day
from kopdes.loans.models import (
    BankLoan,
    BankLoanMovement,
    Installment,
    Loan,
    LoanProduct,
    LoanProposal,
    PpapRun,
    Relationship,
    Repayment,
    RepaymentReversal,
)
from kopdes.members.choices import MemberStatus
from kopdes.platform.audit.services import Prefetch as AuditPrefetch
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.locks import lock_chain, lock_statement
from kopdes.platform.core.rows import execute_batch, execute_groups, insert_statements
from kopdes.platform.core.rows import insert as insert_rows
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.permissions import RANK, has_perm
from kopdes.platform.identity.selectors import require_perm, roles_for

SUBLEDGER = "loans"
BP = 10_000
MAX_KEY = 150
# Journal memos, in the koperasi's language whatever the officer's (``core.booktext``).
MEMOS = {
    "disburse": gettext_lazy("Loan disbursement %(loan)s %(member)s"),
    "disburse_line": gettext_lazy("Loan disbursement %(loan)s"),
    "payment": gettext_lazy("Loan payment %(loan)s"),
    "payoff": gettext_lazy("Payoff of loan %(loan)s"),
    "accelerated": gettext_lazy("Accelerated payoff of loan %(loan)s"),
    "installment": gettext_lazy("Installment of loan %(loan)s"),
    "reversal": gettext_lazy("Correction of loan payment %(loan)s (journal %(entry)s): %(reason)s"),
    "reversal_line": gettext_lazy("Correction of loan payment %(loan)s"),
    "ppap": gettext_lazy("PPAP %(month)s: %(amount)s required"),
    "restructure": gettext_lazy("Restructuring of %(loan)s into %(new)s"),
    "write_off": gettext_lazy("Write-off of loan %(loan)s"),
    "recovery": gettext_lazy("Recovery of written-off loan %(loan)s"),
    "bank_received": gettext_lazy("Bank loan received %(bank_loan)s"),
    "bank_installment": gettext_lazy("Bank loan installment %(bank_loan)s"),
}


# --- helpers ------------------------------------------------------------------------------


def _roles(actor, koperasi) -> frozenset:
    if actor is None:
        return frozenset()
    return roles_for(actor, koperasi)


def _label(roles) -> str:
    """The one role recorded on loan audit events: the highest-ranked of the actor's roles
    in this koperasi (the role that carried the decision)."""
    if not roles:
        return ""
    return str(max(roles, key=lambda r: (RANK[Role(r)], str(r))))


def _lock_name(koperasi) -> str:
    # The ledger's lock: every loan write is serialised with every posting of the koperasi.
    return ledger.lock_name(koperasi)


def _lock(koperasi) -> None:
    lock_chain(_lock_name(koperasi))


def _amount(value: Any, field: str = "amount") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LoanError(_("The amount must be a whole number of sen."), field=field)
    if value <= 0:
        raise LoanError(_("The amount must be more than zero."), field=field)
    if value > MAX_SEN:
        raise LoanError(_("The amount is too large."), field=field)
    return value


def _key(value: str) -> str:
    key = (value or "").strip()
    if not key:
        raise LoanError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > MAX_KEY:
        raise LoanError(_("The idempotency key is too long."), field="idempotency_key")
    return key


def _date(value) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise LoanError(_("The date is not valid."), field="date")
    return value


def _business_date(koperasi, date: dt.date, loan: Loan | None = None) -> dt.date:
    """The ledger's business-date rule (books start .. today in the koperasi's time zone,
    no closed month) plus, for a loan's movement, not before its disbursement."""
    try:
        return ledger.check_business_date(
            koperasi,
            date,
            opened_on=loan.disbursed_on if loan is not None else None,
            opened_what="tanggal pencairan pinjaman",
        )
    except LedgerError as exc:
        raise LoanError(exc.message, field="date") from exc


def _not_before_disbursement(loan: Loan, date: dt.date) -> None:
    try:
        dates.check_not_before_opening(date, loan.disbursed_on, "tanggal pencairan pinjaman")
    except dates.BusinessDateError as exc:
        raise LoanError(exc.message, field="date") from exc


def _percent(value: Any, field: str = "rate_percent") -> Decimal:
    if isinstance(value, float | bool):
        raise LoanError(_("The interest rate must be an exact number."), field=field)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise LoanError(_("The interest rate is not a number."), field=field) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise LoanError(_("The interest rate must be between 0 and 100%."), field=field)
    return number.quantize(Decimal("0.0001"))


def _bp_of(amount: int, bp: int) -> int:
    """``bp`` basis points of ``amount`` sen, half-up to the rupiah."""
    return divide_round(amount * bp, BP * 100) * 100


def _post(
    koperasi,
    *,
    actor,
    date,
    memo,
    lines,
    key,
    source,
    source_ref="",
    reverses=None,
    audited_by_caller=True,
    prefetched=None,
    writes=None,
):
    """Post through the ledger. The loan services record their own audit event naming the
    entry, so the ledger's is skipped unless ``audited_by_caller=False``. ``prefetched``
    and ``writes``: see ``ledger.post`` (the repayment's two round trips under the lock)."""
    extra = {} if reverses is None else {"reverses": reverses, "kind": EntryKind.REVERSAL}
    try:
        return ledger.post(
            koperasi,
            actor=actor,
            date=date,
            memo=memo[:200],
            lines=[line for line in lines if line.amount > 0],
            idempotency_key=key,
            source=source,
            source_ref=source_ref,
            audited_by_caller=audited_by_caller,
            prefetched=prefetched,
            writes=writes,
            **extra,
        )
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise LoanError(exc.message, field=exc.field) from exc


def _loan_line(side: str, loan: Loan, amount: int) -> LineDraft:
    make = LineDraft.debit if side == "D" else LineDraft.credit
    return make(
        chart.LOANS_RECEIVABLE,
        amount,
        subledger_kind=SUBLEDGER,
        subledger_ref=str(loan.pk),
        memo=loan.number,
    )


def _savings_move(member, *, actor, date, amount: int, key: str, memo: str, account=None):
    """Move ``amount`` sen into (+) or out of (-) the member's sukarela through the savings
    app's own service, against cash (the loan entry takes or gives that cash)."""
    from kopdes.savings import services as savings
    from kopdes.savings.choices import AccountStatus, SavingsKind, TxnKind
    from kopdes.savings.errors import SavingsError
    from kopdes.savings.models import SavingsAccount

    if account is None:
        account = (
            SavingsAccount.objects.filter(
                koperasi=member.koperasi,
                member=member,
                kind=SavingsKind.VOLUNTARY,
                status=AccountStatus.OPEN,
            )
            .order_by("opened_on", "number")
            .first()
        )
    if account is None or account.member_id != member.pk:
        raise LoanError(
            _("%(member)s has no open voluntary savings account.") % {"member": member.number},
            field="savings_account",
        )
    kind = TxnKind.DEPOSIT if amount > 0 else TxnKind.WITHDRAWAL
    try:
        savings.post_cash_batch(
            member.koperasi,
            actor=actor,
            date=date,
            moves=[savings.Move(account, kind, amount, memo[:200])],
            idempotency_key=key,
            memo=memo,
            source="loans.savings",
        )
    except SavingsError as exc:
        raise LoanError(exc.message, field=exc.field) from exc
    return account


# --- products -----------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "code",
    "name",
    "method",
    "rate_percent",
    "rate_per",
    "rounding",
    "term_min",
    "term_max",
    "admin_fee_bp",
    "provisi_bp",
    "fee_mode",
    "penalty_bp",
    "penalty_per",
    "penalty_grace_days",
    "savings_multiple",
    "plafond_max",
    "requirements",
)


def create_product(koperasi, *, actor, data: dict[str, Any]) -> LoanProduct:
    """Add a loan product; every figure is checked before anything is written."""
    roles = require_perm(actor, koperasi, "loans.manage_products")
    clean = clean_product(data)
    with transaction.atomic():
        if LoanProduct.objects.filter(koperasi=koperasi, code=clean["code"]).exists():
            raise LoanError(_("A loan product with this code already exists."), field="code")
        product = LoanProduct.objects.create(koperasi=koperasi, **clean)
        record(
            "loans.product.created",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=product,
            summary={"code": product.code, "rate": str(product.rate_percent)},
        )
    return product


def clean_product(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a product's settings (used by the form and the service)."""
    from kopdes.loans.choices import FeeMode, LoanMethod, PenaltyPer, RatePer, Rounding

    out = {k: data.get(k) for k in PRODUCT_FIELDS if k in data}
    out["code"] = str(out.get("code") or "").strip()[:20]
    out["name"] = str(out.get("name") or "").strip()[:100]
    if not out["code"] or not out["name"]:
        raise LoanError(_("The product code and name are required."), field="code")
    for name, choices in (
        ("method", LoanMethod),
        ("rate_per", RatePer),
        ("rounding", Rounding),
        ("fee_mode", FeeMode),
        ("penalty_per", PenaltyPer),
    ):
        value = str(out.get(name) or choices.values[0])
        if value not in choices.values:
            raise LoanError(_("Unknown choice for %(field)s.") % {"field": name}, field=name)
        out[name] = value
    out["rate_percent"] = _percent(out.get("rate_percent", "0"))
    for name in (
        "term_min",
        "term_max",
        "admin_fee_bp",
        "provisi_bp",
        "penalty_bp",
        "penalty_grace_days",
        "savings_multiple",
        "plafond_max",
    ):
        value = out.get(name, 0) or 0
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise LoanError(_("This figure must be a whole number, not negative."), field=name)
        out[name] = value
    if out["term_min"] < 1 or out["term_max"] > engine.MAX_TERM:
        raise LoanError(_("The term must be between 1 and 600 months."), field="term_min")
    if out["term_min"] > out["term_max"]:
        raise LoanError(_("The shortest term is longer than the longest."), field="term_max")
    if out["admin_fee_bp"] + out["provisi_bp"] >= BP:
        raise LoanError(_("The fees must be less than the loan."), field="admin_fee_bp")
    out["requirements"] = str(out.get("requirements") or "")[:2000]
    return out


# --- simulation, plafond ------------------------------------------------------------------


def loan_terms(loan_or_product, *, principal: int, term: int, start_date=None, grace: int = 0):
    """The engine's ``LoanTerms`` for a loan (or a product and the asked amount/term)."""
    obj = loan_or_product
    try:
        rate = engine.periodic_rate(obj.rate_percent, per=obj.rate_per)
        return engine.LoanTerms(
            method=engine.LoanMethod(obj.method),
            principal=principal,
            rate=rate,
            term=term,
            rounding=engine.Rounding(obj.rounding),
            start_date=start_date,
            grace_periods=grace,
        )
    except engine.LoanError as exc:
        raise LoanError(exc.message, field="term") from exc


def simulate(product: LoanProduct, *, principal: int, term: int, start_date: dt.date):
    """The schedule a member would get (nothing is written): ``engine.Schedule``."""
    _amount(principal, "principal")
    _check_term(product, term)
    return engine.build_schedule(
        loan_terms(product, principal=principal, term=term, start_date=start_date)
    )


def _check_term(product: LoanProduct, term: Any) -> int:
    if not isinstance(term, int) or isinstance(term, bool):
        raise LoanError(_("The term must be a whole number of months."), field="term")
    if not product.term_min <= term <= product.term_max:
        raise LoanError(
            _("The term for %(product)s must be between %(min)s and %(max)s months.")
            % {"product": product.name, "min": product.term_min, "max": product.term_max},
            field="term",
        )
    return term


def member_savings_total(member) -> int:
    """What the member holds in savings (all kinds), read from the savings app's rows."""
    from kopdes.savings.models import SavingsAccount

    return (
        SavingsAccount.objects.filter(koperasi_id=member.koperasi_id, member=member).aggregate(
            t=Sum("balance")
        )["t"]
        or 0
    )


def plafond_for(member, product: LoanProduct) -> int | None:
    """The most this member may borrow on ``product`` (sen), or None when unlimited."""
    limits = []
    if product.savings_multiple:
        limits.append(member_savings_total(member) * product.savings_multiple)
    if product.plafond_max:
        limits.append(product.plafond_max)
    return min(limits) if limits else None


# --- application and decision -------------------------------------------------------------


def _next_number(koperasi) -> str:
    count = Loan.objects.filter(koperasi=koperasi).count()
    return f"PJ-{count + 1:06d}"


def apply_for_loan(
    member,
    *,
    actor,
    product: LoanProduct,
    principal: int,
    term: int,
    applied_on: dt.date,
    idempotency_key: str = "",
    purpose: str = "",
    declared_income: int = 0,
    declared_expense: int = 0,
    collateral_value: int = 0,
    collateral_note: str = "",
    guarantor_note: str = "",
    channel: str = Channel.COUNTER,
    collateral_binding: str = CollateralBinding.NONE,
) -> Loan:
    """An application (pengajuan): by an officer at the counter, or by the member in the
    portal (``channel="portal"``, the actor is the member's own user).

    Refused, with nothing written: a member who is not active, a product of another
    koperasi or retired, a term outside the product's range, an amount above the plafond.
    """
    koperasi = member.koperasi
    roles = _roles(actor, koperasi)
    if channel == Channel.PORTAL:
        if not (has_perm(roles, "members.portal") and member.user_id == getattr(actor, "pk", None)):
            raise PermissionDeniedError(_("You are not allowed to do this in this koperasi."))
    else:
        require_perm(actor, koperasi, "loans.apply")
    if product.koperasi_id != koperasi.pk or not product.is_active:
        raise LoanError(_("The loan product was not found."), field="product")
    principal = _amount(principal, "principal")
    term = _check_term(product, term)
    applied_on = _date(applied_on)
    try:  # not before the books start nor in the future (an application posts nothing)
        ledger.check_business_date(member.koperasi, applied_on, last_closed_period=None)
    except LedgerError as exc:
        raise LoanError(exc.message, field="applied_on") from exc
    for name, value in (
        ("declared_income", declared_income),
        ("declared_expense", declared_expense),
        ("collateral_value", collateral_value),
    ):
        if not isinstance(value, int) or value < 0 or value > MAX_SEN:
            raise LoanError(_("This figure must be a whole number, not negative."), field=name)
    collateral_binding = str(collateral_binding or CollateralBinding.NONE)
    if collateral_binding not in CollateralBinding.values:
        raise LoanError(_("Choose how the collateral is bound."), field="collateral_binding")
    if collateral_binding != CollateralBinding.NONE and not collateral_value:
        raise LoanError(_("Write the appraised value of the collateral."), field="collateral_value")
    key = (idempotency_key or "").strip()[:MAX_KEY]
    if member.status != MemberStatus.ACTIVE:
        raise LoanError(
            _("Loans are only for active members; %(member)s is not an active member.")
            % {"member": member.number},
            field="member",
        )
    limit = plafond_for(member, product)
    if limit is not None and principal > limit:
        raise LoanError(
            _("The amount is above the plafond for this member: at most %(limit)s.")
            % {"limit": format_rupiah(limit)},
            field="principal",
        )
    admin_fee = _bp_of(principal, product.admin_fee_bp)
    provisi = _bp_of(principal, product.provisi_bp)
    # Checks the whole schedule can be built (rate, term) before writing anything.
    loan_terms(product, principal=principal, term=term)
    with transaction.atomic():
        lock_chain(f"loans:{koperasi.pk}")
        if key:
            existing = Loan.objects.filter(koperasi=koperasi, idempotency_key=key).first()
            if existing is not None:
                if (existing.member_id, existing.product_id, existing.principal, existing.term) != (
                    member.pk,
                    product.pk,
                    principal,
                    term,
                ):
                    raise ConflictError(
                        _(
                            "This idempotency key was already used for another application. "
                            "Nothing was recorded."
                        ),
                        field="idempotency_key",
                    )
                existing.replayed = True
                return existing
        loan = Loan.objects.create(
            koperasi=koperasi,
            number=_next_number(koperasi),
            member=member,
            product=product,
            channel=channel,
            principal=principal,
            term=term,
            method=product.method,
            rate_percent=product.rate_percent,
            rate_per=product.rate_per,
            rounding=product.rounding,
            admin_fee=admin_fee,
            provisi=provisi,
            purpose=(purpose or "")[:200],
            declared_income=declared_income,
            declared_expense=declared_expense,
            collateral_value=collateral_value,
            collateral_binding=collateral_binding,
            collateral_note=(collateral_note or "")[:300],
            guarantor_note=(guarantor_note or "")[:300],
            applied_on=applied_on,
            created_by=actor,
            idempotency_key=key,
        )
        record(
            "loans.loan.applied",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=loan,
            summary={
                "number": loan.number,
                "member": member.number,
                "principal": principal,
                "term": term,
                "channel": channel,
            },
        )
    return loan


def is_relative(actor, member) -> bool:
    """True when ``actor`` is recorded as a relative of ``member`` (or is the member)."""
    if member.user_id is not None and member.user_id == actor.pk:
        return True
    return Relationship.objects.filter(
        koperasi_id=member.koperasi_id, user=actor, member=member
    ).exists()


def _check_checker(loan: Loan, actor) -> None:
    if actor.pk == loan.created_by_id:
        raise PermissionDeniedError(
            _("You entered this application, so another officer must decide it."),
            code="maker_checker",
        )
    if is_relative(actor, loan.member):
        raise PermissionDeniedError(
            _("You may not decide a loan of yourself or of a relative."), code="maker_checker"
        )


def approve_loan(loan: Loan, *, actor) -> Loan:
    """Approve an application. The checker is never the maker, the borrower or a recorded
    relative; above the AD/ART ``loan_approval_threshold`` only the ketua approves."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.approve")
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.select_related("member").get(pk=loan.pk)
        if loan.status != LoanStatus.APPLIED:
            raise LoanError(_("Only an application waiting for a decision can be approved."))
        _check_checker(loan, actor)
        threshold = koperasi.adart.loan_approval_threshold
        if loan.principal > threshold and Role.KETUA not in roles:
            raise PermissionDeniedError(
                _("A loan above %(threshold)s must be approved by the ketua (AD/ART).")
                % {"threshold": format_rupiah(threshold)},
                code="threshold",
            )
        loan.status = LoanStatus.APPROVED
        loan.decided_by = actor
        loan.decided_at = timezone.now()
        loan.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            "loans.loan.approved",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=loan,
            summary={"number": loan.number, "principal": loan.principal},
        )
    return loan


def reject_loan(loan: Loan, *, actor, reason: str) -> Loan:
    """Reject an application with a reason the member is told."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.approve")
    reason = (reason or "").strip()
    if not reason:
        raise LoanError(_("Write the reason for the rejection."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.select_related("member").get(pk=loan.pk)
        if loan.status not in (LoanStatus.APPLIED, LoanStatus.APPROVED):
            raise LoanError(_("This loan can no longer be rejected."))
        _check_checker(loan, actor)
        loan.status = LoanStatus.REJECTED
        loan.decided_by = actor
        loan.decided_at = timezone.now()
        loan.reject_reason = reason[:300]
        loan.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        record(
            "loans.loan.rejected",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=loan,
            summary={"number": loan.number, "reason": reason[:300]},
        )
    return loan


def record_relationship(member, *, actor, user, relation: str) -> Relationship:
    """The ketua records that officer ``user`` is a relative of ``member``."""
    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "loans.manage_relationships")
    relation = (relation or "").strip()
    if not relation:
        raise LoanError(_("Write the relation (e.g. wife, son, brother)."), field="relation")
    if not roles_for(user, koperasi):
        raise LoanError(_("This officer was not found."), field="user")
    with transaction.atomic():
        rel, created = Relationship.objects.get_or_create(
            koperasi=koperasi,
            user=user,
            member=member,
            defaults={
                "relation": relation[:40],
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        if created:
            record(
                "loans.relationship.recorded",
                actor=actor,
                koperasi=koperasi,
                role=_label(roles),
                obj=rel,
                summary={"user": str(user), "member": member.number, "relation": relation},
            )
    return rel


# --- disbursement -------------------------------------------------------------------------


def _schedule_rows(loan: Loan, schedule: engine.Schedule, *, offset: int = 0) -> list[Installment]:
    return [
        Installment(
            koperasi_id=loan.koperasi_id,
            loan=loan,
            period=row.period,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            balance=row.balance,
        )
        for row in schedule.installments
        if row.period > offset
    ]


def disburse_loan(
    loan: Loan,
    *,
    actor,
    date: dt.date,
    method: str = DisbursementMethod.CASH,
    idempotency_key: str = "",
) -> Loan:
    """Pencairan: the schedule is fixed from ``date``; one entry Dr 1-1300 (the loan) /
    Cr Kas (net of fees) / Cr 4-2200 (admin fee + provisi, income at disbursement).

    Into savings: the savings app's own service then credits the member's sukarela with
    the money against Kas (the cash goes in and out on the same day, so the books show
    both). With fees paid separately the member receives the whole principal and pays the
    fees in cash. A retry (same key, or the loan already disbursed the same way) returns
    the loan; a loan that is not approved is refused.
    """
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.disburse")
    date = _date(date)
    if method not in DisbursementMethod.values:
        raise LoanError(_("Choose cash or voluntary savings."), field="method")
    key = _key(idempotency_key or f"disburse:{loan.pk}")
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.select_related("member", "product").get(pk=loan.pk)
        if loan.status != LoanStatus.APPROVED:
            if loan.disbursement_entry_id is not None:
                if (loan.disbursed_on, loan.disbursement_method) != (date, method):
                    raise ConflictError(
                        _("This loan was already disbursed. Nothing was recorded."),
                        field="idempotency_key",
                    )
                loan.replayed = True
                return loan
            raise LoanError(_("Only an approved loan can be disbursed."), field="loan")
        if loan.member.status != MemberStatus.ACTIVE:
            raise LoanError(
                _("Loans are only for active members; %(member)s is not an active member.")
                % {"member": loan.member.number},
                field="member",
            )
        if date < loan.applied_on:
            raise LoanError(_("The disbursement date is before the application."), field="date")
        _business_date(koperasi, date)
        fees = loan.admin_fee + loan.provisi
        schedule = engine.build_schedule(
            loan_terms(loan, principal=loan.principal, term=loan.term, start_date=date)
        )
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(
                koperasi, MEMOS["disburse"], loan=loan.number, member=loan.member.number
            ),
            lines=[
                _loan_line("D", loan, loan.principal),
                LineDraft.credit(chart.CASH, loan.principal - fees),
                LineDraft.credit(chart.LOAN_FEE_INCOME, fees),
            ],
            key=f"loans:disburse:{key}",
            source="loans.disbursement",
            source_ref=str(loan.pk),
        )
        if method == DisbursementMethod.SAVINGS:
            credited = (
                loan.principal
                if loan.product.fee_mode == FeeMode.SEPARATE
                else (loan.principal - fees)
            )
            _savings_move(
                loan.member,
                actor=actor,
                date=date,
                amount=credited,
                key=f"loans:disburse:{key}",
                memo=book_text(koperasi, MEMOS["disburse_line"], loan=loan.number),
            )
        Installment.objects.bulk_create(_schedule_rows(loan, schedule))
        loan.status = LoanStatus.ACTIVE
        loan.disbursed_on = date
        loan.disbursed_by = actor
        loan.disbursement_method = method
        loan.disbursement_entry = entry
        loan.save(
            update_fields=[
                "status",
                "disbursed_on",
                "disbursed_by",
                "disbursement_method",
                "disbursement_entry",
            ]
        )
        record(
            "loans.loan.disbursed",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=loan,
            summary={
                "number": loan.number,
                "principal": loan.principal,
                "fees": fees,
                "method": method,
                "entry": entry.number,
            },
        )
    return loan


# --- repayment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dues:
    """What a loan owes on a day (sen): due now, and what pays it off."""

    penalty: int
    interest: int
    principal: int
    payoff: engine.Payoff
    outstanding: int
    penalties: dict[int, int]  # installment period -> denda due on it

    @property
    def total_due(self) -> int:
        return self.penalty + self.interest + self.principal


def _schedule_of(loan: Loan, rows: list[Installment] | list[ScheduleRow]) -> engine.Schedule:
    terms = loan_terms(
        loan,
        principal=loan.principal,
        term=len(rows),
        start_date=loan.disbursed_on,
        grace=min(loan.grace_periods, max(0, len(rows) - 1)),
    )
    return engine.Schedule(
        terms=terms,
        installments=tuple(
            engine.Installment(
                r.period, r.due_date, r.principal, r.interest, r.principal + r.interest, r.balance
            )
            for r in rows
        ),
        restructured=loan.restructured,
        prepaid=loan.prepaid,
    )


def dues_on(
    loan: Loan, as_of: dt.date, rows: list[Installment] | list[ScheduleRow] | None = None
) -> Dues:
    """Denda, jasa and pokok due on ``as_of`` and the payoff amount (pelunasan).

    Denda runs on each overdue installment's unpaid amount for the days beyond the
    product's grace, less what was already paid on it.
    """
    product = loan.product
    if rows is None:
        rows = list(Installment.objects.filter(loan=loan).order_by("period"))
    penalties: dict[int, int] = {}
    interest = principal = 0
    for r in rows:
        if r.due_date > as_of or r.paid_on is not None:
            continue
        unpaid = r.unpaid
        if unpaid <= 0:
            continue
        interest += r.interest - r.interest_paid
        principal += r.principal - r.principal_paid
        if product.penalty_bp:
            charged = engine.penalty(
                unpaid,
                (as_of - r.due_date).days,
                rate_bp=product.penalty_bp,
                per=product.penalty_per,
                grace_days=product.penalty_grace_days,
            )
            due = max(0, charged - r.penalty_paid)
            if due:
                penalties[r.period] = due
    penalty = sum(penalties.values())
    outstanding = loan.principal - loan.principal_paid
    payoff = engine.payoff_amount(
        _schedule_of(loan, rows),
        principal_paid=loan.principal_paid,
        interest_paid=loan.interest_paid,
        as_of=max(as_of, loan.disbursed_on),
        penalty_due=penalty,
    )
    return Dues(penalty, interest, principal, payoff, outstanding, penalties)


def _replay_repayment(
    koperasi, key: str, loan: Loan, amount: int, date, source, accelerated: bool = False
) -> Repayment:
    """The repayment already recorded under ``key`` (the caller saw it exists): the same
    content returns it marked ``replayed``; other content is a 409 that writes nothing."""
    found = Repayment.objects.get(koperasi=koperasi, idempotency_key=key)
    mine = (loan.pk, amount, date, source, accelerated)
    if (found.loan_id, found.amount, found.date, found.source, found.accelerated) != mine:
        diff = [
            name
            for name, a, b in (
                ("loan", found.loan_id, loan.pk),
                ("amount", found.amount, amount),
                ("date", found.date, date),
                ("source", found.source, source),
                ("accelerated", found.accelerated, accelerated),
            )
            if a != b
        ]
        raise ConflictError(
            _(
                "This idempotency key was already used for another payment (%(fields)s). "
                "Nothing was recorded."
            )
            % {"fields": ", ".join(diff)},
            field="idempotency_key",
        )
    found.replayed = True
    return found


# What a payment, the daily job or a decision may have changed on a loan since the caller
# read it (before the lock): re-read with the rows, copied onto the caller's instance.
_LIVE_FIELDS = (
    "status",
    "disbursed_on",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "prepaid",
    "closed_on",
    "dpd",
    "ppap_required",
)


@dataclass(slots=True)
class ScheduleRow:
    """One installment row as the repayment path reads and writes it: the numbers only.

    Building ~20 ``Installment`` model instances under the koperasi's lock cost more than
    reading them; ``dues_on``, ``_apply_to_rows``, ``_prepay`` and ``_snapshot`` need
    nothing but these attributes. ``pk`` is the id as the database returned it.
    """

    pk: Any
    period: int
    due_date: dt.date
    principal: int
    interest: int
    balance: int
    principal_paid: int
    interest_paid: int
    penalty_paid: int
    paid_on: dt.date | None

    @property
    def installment(self) -> int:
        return self.principal + self.interest

    @property
    def unpaid(self) -> int:
        return self.principal + self.interest - self.principal_paid - self.interest_paid


# The installment columns a repayment may write (everything but the keys).
ROW_FIELDS = (
    "due_date",
    "principal",
    "interest",
    "balance",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "paid_on",
)


@functools.cache
def _locked_read_sql(vendor: str) -> str:
    # Model names only; built once per database vendor.
    quote = connection.ops.quote_name
    loan_cols = ", ".join(f"l.{quote(Loan._meta.get_field(n).column)}" for n in _LIVE_FIELDS)
    row_cols = ", ".join(
        f"i.{quote(Installment._meta.get_field(n).column)}" for n in ("id", "period", *ROW_FIELDS)
    )
    return (
        f"SELECT EXISTS(SELECT 1 FROM {quote(Repayment._meta.db_table)} r"  # noqa: S608
        " WHERE r.koperasi_id = %s AND r.idempotency_key = %s),"
        f" {loan_cols}, {row_cols}"
        f" FROM {quote(Loan._meta.db_table)} l"
        f" LEFT JOIN {quote(Installment._meta.db_table)} i"
        " ON i.loan_id = l.id AND i.koperasi_id = l.koperasi_id"
        " WHERE l.id = %s ORDER BY i.period"
    )


def _locked_read_statement(loan: Loan, key: str) -> tuple[str, list[Any]]:
    """One statement to run under the lock: whether ``key`` was already used for a
    repayment of the koperasi, the loan's live figures and its installment rows in period
    order.

    On a replay the rows are read for nothing; a fresh key is the common case, and one
    round trip instead of three is what every waiting teller pays for.
    """
    pk = Loan._meta.pk
    return (
        _locked_read_sql(connection.vendor),
        [
            pk.get_db_prep_value(loan.koperasi_id, connection),
            key,
            pk.get_db_prep_value(loan.pk, connection),
        ],
    )


def _locked_read(loan: Loan, found: list[tuple]) -> tuple[bool, list[ScheduleRow]]:
    """The rows of ``_locked_read_statement``: (key used?, installment rows); the loan's
    live figures are copied onto ``loan``."""
    if not found:
        raise Loan.DoesNotExist
    width = len(_LIVE_FIELDS)
    for name, value in zip(_LIVE_FIELDS, found[0][1 : 1 + width], strict=True):
        setattr(loan, name, value)
    rows = [ScheduleRow(*row[1 + width :]) for row in found if row[1 + width] is not None]
    return bool(found[0][0]), rows


def _update_statements(model, pk_values_fields: list[tuple[Any, dict[str, Any]]]):
    """UPDATEs of rows of ``model`` by primary key, one statement per row, values adapted as
    the ORM would. The repayment path writes a few known columns; compiling
    ``bulk_update``'s CASE expressions cost more than the statements."""
    quote = connection.ops.quote_name
    meta = model._meta
    statements = []
    for pk, values in pk_values_fields:
        sets = ", ".join(f"{quote(meta.get_field(n).column)} = %s" for n in values)
        statements.append(
            (
                f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s",  # noqa: S608 (model's own names)
                [meta.get_field(n).get_db_prep_save(v, connection) for n, v in values.items()]
                + [meta.pk.get_db_prep_save(pk, connection)],
            )
        )
    return statements


def repay_loan(
    loan: Loan,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    source: str = PaymentSource.CASH,
    savings_account=None,
    permission: str = "loans.repay",
    accelerated: bool = False,
) -> Repayment:
    """Angsuran or pelunasan.

    By default the payment pays the installments in order, oldest unpaid first: the
    denda, jasa and pokok of one installment before the next, as scheduled (a payment
    before or on the due date pays the next installment; the schedule never changes).

    ``accelerated`` (pelunasan dipercepat, the member asks for it): the installments due
    (and any already part-paid ahead) are paid first as above, the rest goes to the
    principal and the installments still to come are recalculated (same end date,
    smaller installments); exactly the payoff amount closes the loan (future jasa is not
    charged). The repayment and its receipt say so.

    More than the payoff amount is refused; so is the payoff amount without
    ``accelerated`` when paying the installments as scheduled would not close the loan.

    ``source="savings"``: the savings app takes the amount from the member's sukarela
    (refused if the balance is short) in the same transaction.

    ``permission``: a leaving member's loan is paid off from their savings by the officer
    who approves the exit (``members.approve_exit``, see ``loans.obligations``).
    """
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, permission)
    if source not in PaymentSource.values:
        raise LoanError(_("Unknown payment source."), field="source")
    amount = _amount(amount)
    date = _date(date)
    key = _key(idempotency_key)
    if not (Loan.member.is_cached(loan) and Loan.product.is_cached(loan)):
        # Member and product never change under a payment: read them before the lock.
        loan = Loan.objects.select_related("member", "product").get(pk=loan.pk)
    _not_before_disbursement(loan, date)  # books start, today, closed: ledger.post
    number = f"{loan.number} {loan.member.number}"
    counter = chart.QRIS_CLEARING if source == PaymentSource.QRIS else chart.CASH
    # Every other teller of the koperasi waits while this one holds the lock: under it the
    # payment is one batch of reads (the lock, the loan, what the ledger and the audit
    # chain will read) and one batch of writes ending with the COMMIT. A payment from savings posts
    # and records in between, so the ledger and the chain read for themselves then.
    ahead = source != PaymentSource.SAVINGS
    books = ledger.Prefetch(
        koperasi,
        idempotency_key=f"loans:repay:{key}",
        codes=[
            counter,
            chart.LOAN_PENALTY_INCOME,
            chart.LOAN_INTEREST_INCOME,
            chart.LOANS_RECEIVABLE,
        ],
        dates=[date],
    )
    chain = AuditPrefetch(koperasi)
    with transaction.atomic():
        (*_lock_rows, found), book_rows, chain_rows = execute_groups(
            [
                [lock_statement(_lock_name(koperasi)), _locked_read_statement(loan, key)],
                books.statements() if ahead else [],
                chain.statements() if ahead else [],
            ]
        )
        if ahead:
            books.take(book_rows)
            chain.take(chain_rows)
        used, rows = _locked_read(loan, found)
        if used:
            return _replay_repayment(koperasi, key, loan, amount, date, source, accelerated)
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("This loan is not active: nothing is owed on it."), field="loan")
        if date < loan.disbursed_on:
            raise LoanError(_("The payment date is before the disbursement."), field="date")
        dues = dues_on(loan, date, rows)
        plan = plan_repayment(rows, dues, date, amount, accelerated=accelerated)
        # A pelunasan (the payoff amount, accelerated) waives the jasa not yet due and is
        # written by ``_apply_to_rows``; every other payment by its parts per installment.
        is_payoff = plan.is_payoff and plan.accelerated
        parts, extra, after = plan.parts, plan.extra, plan.after
        to_pen, to_int, to_prin = plan.penalty, plan.interest, plan.principal
        before = _snapshot(loan, rows)
        if source == PaymentSource.SAVINGS:
            _savings_move(
                loan.member,
                actor=actor,
                date=date,
                amount=-amount,
                key=f"loans:repay:{key}",
                memo=book_text(koperasi, MEMOS["payment"], loan=loan.number),
                account=savings_account,
            )
        if is_payoff:
            changed = _apply_to_rows(rows, dues, date, to_pen, to_int, to_prin, payoff=True)
            allocation = _allocation_from(before["rows"], changed)
        else:
            changed = _apply_parts(rows, parts, date)
            allocation = [[p.period, p.penalty, p.interest, p.principal] for p in parts]
        if extra:
            changed = _prepay(loan, rows, after, extra, changed)
        writes: list[tuple[str, list[Any]]] = []
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS[_memo_word(is_payoff, accelerated)], loan=number),
            lines=[
                LineDraft.debit(counter, amount),
                LineDraft.credit(chart.LOAN_PENALTY_INCOME, to_pen),
                LineDraft.credit(chart.LOAN_INTEREST_INCOME, to_int),
                _loan_line("C", loan, to_prin + extra),
            ],
            key=f"loans:repay:{key}",
            source="loans.repayment",
            source_ref=str(loan.pk),
            prefetched=books if ahead else None,
            writes=writes,
        )
        loan.principal_paid += to_prin + extra
        loan.interest_paid += to_int
        loan.penalty_paid += to_pen
        loan.prepaid += extra
        fields = ["principal_paid", "interest_paid", "penalty_paid", "prepaid"]
        if loan.principal_paid == loan.principal:
            loan.status = LoanStatus.PAID_OFF
            loan.closed_on = date
            loan.dpd = 0
            loan.ppap_required = 0
            fields += ["status", "closed_on", "dpd", "ppap_required"]
        repayment = Repayment(
            koperasi=koperasi,
            loan=loan,
            date=date,
            amount=amount,
            penalty=to_pen,
            interest=to_int,
            principal=to_prin + extra,
            source=source,
            is_payoff=loan.status == LoanStatus.PAID_OFF,
            accelerated=accelerated,
            allocation=allocation,
            outstanding_after=loan.principal - loan.principal_paid,
            entry=entry,
            idempotency_key=key,
            created_by=actor,
            created_at=timezone.now(),
            state_before=before,
        )
        # The entry, the installment rows, the loan's figures, the repayment row (a new,
        # append-only row; checks done above) and the audit event: one round trip.
        writes += [
            *_row_updates(changed),
            *_update_statements(Loan, [(loan.pk, {name: getattr(loan, name) for name in fields})]),
            *insert_statements([repayment]),
        ]
        record(
            "loans.repayment.received",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=repayment,
            summary={
                "loan": loan.number,
                "amount": amount,
                "penalty": to_pen,
                "interest": to_int,
                "principal": to_prin + extra,
                "source": source,
                "accelerated": accelerated,
                "entry": entry.number,
            },
            prefetched=chain if ahead else None,
            writes=writes,
        )
        execute_batch(writes, commit=True)
    return repayment


@dataclass(frozen=True)
class RepaymentPlan:
    """How a payment will be split (sen): per installment (``parts``, not for a payoff),
    the totals, the principal paid ahead (``extra``, accelerated only) and the last
    period kept as scheduled (``after``) when the rest is re-amortised."""

    is_payoff: bool
    accelerated: bool
    parts: tuple[engine.InstallmentPayment, ...]
    penalty: int
    interest: int
    principal: int
    extra: int
    after: int

    @property
    def paid_periods(self) -> list[int]:
        """The installments this payment pays in full or in part."""
        return [p.period for p in self.parts]


def plan_repayment(
    rows, dues: Dues, date: dt.date, amount: int, *, accelerated: bool
) -> RepaymentPlan:
    """The split of ``amount`` paid on ``date`` over the installment ``rows`` (as the
    rules of ``repay_loan`` say), or a ``LoanError`` saying why it is refused. Reads
    nothing: the repayment uses it under the lock, the confirmation page to show it."""
    payoff_total = dues.payoff.total
    if amount > payoff_total:
        raise LoanError(
            _("The amount is more than what pays the loan off today (%(payoff)s).")
            % {"payoff": format_rupiah(payoff_total)},
            field="amount",
        )
    if accelerated and amount == payoff_total:
        return RepaymentPlan(
            True, True, (), dues.penalty, dues.payoff.interest, dues.outstanding, 0, 0
        )
    parts, extra, after = _allocate(rows, dues, date, amount, accelerated=accelerated)
    principal = sum(p.principal for p in parts)
    closes = principal == dues.outstanding
    if not accelerated and amount == payoff_total and not extra and not closes:
        raise LoanError(
            _(
                "This is the amount that pays the loan off today: tick "
                "'accelerated payoff' (pelunasan dipercepat) so that the jasa "
                "not yet due is not charged."
            ),
            field="accelerated",
        )
    if extra and not accelerated:
        raise LoanError(
            _(
                "The amount is more than every installment still to pay. To pay "
                "principal ahead, tick 'accelerated payoff' (pelunasan dipercepat)."
            ),
            field="amount",
        )
    if accelerated and not extra:
        raise LoanError(
            _(
                "This amount only pays the installments due (%(due)s): nothing is left "
                "to pay ahead. Untick 'accelerated payoff' or pay more."
            )
            % {"due": format_rupiah(amount)},
            field="accelerated",
        )
    return RepaymentPlan(
        closes and not extra,
        accelerated,
        parts,
        sum(p.penalty for p in parts),
        sum(p.interest for p in parts),
        principal,
        extra,
        after,
    )


def preview_repayment(
    loan: Loan, *, amount: int, date: dt.date, accelerated: bool
) -> RepaymentPlan:
    """What ``repay_loan`` would do with this payment now (for the confirmation page);
    raises the same ``LoanError`` it would. Writes nothing."""
    if loan.status != LoanStatus.ACTIVE:
        raise LoanError(_("This loan is not active: nothing is owed on it."), field="loan")
    rows = list(Installment.objects.filter(loan=loan).order_by("period"))
    dues = dues_on(loan, date, rows)
    return plan_repayment(rows, dues, date, amount, accelerated=bool(accelerated))


def _memo_word(is_payoff: bool, accelerated: bool) -> str:
    """The key in ``MEMOS`` of a repayment's journal memo."""
    if is_payoff:
        return "payoff"
    return "accelerated" if accelerated else "installment"


def _allocate(
    rows: list[ScheduleRow], dues: Dues, date: dt.date, amount: int, *, accelerated: bool
) -> tuple[tuple[engine.InstallmentPayment, ...], int, int]:
    """(parts per installment, amount left over, last period kept as scheduled).

    Oldest unpaid installment first, denda -> jasa -> pokok of each (the engine's
    ``allocate_to_installments``). As scheduled: every installment still unpaid, due or
    not. Accelerated: only those due on ``date`` or already part-paid ahead; what is left
    pays principal ahead of the rows after them (``after``)."""
    after = 0
    if accelerated:
        after = max(
            (
                r.period
                for r in rows
                if r.due_date <= date
                or r.paid_on is not None
                or r.principal_paid
                or r.interest_paid
            ),
            default=0,
        )
    owed = [
        engine.InstallmentDue(
            r.period,
            dues.penalties.get(r.period, 0),
            r.interest - r.interest_paid,
            r.principal - r.principal_paid,
        )
        for r in rows
        if r.paid_on is None and (not accelerated or r.period <= after)
    ]
    parts, left = engine.allocate_to_installments(amount, owed)
    return parts, left, after


def _allocation_from(before: list[list], changed: list[ScheduleRow]) -> list[list[int]]:
    """[[period, denda, jasa, pokok]] paid on each row: the rows' figures less the
    snapshot taken before the payment (``_snapshot``'s row layout)."""
    old = {row[0]: row for row in before}
    out = []
    for r in sorted(changed, key=lambda r: r.period):
        o = old[r.period]
        parts = [r.penalty_paid - o[7], r.interest_paid - o[6], r.principal_paid - o[5]]
        if any(parts):
            out.append([r.period, *parts])
    return out


def _apply_parts(rows: list[ScheduleRow], parts, date) -> list[ScheduleRow]:
    """Write each installment's part of a payment onto its row; a row paid in full gets
    ``paid_on``. Returns the rows that changed."""
    by_period = {r.period: r for r in rows}
    changed = []
    for part in parts:
        r = by_period[part.period]
        r.penalty_paid += part.penalty
        r.interest_paid += part.interest
        r.principal_paid += part.principal
        if r.unpaid == 0:
            r.paid_on = date
        changed.append(r)
    return changed


def _apply_to_rows(rows, dues: Dues, date, to_pen, to_int, to_prin, *, payoff: bool):
    changed: dict[int, ScheduleRow] = {}
    for r in rows:
        if to_pen <= 0:
            break
        part = min(to_pen, dues.penalties.get(r.period, 0))
        if part:
            r.penalty_paid += part
            to_pen -= part
            changed[r.period] = r
    due_rows = [r for r in rows if r.due_date <= date and r.paid_on is None]
    for r in due_rows:
        part = min(to_int, r.interest - r.interest_paid)
        if part > 0:
            r.interest_paid += part
            to_int -= part
            changed[r.period] = r
    for r in rows if payoff else due_rows:
        part = min(to_prin, r.principal - r.principal_paid)
        if part > 0:
            r.principal_paid += part
            to_prin -= part
            changed[r.period] = r
    for r in rows:
        if r.paid_on is None and (payoff or r.unpaid == 0):
            r.paid_on = date
            changed[r.period] = r
    return list(changed.values())


def _prepay(loan: Loan, rows: list[ScheduleRow], after: int, extra: int, changed):
    """Re-amortise the installments after period ``after`` (the last one due or paid
    on) after ``extra`` principal paid ahead.

    The principal still scheduled after ``after`` is what the rows say (earlier
    prepayments already shrank them), so the engine is given that balance. ``rows``
    become the new schedule in place (a row after ``after`` is as new: nothing paid on
    it); the rows to write are returned with the ``changed`` ones.
    """
    remaining = sum(r.principal - r.principal_paid for r in rows if r.period > after)
    if extra >= remaining:
        raise LoanError(
            _("To pay the whole loan off, pay exactly the payoff amount."), field="amount"
        )
    base = _schedule_of(loan, rows)
    installments = list(base.installments)
    if after:
        index = after - installments[0].period
        installments[index] = installments[index]._replace(balance=remaining)
    terms = replace(base.terms, principal=remaining) if after == 0 else base.terms
    try:
        new = engine.recalculate_after_prepayment(
            engine.Schedule(terms, tuple(installments)), after_period=after, prepayment=extra
        )
    except engine.LoanError as exc:
        raise LoanError(exc.message, field="amount") from exc
    return _reamortise(loan, rows, new, after, changed)


def _reamortise(loan: Loan, rows: list[ScheduleRow], new: engine.Schedule, after: int, changed):
    """Make ``rows`` after period ``after`` equal ``new``'s installments, as fresh rows
    (nothing paid). Only what differs is written: the same periods (the engine keeps the
    term) are updated where their figures changed, a period the schedule no longer has is
    deleted and one it gained is inserted. Returns the rows to update: ``changed`` ones
    up to ``after`` and the re-amortised ones that differ."""
    old = {r.period: r for r in rows if r.period > after}
    out = [r for r in changed if r.period <= after]
    kept = [r for r in rows if r.period <= after]
    added: list[Installment] = []
    for row in new.installments:
        if row.period <= after:
            continue
        figures = (row.due_date, row.principal, row.interest, row.balance, 0, 0, 0, None)
        r = old.pop(row.period, None)
        if r is None:
            obj = Installment(koperasi_id=loan.koperasi_id, loan_id=loan.pk, period=row.period)
            db_pk = Installment._meta.pk.get_db_prep_value(obj.pk, connection)
            r = ScheduleRow(db_pk, row.period, *figures)
            for name, value in zip(ROW_FIELDS, figures, strict=True):
                setattr(obj, name, value)
            added.append(obj)
        elif figures != tuple(getattr(r, name) for name in ROW_FIELDS):
            for name, value in zip(ROW_FIELDS, figures, strict=True):
                setattr(r, name, value)
            out.append(r)
        kept.append(r)
    if old:
        meta = Installment._meta
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {meta.db_table} WHERE id IN ({', '.join(['%s'] * len(old))})",  # noqa: S608 (model's own name)
                [r.pk for r in old.values()],
            )
    insert_rows(added)  # a period the new schedule gained (not with keep-term)
    rows[:] = kept
    return out


@functools.cache
@functools.cache
def _write_rows_sql(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    meta = Installment._meta
    fields = [meta.get_field(n) for n in ROW_FIELDS] + [meta.pk]
    if vendor == "postgresql":
        # A VALUES list takes its column types from its values, untyped here: cast them.
        row = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    else:
        row = ", ".join(["%s"] * len(fields))
    sets = ", ".join(f"{quote(f.column)} = v.column{n}" for n, f in enumerate(fields[:-1], 1))
    table = quote(meta.db_table)
    return (
        f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([f'({row})'] * count)}) AS v "  # noqa: S608 (model's names)
        f"WHERE {table}.{quote(meta.pk.column)} = v.column{len(fields)}"
    )


def _row_updates(rows: list[ScheduleRow]) -> list[tuple[str, list[Any]]]:
    """The installment rows' new figures, as ONE statement (a re-amortised schedule
    changes every row still to come; each statement sent under the koperasi's lock has
    its own cost). Dates are adapted as the ORM adapts them; the sen figures are plain
    ints and the ids are the values the database returned."""
    if not rows:
        return []
    adapt = connection.ops.adapt_datefield_value
    params: list[Any] = []
    for r in rows:
        params += [
            adapt(r.due_date),
            r.principal,
            r.interest,
            r.balance,
            r.principal_paid,
            r.interest_paid,
            r.penalty_paid,
            adapt(r.paid_on),
            r.pk,
        ]
    return [(_write_rows_sql(connection.vendor, len(rows)), params)]


# --- repayment correction (maker-checker reversal) ----------------------------------------

_LOAN_STATE_FIELDS = (
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "prepaid",
    "status",
    "closed_on",
    "dpd",
    "ppap_required",
)


def _snapshot(loan: Loan, rows: list[ScheduleRow]) -> dict[str, Any]:
    """The loan and its installment rows as they are before a payment (JSON-ready)."""
    state = {name: getattr(loan, name) for name in _LOAN_STATE_FIELDS}
    state["closed_on"] = loan.closed_on.isoformat() if loan.closed_on else None
    return {
        "loan": state,
        "rows": [
            [
                r.period,
                r.due_date.isoformat(),
                r.principal,
                r.interest,
                r.balance,
                r.principal_paid,
                r.interest_paid,
                r.penalty_paid,
                r.paid_on.isoformat() if r.paid_on else None,
            ]
            for r in rows
        ],
    }


def _reason(value: str) -> str:
    reason = " ".join(str(value or "").split())
    if not reason:
        raise LoanError(_("Write the reason for the correction."), field="reason")
    if len(reason) > 300:
        raise LoanError(_("The reason may be at most 300 characters."), field="reason")
    return reason


def _check_reversible(rep: Repayment, *, pending: RepaymentReversal | None = None) -> None:
    """A payment can be reversed when its loan is still active or was closed by it, it is
    the latest payment not already reversed (later ones first: each payment's snapshot is
    the state the next one started from), and it carries its snapshot."""
    loan = rep.loan
    if loan.status not in (LoanStatus.ACTIVE, LoanStatus.PAID_OFF):
        raise LoanError(
            _("This loan was restructured or written off: its payments cannot be corrected."),
            field="repayment",
        )
    others = RepaymentReversal.objects.filter(koperasi_id=rep.koperasi_id, repayment=rep).exclude(
        state=RepaymentReversal.State.REJECTED
    )
    if pending is not None:
        others = others.exclude(pk=pending.pk)
    found = others.first()
    if found is not None:
        if found.state == RepaymentReversal.State.PENDING:
            raise LoanError(
                _("A correction of this payment is already waiting for approval."),
                field="repayment",
            )
        raise LoanError(_("This payment has already been corrected."), field="repayment")
    latest = (
        Repayment.objects.filter(koperasi_id=rep.koperasi_id, loan_id=rep.loan_id)
        .exclude(reversals__state=RepaymentReversal.State.APPROVED)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != rep.pk:
        raise LoanError(
            _(
                "Only the latest payment of a loan can be corrected: correct the later "
                "payments first."
            ),
            field="repayment",
        )
    if rep.idempotency_key.startswith("exit:"):
        # Paid off from the member's savings by their exit settlement (loans.obligations):
        # undoing only the loan side would leave the exit's payout wrong.
        raise LoanError(
            _("This payment settled a member's exit; it cannot be corrected on its own."),
            field="repayment",
        )
    if not rep.state_before:
        raise LoanError(
            _(
                "This payment was recorded before corrections were kept: ask the bookkeeper "
                "to correct it."
            ),
            field="repayment",
        )


def request_repayment_reversal(
    repayment: Repayment,
    *,
    actor,
    reason: str,
    idempotency_key: str,
    date: dt.date | None = None,
) -> RepaymentReversal:
    """Ask for a posted repayment to be reversed (koreksi pembayaran). Maker step.

    Nothing moves yet: another officer with ``ledger.approve_reversal`` approves
    (``approve_repayment_reversal``). Refused, writing nothing: an empty reason, a date
    before the payment, a payment that is not the loan's latest, already corrected or
    waiting, or of a restructured/written-off loan. The same key again returns the first
    request (``replayed``). Audited as ``loans.repayment_reversal.requested``.
    """
    koperasi = repayment.koperasi
    roles = require_perm(actor, koperasi, "loans.repay")
    reason = _reason(reason)
    key = _key(idempotency_key)
    date = _date(date if date is not None else timezone.localdate())
    with transaction.atomic():
        _lock(koperasi)
        existing = RepaymentReversal.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            if existing.repayment_id != repayment.pk:
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another payment. "
                        "Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            existing.replayed = True
            return existing
        rep = Repayment.objects.select_related("loan", "entry").get(
            koperasi=koperasi, pk=repayment.pk
        )
        if date < rep.date:
            raise LoanError(_("The correction cannot be dated before the payment."), field="date")
        _check_reversible(rep)
        reversal = RepaymentReversal.objects.create(
            koperasi=koperasi,
            repayment=rep,
            loan=rep.loan,
            reason=reason,
            date=date,
            idempotency_key=key,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record(
            "loans.repayment_reversal.requested",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=reversal,
            summary={
                "loan": rep.loan.number,
                "amount": rep.amount,
                "entry": rep.entry.number,
                "date": date.isoformat(),
                "reason": reason,
            },
        )
    return reversal


def _restore(loan: Loan, state: dict[str, Any], rep: Repayment) -> list[str]:
    """Put the loan and its installment rows back as they were before ``rep``."""
    figures = state["loan"]
    # The payment being undone must be the last change to the paid figures.
    if (
        loan.principal_paid - rep.principal != figures["principal_paid"]
        or loan.interest_paid - rep.interest != figures["interest_paid"]
        or loan.penalty_paid - rep.penalty != figures["penalty_paid"]
    ):
        raise LoanError(
            _("The loan changed after this payment; ask the bookkeeper."), field="repayment"
        )
    fields = ["principal_paid", "interest_paid", "penalty_paid", "prepaid"]
    for name in fields:
        setattr(loan, name, figures[name])
    if loan.status != figures["status"]:
        loan.status = figures["status"]
        loan.closed_on = (
            dt.date.fromisoformat(figures["closed_on"]) if figures["closed_on"] else None
        )
        loan.dpd = figures["dpd"]
        loan.ppap_required = figures["ppap_required"]
        fields += ["status", "closed_on", "dpd", "ppap_required"]
    loan.save(update_fields=fields)
    Installment.objects.filter(koperasi_id=loan.koperasi_id, loan=loan).delete()
    Installment.objects.bulk_create(
        [
            Installment(
                koperasi_id=loan.koperasi_id,
                loan=loan,
                period=period,
                due_date=dt.date.fromisoformat(due),
                principal=principal,
                interest=interest,
                balance=balance,
                principal_paid=principal_paid,
                interest_paid=interest_paid,
                penalty_paid=penalty_paid,
                paid_on=dt.date.fromisoformat(paid_on) if paid_on else None,
            )
            for (
                period,
                due,
                principal,
                interest,
                balance,
                principal_paid,
                interest_paid,
                penalty_paid,
                paid_on,
            ) in state["rows"]
        ]
    )
    return fields


def approve_repayment_reversal(reversal: RepaymentReversal, *, actor) -> RepaymentReversal:
    """A second officer approves: the repayment's entry is mirrored by a new entry that
    ``reverses`` it (dated the request's date), the installment rows and the loan's paid
    figures are restored from the payment's snapshot (a loan the payment closed is active
    again), and money a payment took from savings is paid back into that account.

    Never the officer who asked, nor the borrower or a recorded relative. Approving an
    approved request again returns it (``replayed``). Audited as
    ``loans.repayment_reversal.approved``.
    """
    from kopdes.savings.models import SavingsTransaction

    koperasi = reversal.koperasi
    roles = require_perm(actor, koperasi, "ledger.approve_reversal")
    if actor.pk == reversal.requested_by_id:
        raise PermissionDeniedError(
            _("You asked for this correction, so another officer must approve it."),
            code="maker_checker",
        )
    with transaction.atomic():
        _lock(koperasi)
        rv = RepaymentReversal.objects.select_related(
            "repayment", "repayment__entry", "loan", "loan__member", "loan__product"
        ).get(koperasi=koperasi, pk=reversal.pk)
        if rv.state == RepaymentReversal.State.APPROVED:
            rv.replayed = True
            return rv
        if rv.state != RepaymentReversal.State.PENDING:
            raise LoanError(_("This request was already decided."))
        loan = rv.loan
        loan.koperasi = loan.member.koperasi = koperasi
        if is_relative(actor, loan.member):
            raise PermissionDeniedError(
                _("You may not decide a loan of yourself or of a relative."), code="maker_checker"
            )
        rep = rv.repayment
        rep.loan = loan
        _check_reversible(rep, pending=rv)
        entry = _post(
            koperasi,
            actor=actor,
            date=rv.date,
            memo=book_text(
                koperasi,
                MEMOS["reversal"],
                loan=loan.number,
                entry=rep.entry.number,
                reason=rv.reason,
            ),
            lines=ledger_selectors.mirrored_lines(rep.entry),
            key=f"loans:reverse:{rv.pk}",
            source="loans.repayment_reversal",
            source_ref=str(loan.pk),
            reverses=rep.entry,
        )
        if rep.source == PaymentSource.SAVINGS:
            taken = (
                SavingsTransaction.objects.filter(
                    koperasi=koperasi, idempotency_key=f"loans:repay:{rep.idempotency_key}"
                )
                .select_related("account")
                .first()
            )
            _savings_move(
                loan.member,
                actor=actor,
                date=rv.date,
                amount=rep.amount,
                key=f"loans:reverse:{rv.pk}",
                memo=book_text(koperasi, MEMOS["reversal_line"], loan=loan.number),
                account=taken.account if taken is not None else None,
            )
        _restore(loan, rep.state_before, rep)
        rv.state = RepaymentReversal.State.APPROVED
        rv.decided_by = actor
        rv.decided_at = timezone.now()
        rv.reversal_entry = entry
        rv.save(update_fields=["state", "decided_by", "decided_at", "reversal_entry"])
        record(
            "loans.repayment_reversal.approved",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=rv,
            summary={
                "loan": loan.number,
                "amount": rep.amount,
                "penalty": rep.penalty,
                "interest": rep.interest,
                "principal": rep.principal,
                "source": rep.source,
                "entry": rep.entry.number,
                "reversal": entry.number,
                "requested_by": str(rv.requested_by_id),
            },
        )
    return rv


def reject_repayment_reversal(
    reversal: RepaymentReversal, *, actor, reason: str = ""
) -> RepaymentReversal:
    """A second officer turns the correction down; nothing moves. Audited."""
    koperasi = reversal.koperasi
    roles = require_perm(actor, koperasi, "ledger.approve_reversal")
    if actor.pk == reversal.requested_by_id:
        raise PermissionDeniedError(
            _("You asked for this correction, so another officer must approve it."),
            code="maker_checker",
        )
    with transaction.atomic():
        updated = RepaymentReversal.objects.filter(
            koperasi=koperasi, pk=reversal.pk, state=RepaymentReversal.State.PENDING
        ).update(
            state=RepaymentReversal.State.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note=(reason or "")[:300],
        )
        if not updated:
            raise LoanError(_("This request was already decided."))
        reversal.refresh_from_db()
        record(
            "loans.repayment_reversal.rejected",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=reversal,
            summary={"repayment": str(reversal.repayment_id), "reason": (reason or "")[:300]},
        )
    return reversal


# --- daily job: days past due, kolektibilitas, month-end PPAP -----------------------------


@dataclass(frozen=True)
class DailyResult:
    as_of: dt.date
    loans: int
    changed: int
    ppap_required: int
    ppap_entry: Any = None


def _is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def run_daily(koperasi, *, actor, as_of: dt.date, post_ppap: bool | None = None) -> DailyResult:
    """Days past due and kolektibilitas of every active loan on ``as_of``; on the last day
    of a month (or when ``post_ppap``) also the PPAP provision: only the change against
    the allowance 1-1310 is posted (Dr 5-2400 / Cr 1-1310, or back when it falls).

    The day buckets and PPAP rates are the koperasi's AD/ART settings
    (``AdArt.kolektibilitas_buckets`` / ``AdArt.ppap_rates``, DOMAIN.md defaults), so the
    month-end posting uses the same rates as the classes it sums.

    ``actor=None`` is the scheduler (``kopdes loans-daily``). Reads two aggregate queries
    and updates only the loans whose figures changed, so 20,000 loans take seconds.
    """
    if actor is not None:
        require_perm(actor, koperasi, "loans.run_daily")
    as_of = _business_date(koperasi, _date(as_of))
    oldest = dict(
        Installment.objects.filter(
            koperasi=koperasi,
            loan__status=LoanStatus.ACTIVE,
            paid_on__isnull=True,
            due_date__lte=as_of,
        )
        .values("loan_id")
        .annotate(m=Min("due_date"))
        .values_list("loan_id", "m")
        .order_by()
    )
    updates = []
    required_total = 0
    count = 0
    # The koperasi's AD/ART buckets and rates, read once: a change made today applies from
    # this run on (loans are re-classed from their days past due, not from the old class).
    adart = koperasi.adart
    buckets = adart.kolektibilitas_buckets
    rates = adart.ppap_rates
    factors = adart.collateral_factors
    for pk, principal, paid, restructured, appraised, binding, dpd0, kol0, ppap0 in (
        Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE)
        .values_list(
            "pk",
            "principal",
            "principal_paid",
            "restructured",
            "collateral_value",
            "collateral_binding",
            "dpd",
            "kolektibilitas",
            "ppap_required",
        )
        .iterator(chunk_size=5000)
    ):
        count += 1
        dpd = engine.days_past_due(oldest.get(pk), as_of)
        klass = engine.kolektibilitas(dpd, buckets, restructured=restructured)
        collateral = engine.Collateral(appraised, binding) if appraised else _NO_COLLATERAL
        ppap = engine.ppap_required(principal - paid, klass, collateral, rates, factors)
        required_total += ppap
        if (dpd, int(klass), ppap) != (dpd0, kol0, ppap0):
            updates.append((dpd, int(klass), ppap, as_of, pk))
    entry = None
    with transaction.atomic():
        if updates:
            table = Loan._meta.db_table
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET dpd = %s, kolektibilitas = %s, ppap_required = %s, "  # noqa: S608
                    "assessed_on = %s WHERE id = %s",
                    [
                        (*u[:4], u[4] if connection.vendor == "postgresql" else u[4].hex)
                        for u in updates
                    ],
                )
        if post_ppap or (post_ppap is None and _is_month_end(as_of)):
            entry = _post_ppap(koperasi, actor=actor, as_of=as_of, required=required_total)
        record(
            "loans.daily.ran",
            actor=actor,
            koperasi=koperasi,
            object_type="loans.daily",
            summary={
                "as_of": as_of.isoformat(),
                "loans": count,
                "changed": len(updates),
                "ppap_required": required_total,
                "ppap_entry": entry.number if entry is not None else None,
            },
        )
    return DailyResult(as_of, count, len(updates), required_total, entry)


_NO_COLLATERAL = engine.Collateral()


def allowance_balance(koperasi) -> int:
    """The PPAP allowance held (credit balance of 1-1310), sen."""
    agg = AccountBalance.objects.filter(
        koperasi=koperasi, account__code=chart.LOAN_LOSS_ALLOWANCE
    ).aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    return (agg["c"] or 0) - (agg["d"] or 0)


def _post_ppap(koperasi, *, actor, as_of: dt.date, required: int):
    _lock(koperasi)
    period = as_of.year * 100 + as_of.month
    if PpapRun.objects.filter(koperasi=koperasi, period=period).exists():
        return PpapRun.objects.get(koperasi=koperasi, period=period).entry
    held = allowance_balance(koperasi)
    delta = required - held
    entry = None
    if delta:
        up = delta > 0
        entry = _post(
            koperasi,
            actor=actor,
            date=as_of,
            memo=book_text(
                koperasi,
                MEMOS["ppap"],
                month=f"{as_of:%m/%Y}",
                amount=format_rupiah(required),
            ),
            lines=[
                (LineDraft.debit if up else LineDraft.credit)(chart.LOAN_LOSS_EXPENSE, abs(delta)),
                (LineDraft.credit if up else LineDraft.debit)(
                    chart.LOAN_LOSS_ALLOWANCE, abs(delta)
                ),
            ],
            key=f"loans:ppap:{period}",
            source="loans.ppap",
            audited_by_caller=False,  # the daily job records no event of its own
        )
    PpapRun.objects.create(
        koperasi=koperasi, period=period, date=as_of, required=required, previous=held, entry=entry
    )
    return entry


# --- restructuring and write-off (maker-checker) ------------------------------------------


def _open_proposal_check(loan: Loan, kind: str) -> None:
    if LoanProposal.objects.filter(
        koperasi_id=loan.koperasi_id, loan=loan, kind=kind, state=ProposalState.PROPOSED
    ).exists():
        raise LoanError(_("A proposal for this loan is already waiting for approval."))


def propose_restructure(
    loan: Loan,
    *,
    actor,
    reason: str,
    term: int,
    rate_percent: Any,
    start_date: dt.date,
    method: str | None = None,
    grace_periods: int = 0,
    capitalised_interest: int = 0,
) -> LoanProposal:
    """Propose rescheduling what is still owed; the ketua approves (another person)."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.propose_restructure")
    reason = (reason or "").strip()
    if not reason:
        raise LoanError(_("Write the reason."), field="reason")
    rate = _percent(rate_percent)
    start_date = _date(start_date)
    if not isinstance(term, int) or not 1 <= term <= engine.MAX_TERM:
        raise LoanError(_("The term must be between 1 and 600 months."), field="term")
    if not isinstance(capitalised_interest, int) or capitalised_interest < 0:
        raise LoanError(_("This figure must be a whole number, not negative."), field="capitalised")
    method = method or loan.method
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("Only an active loan can be restructured."), field="loan")
        _open_proposal_check(loan, ProposalKind.RESTRUCTURE)
        # The new schedule must be buildable before it is proposed.
        try:
            engine.restructure(
                loan.principal - loan.principal_paid,
                capitalised_interest=capitalised_interest,
                method=method,
                rate=engine.periodic_rate(rate, per=loan.rate_per),
                term=term,
                rounding=loan.rounding,
                start_date=start_date,
                grace_periods=grace_periods,
            )
        except engine.LoanError as exc:
            raise LoanError(exc.message, field="term") from exc
        proposal = LoanProposal.objects.create(
            koperasi=koperasi,
            loan=loan,
            kind=ProposalKind.RESTRUCTURE,
            reason=reason[:300],
            params={
                "term": term,
                "rate_percent": str(rate),
                "method": method,
                "grace_periods": grace_periods,
                "capitalised_interest": capitalised_interest,
                "start_date": start_date.isoformat(),
            },
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "loans.restructure.proposed",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=proposal,
            summary={"loan": loan.number, **proposal.params},
        )
    return proposal


def eligible_collateral(loan: Loan) -> int:
    """The part of the loan's collateral that counts against its PPAP from DPK on: the
    appraised value times the AD/ART factor of its binding (sen)."""
    if not loan.collateral_value:
        return 0
    collateral = engine.Collateral(loan.collateral_value, loan.collateral_binding)
    return collateral.eligible(loan.koperasi.adart.collateral_factors)


def current_kolektibilitas(loan: Loan, as_of: dt.date | None = None) -> engine.Kolektibilitas:
    """The loan's class on ``as_of`` (default today) from its oldest unpaid installment
    and the AD/ART buckets: what the daily job would give it, without waiting for it."""
    as_of = as_of or timezone.localdate()
    oldest = (
        Installment.objects.filter(loan=loan, paid_on__isnull=True, due_date__lte=as_of)
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    return engine.kolektibilitas(
        engine.days_past_due(oldest, as_of),
        loan.koperasi.adart.kolektibilitas_buckets,
        restructured=loan.restructured,
    )


def can_write_off(loan: Loan, as_of: dt.date | None = None) -> bool:
    """Whether the AD/ART allows hapus buku for this loan: an active loan whose class
    today (or the class the daily job last gave it, if worse) is at least the AD/ART's
    ``write_off_min_kolektibilitas`` (default macet)."""
    if loan.status != LoanStatus.ACTIVE:
        return False
    klass = max(int(current_kolektibilitas(loan, as_of)), loan.kolektibilitas)
    return loan.koperasi.adart.allows_write_off(klass)


def propose_write_off(loan: Loan, *, actor, reason: str) -> LoanProposal:
    """Propose hapus buku; the ketua and a pengawas must both approve."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.propose_write_off")
    reason = (reason or "").strip()
    if not reason:
        raise LoanError(_("Write the reason."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("Only an active loan can be written off."), field="loan")
        if not can_write_off(loan):
            raise LoanError(
                _("The AD/ART allows a write-off only from %(klass)s; this loan is %(current)s.")
                % {
                    "klass": Kolektibilitas(koperasi.adart.write_off_min_kolektibilitas).label,
                    "current": Kolektibilitas(int(current_kolektibilitas(loan))).label,
                },
                field="loan",
            )
        _open_proposal_check(loan, ProposalKind.WRITE_OFF)
        proposal = LoanProposal.objects.create(
            koperasi=koperasi,
            loan=loan,
            kind=ProposalKind.WRITE_OFF,
            reason=reason[:300],
            params={"outstanding": loan.principal - loan.principal_paid},
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "loans.write_off.proposed",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=proposal,
            summary={"loan": loan.number, "outstanding": proposal.params["outstanding"]},
        )
    return proposal


def approve_proposal(proposal: LoanProposal, *, actor, date: dt.date) -> LoanProposal:
    """Approve a restructuring (ketua) or one half of a write-off (ketua, pengawas).

    The proposer never approves; a write-off takes effect when the second of the two
    roles approves, and the same person cannot be both halves.
    """
    koperasi = proposal.koperasi
    date = _date(date)
    code = (
        "loans.approve_restructure"
        if proposal.kind == ProposalKind.RESTRUCTURE
        else "loans.approve_write_off"
    )
    roles = require_perm(actor, koperasi, code)
    with transaction.atomic():
        _lock(koperasi)
        proposal = LoanProposal.objects.select_related("loan", "loan__member").get(pk=proposal.pk)
        if proposal.state != ProposalState.PROPOSED:
            raise LoanError(_("This proposal was already decided."))
        if actor.pk == proposal.proposed_by_id:
            raise PermissionDeniedError(
                _("You proposed this, so another officer must approve it."), code="maker_checker"
            )
        if is_relative(actor, proposal.loan.member):
            raise PermissionDeniedError(
                _("You may not decide a loan of yourself or of a relative."), code="maker_checker"
            )
        loan = proposal.loan
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("This loan is no longer active."))
        _business_date(koperasi, date, loan)
        if proposal.kind == ProposalKind.WRITE_OFF:
            if proposal.approved_by_id is None:
                proposal.approved_by = actor
                proposal.save(update_fields=["approved_by"])
                record(
                    "loans.write_off.first_approved",
                    actor=actor,
                    koperasi=koperasi,
                    role=_label(roles),
                    obj=proposal,
                    summary={"loan": loan.number},
                )
                return proposal
            if actor.pk == proposal.approved_by_id:
                raise PermissionDeniedError(
                    _("The second approval must come from another person."), code="maker_checker"
                )
            first_roles = roles_for(proposal.approved_by, koperasi)
            if not (
                (Role.KETUA in first_roles and Role.PENGAWAS in roles)
                or (Role.PENGAWAS in first_roles and Role.KETUA in roles)
            ):
                raise PermissionDeniedError(
                    _("A write-off needs the ketua and a pengawas."), code="maker_checker"
                )
            proposal.second_approved_by = actor
            _write_off(loan, actor=actor, date=date, roles=roles)
        else:
            proposal.approved_by = actor
            _restructure(loan, proposal, actor=actor, date=date, roles=roles)
        proposal.state = ProposalState.APPROVED
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["state", "decided_at", "approved_by", "second_approved_by"])
        record(
            f"loans.{proposal.kind}.approved",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=proposal,
            summary={"loan": loan.number},
        )
    return proposal


def reject_proposal(proposal: LoanProposal, *, actor, reason: str = "") -> LoanProposal:
    """Turn a restructuring or write-off proposal down (nothing is posted)."""
    koperasi = proposal.koperasi
    code = (
        "loans.approve_restructure"
        if proposal.kind == ProposalKind.RESTRUCTURE
        else "loans.approve_write_off"
    )
    roles = require_perm(actor, koperasi, code)
    with transaction.atomic():
        proposal = LoanProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != ProposalState.PROPOSED:
            raise LoanError(_("This proposal was already decided."))
        proposal.state = ProposalState.REJECTED
        proposal.decided_at = timezone.now()
        proposal.decision_note = (reason or "")[:300]
        proposal.save(update_fields=["state", "decided_at", "decision_note"])
        record(
            f"loans.{proposal.kind}.rejected",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=proposal,
            summary={"reason": reason[:300]},
        )
    return proposal


def _restructure(loan: Loan, proposal: LoanProposal, *, actor, date, roles) -> Loan:
    p = proposal.params
    start = dt.date.fromisoformat(p["start_date"])
    outstanding = loan.principal - loan.principal_paid
    capitalised = int(p.get("capitalised_interest", 0))
    schedule = engine.restructure(
        outstanding,
        capitalised_interest=capitalised,
        method=p["method"],
        rate=engine.periodic_rate(p["rate_percent"], per=loan.rate_per),
        term=int(p["term"]),
        rounding=loan.rounding,
        start_date=start,
        grace_periods=int(p.get("grace_periods", 0)),
    )
    koperasi = loan.koperasi
    lock_chain(f"loans:{koperasi.pk}")  # loan numbers, as in apply_for_loan
    new = Loan.objects.create(
        koperasi=koperasi,
        number=_next_number(koperasi),
        member=loan.member,
        product=loan.product,
        status=LoanStatus.ACTIVE,
        channel=loan.channel,
        principal=outstanding + capitalised,
        term=int(p["term"]),
        method=p["method"],
        rate_percent=Decimal(p["rate_percent"]),
        rate_per=loan.rate_per,
        rounding=loan.rounding,
        grace_periods=int(p.get("grace_periods", 0)),
        purpose=f"Restrukturisasi {loan.number}"[:200],
        collateral_value=loan.collateral_value,
        collateral_binding=loan.collateral_binding,
        collateral_note=loan.collateral_note,
        guarantor_note=loan.guarantor_note,
        applied_on=date,
        created_by=proposal.proposed_by,
        decided_by=actor,
        decided_at=timezone.now(),
        disbursed_on=start,
        disbursed_by=actor,
        restructured=True,
        restructured_from=loan,
        kolektibilitas=3,
    )
    entry = _post(
        koperasi,
        actor=actor,
        date=date,
        memo=book_text(koperasi, MEMOS["restructure"], loan=loan.number, new=new.number),
        lines=[
            _loan_line("D", new, outstanding + capitalised),
            _loan_line("C", loan, outstanding),
            LineDraft.credit(chart.LOAN_INTEREST_INCOME, capitalised),
        ],
        key=f"loans:restructure:{proposal.pk}",
        source="loans.restructure",
        source_ref=str(loan.pk),
    )
    new.disbursement_entry = entry
    new.save(update_fields=["disbursement_entry"])
    Installment.objects.bulk_create(_schedule_rows(new, schedule))
    Installment.objects.filter(loan=loan, paid_on__isnull=True).update(paid_on=date)
    loan.status = LoanStatus.RESTRUCTURED
    loan.principal_paid = loan.principal
    loan.closed_on = date
    loan.ppap_required = 0
    loan.save(update_fields=["status", "principal_paid", "closed_on", "ppap_required"])
    record(
        "loans.loan.restructured",
        actor=actor,
        koperasi=koperasi,
        role=_label(roles),
        obj=new,
        summary={"from": loan.number, "to": new.number, "principal": new.principal},
    )
    return new


def _write_off(loan: Loan, *, actor, date, roles) -> None:
    outstanding = loan.principal - loan.principal_paid
    entry = _post(
        loan.koperasi,
        actor=actor,
        date=date,
        memo=book_text(loan.koperasi, MEMOS["write_off"], loan=loan.number),
        lines=[
            LineDraft.debit(chart.LOAN_LOSS_ALLOWANCE, outstanding),
            _loan_line("C", loan, outstanding),
        ],
        key=f"loans:write_off:{loan.pk}",
        source="loans.write_off",
        source_ref=str(loan.pk),
    )
    loan.status = LoanStatus.WRITTEN_OFF
    loan.written_off_amount = outstanding
    loan.principal_paid = loan.principal
    loan.closed_on = date
    loan.ppap_required = 0
    loan.save(
        update_fields=[
            "status",
            "written_off_amount",
            "principal_paid",
            "closed_on",
            "ppap_required",
        ]
    )
    record(
        "loans.loan.written_off",
        actor=actor,
        koperasi=loan.koperasi,
        role=_label(roles),
        obj=loan,
        summary={"number": loan.number, "amount": outstanding, "entry": entry.number},
    )


def record_recovery(loan: Loan, *, actor, amount: int, date: dt.date, idempotency_key: str):
    """Money received on a written-off loan. It restores the PPAP allowance (Dr Kas /
    Cr 1-1310); the next month-end PPAP run releases the surplus into income."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.repay")
    amount = _amount(amount)
    date = _date(date)
    key = _key(idempotency_key)
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.get(pk=loan.pk)
        if loan.status != LoanStatus.WRITTEN_OFF:
            raise LoanError(_("Recoveries are only for written-off loans."), field="loan")
        _not_before_disbursement(loan, date)
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["recovery"], loan=loan.number),
            lines=[
                LineDraft.debit(chart.CASH, amount),
                LineDraft.credit(chart.LOAN_LOSS_ALLOWANCE, amount),
            ],
            key=f"loans:recovery:{key}",
            source="loans.recovery",
            source_ref=str(loan.pk),
        )
        if not getattr(entry, "replayed", False):
            if loan.recovered_amount + amount > loan.written_off_amount:
                raise LoanError(
                    _("The recovery is more than what was written off."), field="amount"
                )
            loan.recovered_amount += amount
            loan.save(update_fields=["recovered_amount"])
            record(
                "loans.recovery.received",
                actor=actor,
                koperasi=koperasi,
                role=_label(roles),
                obj=loan,
                summary={"number": loan.number, "amount": amount, "entry": entry.number},
            )
    return entry


# --- the koperasi's own bank loan ---------------------------------------------------------


def create_bank_loan(
    koperasi,
    *,
    actor,
    lender: str,
    plafond: int,
    rate_percent: Any,
    term: int,
    grace_periods: int,
    start_date: dt.date,
    reference: str = "",
    due_day: int = 12,
) -> BankLoan:
    """Record the koperasi's borrowing contract (e.g. Himbara: <= Rp3 billion, 6% a year,
    <= 72 months, 6-8 months grace, due on the 12th)."""
    roles = require_perm(actor, koperasi, "loans.manage_bank_loan")
    lender = (lender or "").strip()
    if not lender:
        raise LoanError(_("Write the lender's name."), field="lender")
    plafond = _amount(plafond, "plafond")
    rate = _percent(rate_percent)
    if not isinstance(term, int) or not 1 <= term <= engine.MAX_TERM:
        raise LoanError(_("The term must be between 1 and 600 months."), field="term")
    if not isinstance(grace_periods, int) or not 0 <= grace_periods < term:
        raise LoanError(_("The grace period must be shorter than the term."), field="grace")
    if not 1 <= due_day <= 28:
        raise LoanError(_("The due day must be between 1 and 28."), field="due_day")
    with transaction.atomic():
        bank_loan = BankLoan.objects.create(
            koperasi=koperasi,
            lender=lender[:100],
            reference=(reference or "")[:60],
            plafond=plafond,
            rate_percent=rate,
            term=term,
            grace_periods=grace_periods,
            due_day=due_day,
            start_date=_date(start_date),
            created_by=actor,
        )
        record(
            "loans.bank_loan.created",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=bank_loan,
            summary={"lender": lender, "plafond": plafond, "rate": str(rate), "term": term},
        )
    return bank_loan


def bank_drawn(bank_loan: BankLoan) -> int:
    return (
        bank_loan.movements.filter(kind=BankLoanMovement.Kind.DRAWDOWN).aggregate(
            t=Sum("principal")
        )["t"]
        or 0
    )


def bank_schedule(bank_loan: BankLoan) -> list[tuple[int, dt.date, int, int]]:
    """(period, due date, principal, interest) on what was drawn: the engine's schedule
    with due dates moved to the contract's day (the 12th), then to the next working day."""
    drawn = bank_drawn(bank_loan)
    if drawn <= 0:
        return []
    terms = engine.LoanTerms(
        method=engine.LoanMethod(bank_loan.method),
        principal=drawn,
        rate=engine.periodic_rate(bank_loan.rate_percent, per="year"),
        term=bank_loan.term,
        rounding=engine.Rounding.RUPIAH,
        start_date=bank_loan.start_date,
        grace_periods=bank_loan.grace_periods,
    )
    out = []
    for row in engine.build_schedule(terms).installments:
        assert row.due_date is not None
        day = row.due_date.replace(day=bank_loan.due_day)
        out.append((row.period, next_working_day(day), row.principal, row.interest))
    return out


def draw_bank_loan(bank_loan: BankLoan, *, actor, amount: int, date: dt.date, idempotency_key: str):
    """A drawdown: Dr 1-1200 Bank / Cr 2-2100 Utang bank; never above the plafond."""
    koperasi = bank_loan.koperasi
    roles = require_perm(actor, koperasi, "loans.manage_bank_loan")
    amount = _amount(amount)
    date = _date(date)
    key = _key(idempotency_key)
    with transaction.atomic():
        _lock(koperasi)
        found = BankLoanMovement.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if found is not None:
            if (found.bank_loan_id, found.kind, found.principal, found.date) != (
                bank_loan.pk,
                BankLoanMovement.Kind.DRAWDOWN,
                amount,
                date,
            ):
                raise ConflictError(
                    _("This idempotency key was already used. Nothing was recorded."),
                    field="idempotency_key",
                )
            return found
        if bank_drawn(bank_loan) + amount > bank_loan.plafond:
            raise LoanError(_("The drawdown is above the plafond."), field="amount")
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["bank_received"], bank_loan=bank_loan),
            lines=[LineDraft.debit(chart.BANK, amount), LineDraft.credit(chart.BANK_LOAN, amount)],
            key=f"loans:bank:{key}",
            source="loans.bank_loan",
            source_ref=str(bank_loan.pk),
        )
        move = BankLoanMovement.objects.create(
            koperasi=koperasi,
            bank_loan=bank_loan,
            kind=BankLoanMovement.Kind.DRAWDOWN,
            date=date,
            principal=amount,
            entry=entry,
            idempotency_key=key,
            created_by=actor,
        )
        record(
            "loans.bank_loan.drawn",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=move,
            summary={"amount": amount, "entry": entry.number},
        )
    return move


def pay_bank_installment(
    bank_loan: BankLoan,
    *,
    actor,
    principal: int,
    interest: int,
    date: dt.date,
    idempotency_key: str,
):
    """An installment paid to the bank: Dr 2-2100 (pokok) + Dr 5-2300 beban bunga bank /
    Cr 1-1200 Bank. Never more principal than is owed."""
    koperasi = bank_loan.koperasi
    roles = require_perm(actor, koperasi, "loans.manage_bank_loan")
    date = _date(date)
    key = _key(idempotency_key)
    for name, value in (("principal", principal), ("interest", interest)):
        if not isinstance(value, int) or value < 0 or value > MAX_SEN:
            raise LoanError(_("This figure must be a whole number, not negative."), field=name)
    if principal + interest <= 0:
        raise LoanError(_("The amount must be more than zero."), field="principal")
    with transaction.atomic():
        _lock(koperasi)
        found = BankLoanMovement.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if found is not None:
            if (found.bank_loan_id, found.principal, found.interest, found.date) != (
                bank_loan.pk,
                principal,
                interest,
                date,
            ):
                raise ConflictError(
                    _("This idempotency key was already used. Nothing was recorded."),
                    field="idempotency_key",
                )
            return found
        if principal > bank_outstanding(bank_loan):
            raise LoanError(
                _("The principal is more than what is owed to the bank."), field="principal"
            )
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["bank_installment"], bank_loan=bank_loan),
            lines=[
                LineDraft.debit(chart.BANK_LOAN, principal),
                LineDraft.debit(chart.BANK_INTEREST_EXPENSE, interest),
                LineDraft.credit(chart.BANK, principal + interest),
            ],
            key=f"loans:bank:{key}",
            source="loans.bank_loan",
            source_ref=str(bank_loan.pk),
        )
        move = BankLoanMovement.objects.create(
            koperasi=koperasi,
            bank_loan=bank_loan,
            kind=BankLoanMovement.Kind.PAYMENT,
            date=date,
            principal=principal,
            interest=interest,
            entry=entry,
            idempotency_key=key,
            created_by=actor,
        )
        record(
            "loans.bank_loan.paid",
            actor=actor,
            koperasi=koperasi,
            role=_label(roles),
            obj=move,
            summary={"principal": principal, "interest": interest, "entry": entry.number},
        )
    return move


def bank_outstanding(bank_loan: BankLoan) -> int:
    paid = (
        bank_loan.movements.filter(kind=BankLoanMovement.Kind.PAYMENT).aggregate(
            t=Sum("principal")
        )["t"]
        or 0
    )
    return bank_drawn(bank_loan) - paid
