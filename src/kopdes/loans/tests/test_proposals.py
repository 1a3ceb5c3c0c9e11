"""The loans' proposals on the one maker-checker base (``platform.approvals``): the database
refuses a checker who is the maker on both models, a decided proposal is decided once, the
loan pages decide through the include and come back, and migration 0007's state values."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from kopdes.ledger.models import JournalEntry
from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.models import Loan, LoanProposal, RepaymentReversal
from kopdes.platform.approvals.models import Proposal, ProposalState
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import login

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 30)  # a past business date (never after today)
APRIL = dt.date(2026, 4, 2)


def _reversal(koperasi, officers) -> RepaymentReversal:
    loan = testing.active_loan(koperasi, officers=officers)
    rep = services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=118_000_00,
        date=APRIL,
        idempotency_key=testing.key(),
    )
    return services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="Salah input", idempotency_key=testing.key()
    )


def _restructure(koperasi, officers) -> LoanProposal:
    loan = testing.active_loan(koperasi, officers=officers)
    return services.propose_restructure(
        loan, actor=officers["maker"], reason="Gagal panen", term=18, rate_percent="1",
        start_date=DAY,
    )  # fmt: skip


def test_both_models_are_proposals_with_the_one_state_enum():
    assert issubclass(RepaymentReversal, Proposal) and issubclass(LoanProposal, Proposal)
    for model in (RepaymentReversal, LoanProposal):
        names = {c.name for c in model._meta.constraints}
        assert f"loans_{model._meta.model_name}_four_eyes" in names
        assert model._meta.get_field("state").choices == ProposalState.choices
        for gone in ("requested_by", "requested_at", "approved_by"):
            assert gone not in {f.name for f in model._meta.get_fields()}
    import kopdes.loans.choices as choices

    assert not hasattr(choices, "ProposalState")
    assert not hasattr(RepaymentReversal, "State")


def test_the_database_refuses_the_maker_as_checker_of_a_reversal(koperasi, officers):
    rv = _reversal(koperasi, officers)
    with pytest.raises(IntegrityError), transaction.atomic():
        RepaymentReversal.objects.filter(pk=rv.pk).update(decided_by=rv.proposed_by)
    assert RepaymentReversal.objects.get(pk=rv.pk).decided_by_id is None


def test_the_database_refuses_the_maker_as_checker_of_a_loan_proposal(koperasi, officers):
    proposal = _restructure(koperasi, officers)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanProposal.objects.filter(pk=proposal.pk).update(decided_by=proposal.proposed_by)
    # Nor may a write-off's second approver be the maker or the first approver.
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanProposal.objects.filter(pk=proposal.pk).update(
            decided_by=officers["checker"], second_approved_by=officers["checker"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanProposal.objects.filter(pk=proposal.pk).update(second_approved_by=proposal.proposed_by)
    assert LoanProposal.objects.get(pk=proposal.pk).decided_by_id is None


def test_the_maker_cannot_decide_with_the_bases_message(koperasi, officers):
    rv = _reversal(koperasi, officers)
    payer = officers["payer"]
    own = services.request_repayment_reversal(
        services.repay_loan(
            testing.active_loan(koperasi, officers=officers),
            actor=payer,
            amount=118_000_00,
            date=APRIL,
            idempotency_key=testing.key(),
        ),
        actor=payer,
        reason="Salah",
        idempotency_key=testing.key(),
    )
    for decide in (
        lambda: services.approve_repayment_reversal(own, actor=payer),
        lambda: services.reject_repayment_reversal(own, actor=payer, reason="x"),
    ):
        with pytest.raises(PermissionDeniedError, match="mengusulkan"):
            decide()
    proposal = _restructure(koperasi, officers)
    with pytest.raises(PermissionDeniedError):  # the maker's own rejection too, now
        services.reject_proposal(proposal, actor=officers["maker"], reason="x")
    assert RepaymentReversal.objects.get(pk=own.pk).state == ProposalState.PENDING
    assert RepaymentReversal.objects.get(pk=rv.pk).state == ProposalState.PENDING
    assert LoanProposal.objects.get(pk=proposal.pk).state == ProposalState.PENDING


def test_a_reversal_is_decided_once(koperasi, officers):
    rv = _reversal(koperasi, officers)
    services.reject_repayment_reversal(rv, actor=officers["payer"], reason="Sudah benar")
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    events = AuditEvent.objects.filter(koperasi=koperasi).count()
    with pytest.raises(AlreadyDecidedError):
        services.approve_repayment_reversal(rv, actor=officers["checker"])
    with pytest.raises(AlreadyDecidedError):
        services.reject_repayment_reversal(rv, actor=officers["checker"], reason="lagi")
    found = RepaymentReversal.objects.get(pk=rv.pk)
    assert found.state == ProposalState.REJECTED and found.decided_by_id == officers["payer"].pk
    assert found.decision_note == "Sudah benar"
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries
    assert AuditEvent.objects.filter(koperasi=koperasi).count() == events


def test_a_restructuring_is_decided_once(koperasi, officers):
    proposal = _restructure(koperasi, officers)
    services.approve_proposal(proposal, actor=officers["checker"], date=DAY)
    loans = Loan.objects.count()
    with pytest.raises(AlreadyDecidedError):
        services.approve_proposal(proposal, actor=officers["checker"], date=DAY)
    with pytest.raises(AlreadyDecidedError):
        services.reject_proposal(proposal, actor=officers["checker"], reason="x")
    found = LoanProposal.objects.get(pk=proposal.pk)
    assert found.state == ProposalState.APPROVED and found.decided_by_id == officers["checker"].pk
    assert Loan.objects.count() == loans  # one new loan, from the first approval only


def test_a_write_off_keeps_both_approvers_and_is_decided_once(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    proposal = services.propose_write_off(loan, actor=officers["maker"], reason="Macet")
    first = services.approve_proposal(proposal, actor=officers["checker"], date=DAY)
    assert first.state == ProposalState.PENDING and first.decided_by_id == officers["checker"].pk
    services.approve_proposal(proposal, actor=officers["pengawas"], date=DAY)
    found = LoanProposal.objects.get(pk=proposal.pk)
    assert found.state == ProposalState.APPROVED
    assert found.decided_by_id == officers["checker"].pk  # the first approver stays
    assert found.second_approved_by_id == officers["pengawas"].pk
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.WRITTEN_OFF
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    with pytest.raises(AlreadyDecidedError):
        services.reject_proposal(proposal, actor=officers["pengawas"], reason="x")
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries


def test_a_rejected_write_off_cannot_be_approved_afterwards(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    proposal = services.propose_write_off(loan, actor=officers["maker"], reason="Macet")
    services.reject_proposal(proposal, actor=officers["pengawas"], reason="Belum")
    with pytest.raises(AlreadyDecidedError):
        services.approve_proposal(proposal, actor=officers["checker"], date=DAY)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE


def _decide_url(koperasi, decision: str, kind: str, pk) -> str:
    return reverse(
        f"approvals:{decision}",
        kwargs={"slug": koperasi.slug, "approval_kind": kind, "approval_item_id": pk},
    )


@pytest.mark.parametrize("kind", ["loans-restructure", "loans-write-off"])
def test_approving_from_the_proposals_page_comes_back_to_it(client, koperasi, officers, kind):
    loan = testing.active_loan(koperasi, officers=officers)
    if kind == "loans-write-off":
        proposal = services.propose_write_off(loan, actor=officers["maker"], reason="Macet")
    else:
        proposal = services.propose_restructure(
            loan, actor=officers["maker"], reason="Banjir", term=18, rate_percent="1",
            start_date=DAY,
        )  # fmt: skip
    ketua = login(client, officers["checker"])
    page = reverse("loans:proposal-list", kwargs={"slug": koperasi.slug})
    shown = ketua.get(page).content.decode()
    approve = _decide_url(koperasi, "approve", kind, proposal.pk)
    assert f'action="{approve}"' in shown and f'name="next" value="{page}"' in shown
    response = ketua.post(approve, {"next": page}, follow=True)
    assert response.redirect_chain[-1][0] == page
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0].startswith("Disetujui:"), messages
    found = LoanProposal.objects.get(pk=proposal.pk)
    assert found.decided_by_id == officers["checker"].pk
    expected = ProposalState.PENDING if kind == "loans-write-off" else ProposalState.APPROVED
    assert found.state == expected


def test_rejecting_from_the_loan_page_keeps_the_reason_and_comes_back(client, koperasi, officers):
    loan = services.apply_for_loan(
        testing.active_loan(koperasi, officers=officers).member,
        actor=officers["maker"],
        product=testing.product(koperasi, actor=officers["checker"]),
        principal=200_000_00,
        term=4,
        applied_on=testing.DAY,
    )
    ketua = login(client, officers["checker"])
    page = reverse("loans:loan-detail", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    reject = _decide_url(koperasi, "reject", "loans-application", loan.pk)
    assert f'action="{reject}"' in ketua.get(page).content.decode()
    empty = ketua.post(reject, {"next": page}, follow=True)  # the loan's own rule
    assert [str(m) for m in empty.context["messages"]] == ["Tulis alasan penolakan."]
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPLIED
    response = ketua.post(reject, {"next": page, "reason": "Penghasilan kurang"}, follow=True)
    assert response.redirect_chain[-1][0] == page
    found = Loan.objects.get(pk=loan.pk)
    assert found.status == LoanStatus.REJECTED and found.reject_reason == "Penghasilan kurang"


def test_the_old_module_decide_urls_are_gone(client, koperasi, officers):
    from django.urls import NoReverseMatch

    for name in (
        "proposal-approve",
        "proposal-reject",
        "repayment-reverse-approve",
        "repayment-reverse-reject",
        "loan-approve",
        "loan-reject",
    ):
        with pytest.raises(NoReverseMatch):
            reverse(f"loans:{name}", kwargs={"slug": koperasi.slug, "loan_id": "x"})


def test_migration_0007_moves_proposed_to_pending_and_back(koperasi, officers):
    migration = importlib.import_module("kopdes.loans.migrations.0007_proposed_is_pending")
    proposal = _restructure(koperasi, officers)
    LoanProposal.objects.filter(pk=proposal.pk).update(state="proposed")  # as before 0006
    migration.proposed_to_pending(apps, None)
    assert LoanProposal.objects.get(pk=proposal.pk).state == "pending"
    migration.pending_to_proposed(apps, None)
    assert LoanProposal.objects.get(pk=proposal.pk).state == "proposed"
