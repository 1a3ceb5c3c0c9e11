"""A loan application and its maker-checker decision; officers' recorded relatives."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain.money import MAX_SEN, format_rupiah
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import LedgerError
from kopdes.loans.choices import (
    Channel,
    CollateralBinding,
    LoanStatus,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    Loan,
    LoanProduct,
    Relationship,
)
from kopdes.loans.services._common import MAX_KEY, _amount, _bp_of, _date, _lock, _roles
from kopdes.loans.services.products import _check_term, loan_terms, plafond_for
from kopdes.members.choices import MemberStatus
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import require_perm, roles_for

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
            role=role_label(roles),
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
            role=role_label(roles),
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
            role=role_label(roles),
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
                role=role_label(roles),
                obj=rel,
                summary={"user": str(user), "member": member.number, "relation": relation},
            )
    return rel
