"""T16 for loans: the maker never checks; relatives never check; a duplicate pending
proposal is refused; checker-only roles cannot initiate; a rejection posts nothing; every
step is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.ledger.models import JournalEntry
from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Loan, LoanProposal
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 30)  # a past business date (never after today)


def test_the_borrower_who_is_an_officer_cannot_approve_their_own_loan(koperasi, officers):
    manajer = make_user("manajer", koperasi)
    member = active_member(koperasi)
    member.user = manajer
    member.save(update_fields=["user"])
    loan = services.apply_for_loan(
        member,
        actor=officers["maker"],
        product=testing.product(koperasi, actor=officers["checker"]),
        principal=100_000_00,
        term=3,
        applied_on=testing.DAY,
    )
    with pytest.raises(PermissionDeniedError):
        services.approve_loan(loan, actor=manajer)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPLIED


def test_a_relative_cannot_approve_a_write_off(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    services.record_relationship(
        loan.member, actor=officers["checker"], user=officers["pengawas"], relation="kakak"
    )
    proposal = services.propose_write_off(loan, actor=officers["maker"], reason="Macet")
    services.approve_proposal(proposal, actor=officers["checker"], date=DAY)
    with pytest.raises(PermissionDeniedError):
        services.approve_proposal(proposal, actor=officers["pengawas"], date=DAY)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE


def test_a_duplicate_pending_proposal_is_refused(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    services.propose_write_off(loan, actor=officers["maker"], reason="Macet")
    with pytest.raises(LoanError):
        services.propose_write_off(loan, actor=officers["payer"], reason="Macet juga")
    assert LoanProposal.objects.filter(loan=loan).count() == 1


def test_checker_only_roles_cannot_initiate(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    for actor in (officers["pengawas"], officers["checker"]):
        with pytest.raises(PermissionDeniedError):
            services.propose_write_off(loan, actor=actor, reason="x")
    with pytest.raises(PermissionDeniedError):
        services.propose_restructure(
            loan, actor=officers["checker"], reason="x", term=6, rate_percent="1",
            start_date=DAY,
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        services.approve_loan(loan, actor=officers["pengawas"])


def test_a_rejected_proposal_posts_nothing_and_every_step_is_audited(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    before = JournalEntry.objects.filter(koperasi=koperasi).count()
    proposal = services.propose_restructure(
        loan, actor=officers["maker"], reason="Banjir", term=12, rate_percent="1",
        start_date=DAY,
    )  # fmt: skip
    proposal = services.reject_proposal(proposal, actor=officers["checker"], reason="Belum perlu")
    assert proposal.state == ProposalState.REJECTED
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == before
    actions = list(
        AuditEvent.objects.filter(koperasi=koperasi, action__startswith="loans.restructure")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["loans.restructure.proposed", "loans.restructure.rejected"]


def test_same_person_cannot_be_both_halves_of_a_write_off(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    from kopdes.platform.identity.models import RoleAssignment

    ketua = officers["checker"]
    RoleAssignment.objects.create(user=ketua, role="pengawas", koperasi=koperasi)
    proposal = services.propose_write_off(loan, actor=officers["maker"], reason="Macet")
    services.approve_proposal(proposal, actor=ketua, date=DAY)
    with pytest.raises(PermissionDeniedError):
        services.approve_proposal(proposal, actor=ketua, date=DAY)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE
