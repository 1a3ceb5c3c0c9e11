"""Correcting a posted repayment: requested with a reason, approved by another officer,
posted as a reversal of the repayment's entry, the schedule restored exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Loan, RepaymentReversal
from kopdes.loans.verification import check_loans
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import login, make_user

pytestmark = pytest.mark.django_db
APRIL = dt.date(2026, 4, 2)


def _books_ok(koperasi):
    problems = [p for r in verify_books(koperasi) for p in r.problems]
    problems += check_loans(koperasi).problems
    assert problems == []


_rows = testing.installment_rows


def _loan_figures(loan):
    loan = Loan.objects.get(pk=loan.pk)
    return (loan.status, loan.principal_paid, loan.interest_paid, loan.penalty_paid, loan.prepaid)


def _pay(loan, officers, amount, date=APRIL, key="r1", **kw):
    return services.repay_loan(
        loan, actor=officers["kasir"], amount=amount, date=date, idempotency_key=key, **kw
    )


def _reverse(rep, officers, *, key="c1", date=None):
    reversal = services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="Salah pinjaman", idempotency_key=key, date=date
    )
    return services.approve_repayment_reversal(reversal, actor=officers["payer"])


def test_an_approved_correction_posts_a_mirror_entry_and_restores_the_schedule(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rows, figures = _rows(loan), _loan_figures(loan)
    rep = _pay(loan, officers, 50_000_00, date=dt.date(2026, 4, 12))
    assert _rows(loan) != rows

    reversal = services.request_repayment_reversal(
        rep,
        actor=officers["kasir"],
        reason="Uang palsu",
        idempotency_key="c1",
        date=dt.date(2026, 4, 12),
    )
    # The request alone moves nothing.
    assert reversal.state == "pending" and _rows(loan) != rows
    assert not JournalEntry.objects.filter(source="loans.repayment_reversal").exists()

    done = services.approve_repayment_reversal(reversal, actor=officers["payer"])
    assert done.state == "approved" and done.decided_by == officers["payer"]
    assert _rows(loan) == rows and _loan_figures(loan) == figures
    entry = done.reversal_entry
    assert entry.reverses_id == rep.entry_id and entry.kind == "reversal"
    original = {
        (x.account.code, x.side): x.amount
        for x in JournalLine.objects.filter(entry=rep.entry).select_related("account")
    }
    mirror = {
        (x.account.code, "D" if x.side == "C" else "C"): x.amount
        for x in JournalLine.objects.filter(entry=entry).select_related("account")
    }
    assert mirror == original
    actions = list(
        AuditEvent.objects.filter(action__startswith="loans.repayment_reversal").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "loans.repayment_reversal.approved",
        "loans.repayment_reversal.requested",
    ]
    _books_ok(koperasi)


def test_the_officer_who_asked_cannot_approve(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    bendahara = officers["payer"]
    reversal = services.request_repayment_reversal(
        rep, actor=bendahara, reason="Salah input", idempotency_key="c"
    )
    with pytest.raises(PermissionDeniedError):
        services.approve_repayment_reversal(reversal, actor=bendahara)
    with pytest.raises(PermissionDeniedError):  # a kasir may ask but not approve
        services.approve_repayment_reversal(reversal, actor=officers["kasir"])
    assert RepaymentReversal.objects.get().state == "pending"
    assert not JournalEntry.objects.filter(source="loans.repayment_reversal").exists()


def test_a_payoff_correction_reopens_the_loan(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    day = dt.date(2026, 5, 17)
    rows = _rows(loan)
    rep = _pay(loan, officers, services.dues_on(loan, day).payoff.total, date=day, accelerated=True)
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.PAID_OFF
    _reverse(rep, officers, date=day)
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.status == LoanStatus.ACTIVE and loan.closed_on is None
    assert _rows(loan) == rows
    _books_ok(koperasi)


def test_a_correction_undoes_a_reamortisation(koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"], method="efektif")
    loan = testing.active_loan(koperasi, officers=officers, prod=prod)
    rows = _rows(loan)
    rep = _pay(loan, officers, 418_000_00, accelerated=True)  # pelunasan dipercepat
    assert Loan.objects.get(pk=loan.pk).prepaid == 300_000_00
    _reverse(rep, officers)
    assert _rows(loan) == rows and _loan_figures(loan)[1:] == (0, 0, 0, 0)
    _books_ok(koperasi)


def test_only_the_latest_payment_can_be_corrected_then_the_one_before(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rows = _rows(loan)
    first = _pay(loan, officers, 118_000_00, key="a")
    after_first = _rows(loan)
    second = _pay(loan, officers, 118_000_00, date=dt.date(2026, 5, 2), key="b")
    with pytest.raises(LoanError, match=r"terakhir|latest"):
        services.request_repayment_reversal(
            first, actor=officers["kasir"], reason="x", idempotency_key="c-first"
        )
    _reverse(second, officers, key="c-second")
    assert _rows(loan) == after_first
    _reverse(first, officers, key="c-first")
    assert _rows(loan) == rows
    _books_ok(koperasi)


def test_a_payment_is_corrected_once_and_a_retry_is_a_replay(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    reversal = services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="x", idempotency_key="c1"
    )
    again = services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="x", idempotency_key="c1"
    )
    assert again.pk == reversal.pk and getattr(again, "replayed", False)
    with pytest.raises(LoanError, match=r"menunggu|waiting"):
        services.request_repayment_reversal(
            rep, actor=officers["kasir"], reason="x", idempotency_key="c2"
        )
    services.approve_repayment_reversal(reversal, actor=officers["payer"])
    # Decided once: a second decision is refused (409) and posts nothing.
    with pytest.raises(AlreadyDecidedError):
        services.approve_repayment_reversal(reversal, actor=officers["payer"])
    assert JournalEntry.objects.filter(source="loans.repayment_reversal").count() == 1
    with pytest.raises(LoanError):
        services.request_repayment_reversal(
            rep, actor=officers["kasir"], reason="x", idempotency_key="c3"
        )
    other = testing.active_loan(koperasi, officers=officers)
    other_rep = _pay(other, officers, 118_000_00, key="o")
    with pytest.raises(ConflictError):
        services.request_repayment_reversal(
            other_rep, actor=officers["kasir"], reason="x", idempotency_key="c1"
        )
    _books_ok(koperasi)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 301}, "reason"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"date": dt.date(2026, 4, 1)}, "date"),
        ({"date": "2026-04-05"}, "date"),
    ],
)
def test_bad_correction_requests_write_nothing(koperasi, officers, kwargs, field):
    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    args = {"reason": "Salah input", "idempotency_key": "c", "date": APRIL, **kwargs}
    with pytest.raises(LoanError) as exc:
        services.request_repayment_reversal(rep, actor=officers["kasir"], **args)
    assert exc.value.field == field
    assert not RepaymentReversal.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="loans.repayment_reversal").exists()


def test_a_rejected_request_moves_nothing_and_can_be_asked_again(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    rows = _rows(loan)
    reversal = services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="x", idempotency_key="c1"
    )
    services.reject_repayment_reversal(reversal, actor=officers["payer"], reason="Sudah benar")
    assert _rows(loan) == rows
    assert AuditEvent.objects.filter(action="loans.repayment_reversal.rejected").exists()
    with pytest.raises(AlreadyDecidedError):  # decided once
        services.reject_repayment_reversal(reversal, actor=officers["payer"])
    services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="x", idempotency_key="c2"
    )


def test_a_payment_from_savings_goes_back_into_the_account(koperasi, officers):
    from kopdes.savings import services as savings
    from kopdes.savings.models import SavingsAccount
    from kopdes.savings.testing import active_member

    kasir = officers["kasir"]
    member = active_member(koperasi)
    account = savings.open_account(member, actor=kasir, kind="sukarela", date=testing.DAY)
    loan = testing.active_loan(koperasi, officers=officers, member=member)
    savings.post_cash_batch(
        koperasi,
        actor=kasir,
        date=testing.DAY,
        moves=[savings.Move(account, "deposit", 200_000_00, "setor")],
        idempotency_key="dep",
        memo="setor",
    )
    rep = _pay(loan, officers, 118_000_00, source="savings")
    assert SavingsAccount.objects.get(pk=account.pk).balance == 82_000_00
    _reverse(rep, officers)
    assert SavingsAccount.objects.get(pk=account.pk).balance == 200_000_00
    _books_ok(koperasi)


def test_a_written_off_loans_payment_cannot_be_corrected(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.WRITTEN_OFF)
    with pytest.raises(LoanError):
        services.request_repayment_reversal(
            rep, actor=officers["kasir"], reason="x", idempotency_key="c"
        )


# --- pages ---------------------------------------------------------------------------------


def test_correction_through_the_pages(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    rows = _rows(loan)
    rep = _pay(loan, officers, 118_000_00)
    kasir = login(client, officers["kasir"])
    detail_url = reverse("loans:loan-detail", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    assert kasir.get(detail_url).content.decode().count('data-testid="correct"') == 1
    url = reverse("loans:repayment-reverse", kwargs={"slug": koperasi.slug, "repayment_id": rep.pk})
    page = kasir.get(url)
    assert page.status_code == 200 and "seratus delapan belas ribu" in page.content.decode()
    bad = kasir.post(url, {"reason": "", "idempotency_key": "k", "date": "2026-04-02"})
    assert bad.status_code == 400 and "alasan" in bad.content.decode().lower()
    assert not RepaymentReversal.objects.exists()
    response = kasir.post(
        url, {"reason": "Salah pinjaman", "idempotency_key": "k", "date": "2026-04-02"}
    )
    assert response.status_code == 302
    client.logout()
    bendahara = login(client, officers["payer"])
    proposals = bendahara.get(reverse("loans:proposal-list", kwargs={"slug": koperasi.slug}))
    assert "Salah pinjaman" in proposals.content.decode()
    reversal = RepaymentReversal.objects.get()
    approve = reverse(
        "approvals:approve",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "loans-repayment-reversal",
            "approval_item_id": reversal.pk,
        },
    )
    assert f'action="{approve}"' in proposals.content.decode()
    page = reverse("loans:proposal-list", kwargs={"slug": koperasi.slug})
    response = bendahara.post(approve, {"next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert _rows(loan) == rows
    assert RepaymentReversal.objects.get().state == "approved"
    detail = bendahara.get(
        reverse("loans:loan-detail", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    )
    assert "dikoreksi" in detail.content.decode().lower()


def test_reject_through_the_page_and_foreign_repayment_is_404(
    client, koperasi, other_koperasi, officers
):
    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    reversal = services.request_repayment_reversal(
        rep, actor=officers["kasir"], reason="x", idempotency_key="c"
    )
    bendahara = login(client, officers["payer"])
    reject = reverse(
        "approvals:reject",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "loans-repayment-reversal",
            "approval_item_id": reversal.pk,
        },
    )
    assert bendahara.post(reject, {"reason": "Tidak perlu"}).status_code == 302
    rejected = RepaymentReversal.objects.get()
    assert rejected.state == "rejected" and rejected.decision_note == "Tidak perlu"
    foreign = testing.active_loan(other_koperasi)
    foreign_rep = services.repay_loan(
        foreign,
        actor=make_user("kasir", other_koperasi),
        amount=118_000_00,
        date=APRIL,
        idempotency_key="f",
    )
    url = reverse(
        "loans:repayment-reverse", kwargs={"slug": koperasi.slug, "repayment_id": foreign_rep.pk}
    )
    assert bendahara.post(url, {"reason": "x", "idempotency_key": "z"}).status_code == 404
    foreign_rv = services.request_repayment_reversal(
        foreign_rep, actor=make_user("kasir", other_koperasi), reason="x", idempotency_key="fz"
    )
    for decision in ("approve", "reject"):
        url = reverse(
            f"approvals:{decision}",
            kwargs={
                "slug": koperasi.slug,
                "approval_kind": "loans-repayment-reversal",
                "approval_item_id": foreign_rv.pk,
            },
        )
        assert bendahara.post(url, {"reason": "x"}).status_code == 404


def test_a_corrected_payment_leaves_the_monthly_collections_and_is_marked_in_the_statement(
    client, koperasi, officers
):
    from kopdes.loans import selectors

    loan = testing.active_loan(koperasi, officers=officers)
    rep = _pay(loan, officers, 118_000_00)
    april = selectors.monthly_flows(koperasi, year=2026)[3]
    assert april["principal"] == 100_000_00
    _reverse(rep, officers)
    april = selectors.monthly_flows(koperasi, year=2026)[3]
    assert (april["principal"], april["interest"]) == (0, 0)
    c = login(client, officers["checker"])
    html = c.get(
        reverse("loans:loan-statement", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    ).content.decode()
    assert "dikoreksi" in html
