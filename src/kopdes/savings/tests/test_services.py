"""savings.services: state change + audit event + balanced entry, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.testing import with_books
from kopdes.ledger.verification import check_subledgers
from kopdes.members.choices import MemberStatus
from kopdes.members.testing import make_member
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.savings import selectors, services
from kopdes.savings.choices import AccountStatus, SavingsKind, TxnKind
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    JasaPosting,
    SavingsAccount,
    SavingsTransaction,
    WithdrawalRequest,
)
from kopdes.savings.testing import DAY, active_member, key, teller, voluntary_account
from kopdes.savings.verification import check_accounts

pytestmark = pytest.mark.django_db


def _balanced(entry: JournalEntry) -> None:
    lines = list(JournalLine.objects.filter(entry=entry))
    assert sum(x.amount for x in lines if x.side == "D") == sum(
        x.amount for x in lines if x.side == "C"
    )


def _books_ok(koperasi) -> None:
    assert check_subledgers(koperasi).ok, check_subledgers(koperasi).problems
    assert check_accounts(koperasi).ok, check_accounts(koperasi).problems


def test_paying_pokok_activates_a_calon_member_and_posts_to_3_1100(koperasi):
    with_books(koperasi)
    kasir = teller(koperasi)
    member = make_member(koperasi)
    assert member.status == MemberStatus.CANDIDATE
    txn = services.pay_principal(member, actor=kasir, date=DAY, idempotency_key="p-1")
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.joined_on == DAY
    assert txn.amount == 50_000_00
    codes = {(x.account.code, x.side) for x in JournalLine.objects.filter(entry=txn.entry)}
    assert codes == {("1-1100", "D"), ("3-1100", "C")}
    _balanced(txn.entry)
    assert AuditEvent.objects.filter(action="savings.principal.paid").count() == 1
    with pytest.raises(SavingsError):
        services.pay_principal(member, actor=kasir, date=DAY, idempotency_key="p-2")
    _books_ok(koperasi)


def test_deposit_credits_the_member_subledger_and_writes_an_audit_event(koperasi):
    account = voluntary_account(koperasi)
    kasir = teller(koperasi)
    txn = services.deposit(
        account, actor=kasir, amount=250_000_00, date=DAY, idempotency_key="dep-1"
    )
    account.refresh_from_db()
    assert account.balance == 250_000_00 and txn.balance_after == 250_000_00
    line = JournalLine.objects.get(entry=txn.entry, account__code="2-1100")
    assert line.subledger_kind == "savings" and line.subledger_ref == str(account.pk)
    _balanced(txn.entry)
    assert AuditEvent.objects.filter(action="savings.deposit.posted").exists()
    _books_ok(koperasi)


def test_the_same_key_twice_posts_once_and_a_changed_body_is_a_conflict(koperasi):
    account = voluntary_account(koperasi)
    kasir = teller(koperasi)
    first = services.deposit(account, actor=kasir, amount=10_000_00, date=DAY, idempotency_key="k")
    again = services.deposit(account, actor=kasir, amount=10_000_00, date=DAY, idempotency_key="k")
    assert first.pk == again.pk and getattr(again, "replayed", False)
    with pytest.raises(ConflictError):
        services.deposit(account, actor=kasir, amount=20_000_00, date=DAY, idempotency_key="k")
    other = voluntary_account(koperasi)
    with pytest.raises(ConflictError):
        services.deposit(other, actor=kasir, amount=10_000_00, date=DAY, idempotency_key="k")
    account.refresh_from_db()
    assert account.balance == 10_000_00
    assert SavingsTransaction.objects.filter(idempotency_key="k").count() == 1


@pytest.mark.parametrize("amount", [0, -5, 10**18, "1000", 1.5, True])
def test_bad_amounts_are_refused_and_write_nothing(koperasi, amount):
    account = voluntary_account(koperasi)
    kasir = teller(koperasi)
    before = JournalEntry.objects.count()
    with pytest.raises(SavingsError):
        services.deposit(account, actor=kasir, amount=amount, date=DAY, idempotency_key=key())
    assert JournalEntry.objects.count() == before


def test_withdrawal_never_overdraws(koperasi):
    account = voluntary_account(koperasi, balance=100_000_00)
    kasir = teller(koperasi)
    with pytest.raises(SavingsError) as err:
        services.withdraw(account, actor=kasir, amount=100_000_01, date=DAY, idempotency_key=key())
    assert "tidak cukup" in err.value.message or "not enough" in err.value.message
    txn = services.withdraw(
        account, actor=kasir, amount=100_000_00, date=DAY, idempotency_key=key()
    )
    assert txn.balance_after == 0 and txn.kind == TxnKind.WITHDRAWAL
    _balanced(txn.entry)
    _books_ok(koperasi)


def test_savings_refuse_a_member_who_is_not_active(koperasi):
    with_books(koperasi)
    kasir = teller(koperasi)
    calon = make_member(koperasi)
    with pytest.raises(SavingsError):
        services.open_account(calon, actor=kasir, kind=SavingsKind.VOLUNTARY, date=DAY)
    account = voluntary_account(koperasi, balance=10_000_00)
    type(calon).objects.filter(pk=account.member_id).update(status=MemberStatus.RESIGNED)
    with pytest.raises(SavingsError):
        services.deposit(account, actor=kasir, amount=5_000_00, date=DAY, idempotency_key=key())


def test_a_loan_officer_may_not_work_the_counter(koperasi):
    account = voluntary_account(koperasi)
    officer = make_user("petugas_pinjaman", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.deposit(account, actor=officer, amount=5_000_00, date=DAY, idempotency_key="x")


def test_large_withdrawal_waits_for_a_second_officer_who_is_not_the_maker(koperasi):
    kasir = teller(koperasi, "bendahara")
    account = voluntary_account(koperasi, balance=8_000_000_00, actor=kasir)
    request = services.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key="big"
    )
    assert request.state == ProposalState.PENDING and request.proposed_by == kasir
    account.refresh_from_db()
    assert account.balance == 8_000_000_00  # nothing moved yet
    with pytest.raises(PermissionDeniedError, match=r"mengusulkan|mengajukan"):
        services.approve_withdrawal(request, actor=kasir)
    with pytest.raises(PermissionDeniedError):
        services.reject_withdrawal(request, actor=kasir, reason="sendiri")
    ketua = make_user("ketua", koperasi)
    txn = services.approve_withdrawal(request, actor=ketua)
    account.refresh_from_db()
    assert account.balance == 2_000_000_00 and txn.entry.posted_by == ketua
    assert AuditEvent.objects.filter(action="savings.withdrawal.approved").count() == 1
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.transaction_id) == (
        ProposalState.APPROVED,
        ketua,
        txn.pk,
    )
    # Decided once: another officer's approval or rejection is refused, nothing moves.
    for decide in (
        lambda who: services.approve_withdrawal(request, actor=who),
        lambda who: services.reject_withdrawal(request, actor=who, reason="telat"),
    ):
        with pytest.raises(AlreadyDecidedError, match="sudah diputuskan"):
            decide(make_user("manajer", koperasi))
    account.refresh_from_db()
    assert account.balance == 2_000_000_00
    assert AuditEvent.objects.filter(action="savings.withdrawal.approved").count() == 1
    _books_ok(koperasi)


def test_the_database_refuses_a_withdrawal_decided_by_its_maker(koperasi):
    kasir = teller(koperasi, "bendahara")
    account = voluntary_account(koperasi, balance=8_000_000_00, actor=kasir)
    request = services.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key="big"
    )
    # Whoever writes the row (not the service): the base's four-eyes check constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        WithdrawalRequest.objects.filter(pk=request.pk).update(
            state=ProposalState.REJECTED, decided_by=kasir
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        WithdrawalRequest.objects.create(
            koperasi=koperasi, account=account, amount=1_00, date=DAY, idempotency_key="x",
            proposed_by=kasir, decided_by=kasir, state=ProposalState.APPROVED,
        )  # fmt: skip
    request.refresh_from_db()
    assert request.state == ProposalState.PENDING and request.decided_by_id is None
    # Another officer is fine.
    ketua = make_user("ketua", koperasi)
    WithdrawalRequest.objects.filter(pk=request.pk).update(decided_by=ketua)
    assert WithdrawalRequest.objects.filter(pk=request.pk, decided_by=ketua).exists()


def test_a_rejected_large_withdrawal_posts_nothing(koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=8_000_000_00, actor=kasir)
    request = services.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key="big"
    )
    before = JournalEntry.objects.count()
    services.reject_withdrawal(request, actor=make_user("manajer", koperasi), reason="cek")
    assert JournalEntry.objects.count() == before
    request.refresh_from_db()
    assert request.state == ProposalState.REJECTED and request.decision_note == "cek"
    assert request.reason == ""  # the maker gave none; the checker's words are the note
    event = AuditEvent.objects.get(action="savings.withdrawal.rejected")
    assert event.summary["reason"] == event.summary["note"] == "cek"


def test_transfer_moves_between_one_members_accounts(koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    member = type(account).member.field.related_model.objects.get(pk=account.member_id)
    wajib = services.open_account(member, actor=kasir, kind=SavingsKind.MANDATORY, date=DAY)
    out, into = services.transfer(
        account, wajib, actor=kasir, amount=30_000_00, date=DAY, idempotency_key="t"
    )
    assert out.balance_after == 70_000_00 and into.balance_after == 30_000_00
    assert out.entry_id == into.entry_id
    _balanced(out.entry)
    stranger = voluntary_account(koperasi, actor=kasir)
    with pytest.raises(SavingsError):
        services.transfer(
            account, stranger, actor=kasir, amount=1_000_00, date=DAY, idempotency_key=key()
        )
    with pytest.raises(SavingsError):
        services.transfer(
            wajib, account, actor=kasir, amount=1_000_00, date=DAY, idempotency_key=key()
        )
    _books_ok(koperasi)


def test_monthly_jasa_posts_once_per_account_and_withholds_tax_above_240000(koperasi):
    bendahara = make_user("bendahara", koperasi)
    small = voluntary_account(koperasi, balance=1_000_000_00, actor=bendahara)
    # 3% a year: 120 000 000 -> 300 000 a month (taxed 30 000).
    big = voluntary_account(koperasi, balance=120_000_000_00, actor=bendahara)
    run = services.post_monthly_jasa(koperasi, actor=bendahara, year=2026, month=4)
    assert run.accounts == 2
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.balance == 1_000_000_00 + 2_500_00
    assert big.balance == 120_000_000_00 + 300_000_00 - 30_000_00
    tax = JasaPosting.objects.get(account=big, period=202604)
    assert (tax.jasa_amount, tax.tax_amount) == (300_000_00, 30_000_00)
    tax_line = JournalLine.objects.get(account__code="2-1400")
    assert tax_line.amount == 30_000_00 and tax_line.side == "C"
    again = services.post_monthly_jasa(koperasi, actor=bendahara, year=2026, month=4)
    assert again.accounts == 0 and again.skipped == 2
    assert AuditEvent.objects.filter(action="savings.jasa.posted").count() == 1
    _books_ok(koperasi)


def test_jasa_refuses_a_month_that_has_not_ended(koperasi):
    with_books(koperasi)
    with pytest.raises(SavingsError):
        services.post_monthly_jasa(
            koperasi, actor=make_user("bendahara", koperasi), year=2099, month=1
        )


def test_term_deposit_matures_with_jasa_and_pays_out(koperasi):
    kasir = teller(koperasi)
    member = active_member(koperasi, actor=kasir)
    account = services.place_term_deposit(
        member, actor=kasir, amount=10_000_000_00, date=DAY, idempotency_key="td"
    )
    assert account.maturity_date == dt.date(2026, 9, 2)
    with pytest.raises(SavingsError):
        services.settle_term_deposit(account, actor=kasir, date=dt.date(2026, 9, 1))
    settled = services.settle_term_deposit(account, actor=kasir, date=dt.date(2026, 9, 2))
    # 6% a year for 6 months = 300 000, taxed 30 000 (above 240 000).
    assert settled.status == AccountStatus.CLOSED and settled.balance == 0
    kinds = list(
        SavingsTransaction.objects.filter(account=account)
        .order_by("seq")
        .values_list("kind", "amount")
    )
    assert kinds == [
        ("deposit", 10_000_000_00),
        ("jasa", 300_000_00),
        ("tax", -30_000_00),
        ("payout", -10_270_000_00),
    ]
    _books_ok(koperasi)


def test_breaking_a_term_deposit_early_charges_the_penalty(koperasi):
    kasir = teller(koperasi)
    member = active_member(koperasi, actor=kasir)
    account = services.place_term_deposit(
        member, actor=kasir, amount=10_000_000_00, date=DAY, idempotency_key="td"
    )
    broken = services.break_term_deposit(account, actor=kasir, date=dt.date(2026, 4, 1))
    assert broken.status == AccountStatus.CLOSED
    penalty = JournalLine.objects.get(account__code="4-2300")
    assert penalty.amount == 100_000_00
    _books_ok(koperasi)


def test_member_exit_returns_every_balance_and_closes_the_accounts(koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=75_000_00, actor=kasir)
    member = type(account).member.field.related_model.objects.get(pk=account.member_id)
    result = services.settle_member_exit(
        member, actor=make_user("ketua", koperasi), date=dt.date(2026, 5, 1)
    )
    assert result["total"] == 50_000_00 + 75_000_00
    assert not SavingsAccount.objects.filter(member=member, status=AccountStatus.OPEN).exists()
    assert SavingsAccount.objects.filter(member=member, balance__gt=0).count() == 0
    again = services.settle_member_exit(
        member, actor=make_user("ketua", koperasi), date=dt.date(2026, 5, 1)
    )
    assert again["total"] == 0
    _books_ok(koperasi)


def test_selectors_for_the_portal(koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=75_000_00, actor=kasir)
    services.withdraw(
        account, actor=kasir, amount=5_000_00, date=dt.date(2026, 3, 9), idempotency_key=key()
    )
    member = type(account).member.field.related_model.objects.get(pk=account.member_id)
    accounts = selectors.list_member_accounts(member)
    assert {a.kind for a in accounts} == {SavingsKind.PRINCIPAL, SavingsKind.VOLUNTARY}
    statement = selectors.member_statement(account, dt.date(2026, 3, 3), dt.date(2026, 3, 31))
    assert statement.opening == 75_000_00
    assert [r.amount for r in statement.rows] == [-5_000_00]
    assert statement.closing == 70_000_00
    whole = selectors.member_statement(member, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert whole.opening == 0 and whole.closing == 50_000_00 + 70_000_00


def test_pokok_and_wajib_can_be_held_as_liabilities_by_adart(koperasi):
    koperasi.adart_settings = {**koperasi.adart_settings, "pokok_wajib_as_equity": False}
    koperasi.save(update_fields=["adart_settings"])
    with_books(koperasi)
    kasir = teller(koperasi)
    member = make_member(koperasi)
    txn = services.pay_principal(member, actor=kasir, date=DAY, idempotency_key="p")
    line = JournalLine.objects.get(entry=txn.entry, side="C")
    assert line.account.code == "2-1610" and line.account.type == "kewajiban"
    _books_ok(koperasi)
