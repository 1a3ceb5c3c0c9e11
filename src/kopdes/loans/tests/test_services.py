"""Loan services: state change, audit event, balanced entry; bad input writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Installment, Loan, Repayment
from kopdes.loans.verification import check_loans
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db
DAY = testing.DAY


def _books_ok(koperasi):
    problems = [p for r in verify_books(koperasi) for p in r.problems]
    problems += check_loans(koperasi).problems
    assert problems == []


def _apply(koperasi, officers, **kw):
    member = kw.pop("member", None) or active_member(koperasi)
    prod = kw.pop("prod", None) or testing.product(koperasi, actor=officers["checker"])
    args = {"principal": 1_200_000_00, "term": 12, "applied_on": DAY}
    args.update(kw)
    return services.apply_for_loan(member, actor=officers["maker"], product=prod, **args)


def test_application_approval_and_cash_disbursement_post_one_balanced_entry(koperasi, officers):
    loan = _apply(koperasi, officers)
    assert loan.status == LoanStatus.APPLIED and loan.number == "PJ-000001"
    assert loan.admin_fee == 12_000_00 and loan.provisi == 12_000_00
    services.approve_loan(loan, actor=officers["checker"])
    loan = services.disburse_loan(loan, actor=officers["payer"], date=DAY)
    assert loan.status == LoanStatus.ACTIVE
    assert Installment.objects.filter(loan=loan).count() == 12
    lines = {
        (x.account.code, x.side): x.amount
        for x in JournalLine.objects.filter(entry=loan.disbursement_entry).select_related("account")
    }
    assert lines == {
        ("1-1300", "D"): 1_200_000_00,
        ("1-1100", "C"): 1_176_000_00,
        ("4-2200", "C"): 24_000_00,
    }
    actions = set(AuditEvent.objects.filter(koperasi=koperasi).values_list("action", flat=True))
    assert {"loans.loan.applied", "loans.loan.approved", "loans.loan.disbursed"} <= actions
    _books_ok(koperasi)


def test_maker_cannot_approve_own_application(koperasi, officers):
    ketua = officers["checker"]
    member = active_member(koperasi)
    prod = testing.product(koperasi, actor=ketua)
    loan = services.apply_for_loan(
        member, actor=ketua, product=prod, principal=100_000_00, term=3, applied_on=DAY
    )
    with pytest.raises(PermissionDeniedError):
        services.approve_loan(loan, actor=ketua)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPLIED and loan.decided_by is None


def test_officer_cannot_approve_a_relatives_loan(koperasi, officers):
    member = active_member(koperasi)
    petugas2 = make_user("petugas_pinjaman", koperasi)
    services.record_relationship(member, actor=officers["checker"], user=petugas2, relation="anak")
    loan = _apply(koperasi, officers, member=member, principal=100_000_00)
    with pytest.raises(PermissionDeniedError):
        services.approve_loan(loan, actor=petugas2)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPLIED
    assert AuditEvent.objects.filter(action="loans.relationship.recorded").exists()


def test_above_threshold_only_the_ketua_approves(koperasi, officers):
    loan = _apply(koperasi, officers, principal=20_000_000_00)
    manajer = make_user("manajer", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.approve_loan(loan, actor=manajer)
    services.approve_loan(loan, actor=officers["checker"])
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPROVED


@pytest.mark.parametrize(
    "kwargs",
    [
        {"principal": 0},
        {"principal": -5},
        {"term": 0},
        {"term": 25},
    ],
)
def test_bad_application_writes_nothing(koperasi, officers, kwargs):
    member = active_member(koperasi)
    before = Loan.objects.count()
    with pytest.raises(LoanError):
        _apply(koperasi, officers, member=member, **kwargs)
    assert Loan.objects.count() == before


def test_amount_over_plafond_is_refused(koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"], savings_multiple=3)
    member = active_member(koperasi)  # pokok Rp50.000 -> plafond Rp150.000
    with pytest.raises(LoanError, match="plafon"):
        _apply(koperasi, officers, member=member, prod=prod, principal=200_000_00)
    assert Loan.objects.count() == 0


def test_loan_to_a_member_who_is_not_active_is_refused(koperasi, officers):
    from kopdes.members.testing import make_member

    testing.product(koperasi, actor=officers["checker"])
    calon = make_member(koperasi)
    with pytest.raises(LoanError):
        _apply(koperasi, officers, member=calon)
    assert Loan.objects.count() == 0


def test_disbursing_an_unapproved_loan_is_refused(koperasi, officers):
    loan = _apply(koperasi, officers)
    with pytest.raises(LoanError):
        services.disburse_loan(loan, actor=officers["payer"], date=DAY)
    assert JournalEntry.objects.filter(source="loans.disbursement").count() == 0


def test_rejection_needs_a_reason(koperasi, officers):
    loan = _apply(koperasi, officers)
    with pytest.raises(LoanError):
        services.reject_loan(loan, actor=officers["checker"], reason=" ")
    services.reject_loan(loan, actor=officers["checker"], reason="Penghasilan tidak cukup")
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.REJECTED


def test_repayment_pays_penalty_then_interest_then_principal(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    # Installment 1 due 2026-04-02: 100.000 pokok + 18.000 jasa. Paid 10 days late:
    # 7 days beyond the grace x 0.1% x 118.000 = Rp826 denda.
    day = dt.date(2026, 4, 12)
    dues = services.dues_on(loan, day)
    assert (dues.penalty, dues.interest, dues.principal) == (826_00, 18_000_00, 100_000_00)
    rep = services.repay_loan(
        loan, actor=officers["kasir"], amount=50_000_00, date=day, idempotency_key="r1"
    )
    assert (rep.penalty, rep.interest, rep.principal) == (826_00, 18_000_00, 31_174_00)
    loan.refresh_from_db()
    assert loan.principal_paid == 31_174_00
    assert AuditEvent.objects.filter(action="loans.repayment.received").count() == 1
    _books_ok(koperasi)


def test_repayment_replay_returns_the_first_and_other_content_is_a_conflict(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    day = dt.date(2026, 4, 2)
    first = services.repay_loan(
        loan, actor=officers["kasir"], amount=118_000_00, date=day, idempotency_key="k"
    )
    again = services.repay_loan(
        loan, actor=officers["kasir"], amount=118_000_00, date=day, idempotency_key="k"
    )
    assert again.pk == first.pk
    with pytest.raises(ConflictError):
        services.repay_loan(
            loan, actor=officers["kasir"], amount=118_000_01, date=day, idempotency_key="k"
        )
    assert Repayment.objects.count() == 1
    assert JournalEntry.objects.filter(source="loans.repayment").count() == 1


@pytest.mark.parametrize("amount", [0, -100])
def test_repayment_of_zero_or_negative_is_refused(koperasi, officers, amount):
    loan = testing.active_loan(koperasi, officers=officers)
    with pytest.raises(LoanError):
        services.repay_loan(
            loan, actor=officers["kasir"], amount=amount, date=DAY, idempotency_key="z"
        )
    assert Repayment.objects.count() == 0


def test_repayment_above_the_payoff_amount_is_refused(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    payoff = services.dues_on(loan, DAY).payoff.total
    assert payoff == 1_200_000_00
    with pytest.raises(LoanError, match=r"pelunasan|pays the loan off"):
        services.repay_loan(
            loan, actor=officers["kasir"], amount=payoff + 1, date=DAY, idempotency_key="o"
        )
    assert Repayment.objects.count() == 0


def test_exact_payoff_closes_the_loan(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    day = dt.date(2026, 5, 17)
    payoff = services.dues_on(loan, day).payoff
    # Without "pelunasan dipercepat" the payoff amount would pay installments as
    # scheduled (with their future jasa): refused, with a message naming the option.
    with pytest.raises(LoanError, match="pelunasan dipercepat") as caught:
        services.repay_loan(
            loan, actor=officers["kasir"], amount=payoff.total, date=day, idempotency_key="p"
        )
    assert caught.value.field == "accelerated"
    assert Repayment.objects.count() == 0
    rep = services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=payoff.total,
        date=day,
        idempotency_key="p",
        accelerated=True,
    )
    loan.refresh_from_db()
    assert rep.is_payoff and loan.status == LoanStatus.PAID_OFF and loan.outstanding == 0
    assert rep.accelerated
    assert not Installment.objects.filter(loan=loan, paid_on__isnull=True).exists()
    _books_ok(koperasi)


def test_extra_payment_reamortises_the_rest_of_the_schedule(koperasi, officers):
    """Only with "pelunasan dipercepat" (before issue 13 any extra did this silently; see
    test_payment_allocation.py for the same payment without the flag)."""
    prod = testing.product(koperasi, actor=officers["checker"], method="efektif")
    loan = testing.active_loan(koperasi, officers=officers, prod=prod)
    day = dt.date(2026, 4, 2)
    rep = services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=418_000_00,
        date=day,
        idempotency_key="x",
        accelerated=True,
    )
    assert rep.accelerated and not rep.is_payoff
    loan.refresh_from_db()
    assert loan.prepaid == 300_000_00 and loan.principal_paid == 400_000_00
    assert Installment.objects.filter(loan=loan).count() == 12
    _books_ok(koperasi)


def test_disbursement_into_savings_and_repayment_from_savings(koperasi, officers):
    from kopdes.savings import services as savings
    from kopdes.savings.models import SavingsAccount

    kasir = officers["kasir"]
    member = active_member(koperasi)
    account = savings.open_account(member, actor=kasir, kind="sukarela", date=DAY)
    loan = _apply(koperasi, officers, member=member)
    services.approve_loan(loan, actor=officers["checker"])
    services.disburse_loan(loan, actor=kasir, date=DAY, method="savings")
    assert SavingsAccount.objects.get(pk=account.pk).balance == 1_176_000_00
    services.repay_loan(
        loan,
        actor=kasir,
        amount=118_000_00,
        date=dt.date(2026, 4, 2),
        idempotency_key="s1",
        source="savings",
    )
    assert SavingsAccount.objects.get(pk=account.pk).balance == 1_058_000_00
    _books_ok(koperasi)


def test_daily_job_classifies_and_posts_only_the_ppap_change(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    result = services.run_daily(koperasi, actor=None, as_of=dt.date(2026, 8, 31))
    loan.refresh_from_db()
    assert loan.dpd == 151 and loan.kolektibilitas == 4
    assert loan.ppap_required == 600_000_00  # 50% of 1.200.000
    assert result.ppap_entry is not None
    assert services.allowance_balance(koperasi) == 600_000_00
    # Next month-end: macet (> 180 days) -> 100%; only the difference is posted.
    services.run_daily(koperasi, actor=None, as_of=dt.date(2026, 9, 30))
    assert services.allowance_balance(koperasi) == 1_200_000_00
    entries = JournalEntry.objects.filter(source="loans.ppap").order_by("number")
    assert [e.total_amount for e in entries] == [600_000_00, 600_000_00]
    _books_ok(koperasi)


def test_restructure_needs_the_ketua_and_starts_kurang_lancar(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    proposal = services.propose_restructure(
        loan,
        actor=officers["maker"],
        reason="Gagal panen",
        term=18,
        rate_percent="1",
        start_date=dt.date(2026, 6, 1),
    )
    with pytest.raises(PermissionDeniedError):
        services.approve_proposal(proposal, actor=officers["maker"], date=dt.date(2026, 6, 1))
    services.approve_proposal(proposal, actor=officers["checker"], date=dt.date(2026, 6, 1))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.RESTRUCTURED
    new = Loan.objects.get(restructured_from=loan)
    assert new.restructured and new.principal == 1_200_000_00 and new.term == 18
    services.run_daily(koperasi, actor=None, as_of=dt.date(2026, 6, 2))
    new.refresh_from_db()
    assert new.kolektibilitas == 3
    _books_ok(koperasi)
    with pytest.raises(LoanError):
        services.propose_restructure(
            loan,
            actor=officers["maker"],
            reason="lagi",
            term=6,
            rate_percent="1",
            start_date=dt.date(2026, 6, 1),
        )


def test_write_off_needs_ketua_and_pengawas_then_recovery(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    proposal = services.propose_write_off(loan, actor=officers["maker"], reason="Meninggal")
    day = dt.date(2026, 11, 30)
    services.approve_proposal(proposal, actor=officers["checker"], date=day)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE
    other_ketua = make_user("ketua", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.approve_proposal(proposal, actor=other_ketua, date=day)
    proposal = services.approve_proposal(proposal, actor=officers["pengawas"], date=day)
    assert proposal.state == ProposalState.APPROVED
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF and loan.written_off_amount == 1_200_000_00
    services.record_recovery(
        loan, actor=officers["kasir"], amount=100_000_00, date=day, idempotency_key="rc"
    )
    loan.refresh_from_db()
    assert loan.recovered_amount == 100_000_00
    _books_ok(koperasi)


def test_bank_loan_drawdown_and_installment(koperasi, officers):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    ketua = officers["checker"]
    bl = services.create_bank_loan(
        koperasi,
        actor=ketua,
        lender="Bank Rakyat Indonesia",
        plafond=3_000_000_000_00,
        rate_percent="6",
        term=72,
        grace_periods=6,
        start_date=dt.date(2026, 1, 5),
    )
    services.draw_bank_loan(
        bl, actor=ketua, amount=1_000_000_000_00, date=dt.date(2026, 1, 5), idempotency_key="d"
    )
    with pytest.raises(LoanError):
        services.draw_bank_loan(
            bl, actor=ketua, amount=2_500_000_000_00, date=dt.date(2026, 2, 5), idempotency_key="e"
        )
    schedule = services.bank_schedule(bl)
    assert len(schedule) == 72
    # 12 Feb 2026 is a Thursday; 12 Apr 2026 a Sunday -> Monday 13 Apr.
    assert schedule[0][1] == dt.date(2026, 2, 12)
    assert schedule[2][1] == dt.date(2026, 4, 13)
    assert schedule[0][2] == 0 and schedule[0][3] == 5_000_000_00  # grace: interest only
    services.pay_bank_installment(
        bl,
        actor=ketua,
        principal=0,
        interest=5_000_000_00,
        date=dt.date(2026, 2, 12),
        idempotency_key="p1",
    )
    assert services.bank_outstanding(bl) == 1_000_000_000_00
    _books_ok(koperasi)


@pytest.mark.parametrize("method", ["flat", "efektif", "anuitas"])
def test_many_payments_ahead_keep_schedule_and_books_equal(koperasi, officers, method):
    import random

    rng = random.Random(7)
    prod = testing.product(koperasi, actor=officers["checker"], method=method)
    loan = testing.active_loan(koperasi, officers=officers, prod=prod)
    day = DAY
    for i in range(30):
        day += dt.timedelta(days=rng.randint(3, 25))
        loan.refresh_from_db()
        if loan.status != LoanStatus.ACTIVE:
            break
        payoff = services.dues_on(loan, day).payoff.total
        amount = min(payoff, rng.randint(20_000, 250_000) * 100)
        try:
            services.repay_loan(
                loan, actor=officers["kasir"], amount=amount, date=day, idempotency_key=f"m{i}"
            )
        except LoanError as exc:
            assert "payoff" in exc.message or "pelunasan" in exc.message
        _books_ok(koperasi)
    loan.refresh_from_db()
    assert 0 <= loan.principal_paid <= loan.principal


def test_an_officer_with_many_roles_is_audited_with_all_of_them(koperasi, officers):
    # The one audit role label (identity.permissions.role_label): every role held, sorted.
    from kopdes.platform.identity.models import RoleAssignment

    ketua = officers["checker"]
    for role in ("manajer", "pengawas", "sekretaris"):
        RoleAssignment.objects.create(user=ketua, role=role, koperasi=koperasi)
    loan = _apply(koperasi, officers, principal=100_000_00)
    services.approve_loan(loan, actor=ketua)
    event = AuditEvent.objects.get(action="loans.loan.approved")
    assert event.role == "ketua,manajer,pengawas,sekretaris"
