"""Corrections (koreksi) of teller movements: maker-checker, reversing entry, passbook rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kopdes.ledger import services as ledger
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import check_subledgers
from kopdes.members.choices import MemberStatus
from kopdes.members.testing import make_member
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import verification
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.savings import selectors, services
from kopdes.savings.choices import SavingsKind, TxnKind
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import Correction, SavingsAccount, SavingsTransaction
from kopdes.savings.testing import DAY, active_member, key, teller, voluntary_account
from kopdes.savings.verification import check_accounts

pytestmark = pytest.mark.django_db
LATER = DAY + dt.timedelta(days=3)


def _books_ok(koperasi) -> None:
    assert check_subledgers(koperasi).ok, check_subledgers(koperasi).problems
    assert check_accounts(koperasi).ok, check_accounts(koperasi).problems
    # Every check kopdes verify runs: chain, balances, reversals mirror their original.
    results = verification.run_all(koperasi)
    assert all(r.ok for r in results), [(r.name, r.problems) for r in results if not r.ok]


def _balanced(entry) -> None:
    lines = list(JournalLine.objects.filter(entry=entry))
    assert sum(x.amount for x in lines if x.side == "D") == sum(
        x.amount for x in lines if x.side == "C"
    )


def _correct(txn, *, maker, checker, reason="Salah ketik nominal"):
    c = services.request_correction(
        txn, actor=maker, reason=reason, idempotency_key=key(), date=LATER
    )
    return services.approve_correction(c, actor=checker)


def test_an_approved_correction_reverses_a_deposit_with_a_new_passbook_row(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    txn = services.deposit(
        account, actor=kasir, amount=40_000_00, date=DAY, idempotency_key="dep-wrong"
    )
    c = services.request_correction(
        txn, actor=kasir, reason="Salah anggota", idempotency_key="c-1", date=LATER
    )
    assert c.state == ProposalState.PENDING
    account.refresh_from_db()
    assert account.balance == 140_000_00  # nothing moved yet
    c = services.approve_correction(c, actor=ketua)
    account.refresh_from_db()
    assert c.state == ProposalState.APPROVED and c.decided_by == ketua
    assert account.balance == 100_000_00
    row = SavingsTransaction.objects.get(account=account, kind=TxnKind.CORRECTION)
    assert row.amount == -40_000_00 and row.balance_after == 100_000_00 and row.date == LATER
    original = SavingsTransaction.objects.get(pk=txn.pk)
    assert original.amount == 40_000_00  # the old row is never edited
    reversal = c.reversal_entry
    assert reversal.reverses_id == txn.entry_id and reversal.kind == "reversal"
    assert reversal.source == "savings.correction"
    _balanced(reversal)
    codes = {(x.account.code, x.side, x.amount) for x in JournalLine.objects.filter(entry=reversal)}
    assert codes == {("1-1100", "C", 40_000_00), ("2-1100", "D", 40_000_00)}
    assert AuditEvent.objects.filter(action="savings.correction.requested").count() == 1
    assert AuditEvent.objects.filter(action="savings.correction.approved").count() == 1
    _books_ok(koperasi)
    statement = selectors.member_statement(account, DAY, LATER)
    marks = {r.pk: r.corrected for r in statement.rows}
    assert marks[txn.pk] is True and marks[row.pk] is False
    page = selectors.passbook_page(account)
    assert [t.corrected for t in page if t.pk == txn.pk] == [True]


def test_a_withdrawal_and_a_transfer_are_corrected_as_a_whole(koperasi):
    kasir = teller(koperasi)
    bendahara = make_user("bendahara", koperasi)
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    out = services.withdraw(account, actor=kasir, amount=30_000_00, date=DAY, idempotency_key=key())
    _correct(out, maker=kasir, checker=bendahara)
    account.refresh_from_db()
    assert account.balance == 100_000_00
    wajib = services.open_account(account.member, actor=kasir, kind=SavingsKind.MANDATORY, date=DAY)
    t_out, t_in = services.transfer(
        account, wajib, actor=kasir, amount=10_000_00, date=DAY, idempotency_key=key()
    )
    c = _correct(t_in, maker=kasir, checker=bendahara)  # either side undoes both
    account.refresh_from_db()
    wajib.refresh_from_db()
    assert account.balance == 100_000_00 and wajib.balance == 0
    assert c.reversal_entry.reverses_id == t_out.entry_id
    assert SavingsTransaction.objects.filter(kind=TxnKind.CORRECTION).count() == 3
    _balanced(c.reversal_entry)
    _books_ok(koperasi)


def test_a_correction_that_would_make_the_balance_negative_is_refused(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    account = voluntary_account(koperasi, actor=kasir)
    dep = services.deposit(account, actor=kasir, amount=50_000_00, date=DAY, idempotency_key=key())
    services.withdraw(account, actor=kasir, amount=45_000_00, date=DAY, idempotency_key=key())
    c = services.request_correction(dep, actor=kasir, reason="Salah", idempotency_key=key())
    entries = JournalEntry.objects.count()
    with pytest.raises(SavingsError, match=r"negatif|negative"):
        services.approve_correction(c, actor=ketua)
    c.refresh_from_db()
    assert c.state == ProposalState.PENDING and JournalEntry.objects.count() == entries
    account.refresh_from_db()
    assert account.balance == 5_000_00
    _books_ok(koperasi)


def test_the_officer_who_asked_cannot_approve_and_a_kasir_cannot_approve(koperasi):
    kasir = teller(koperasi)
    other_kasir = teller(koperasi)
    manajer = make_user("manajer", koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account).latest("seq")
    c = services.request_correction(txn, actor=manajer, reason="Salah", idempotency_key=key())
    with pytest.raises(PermissionDeniedError):
        services.approve_correction(c, actor=manajer)
    with pytest.raises(PermissionDeniedError):
        services.approve_correction(c, actor=other_kasir)
    with pytest.raises(PermissionDeniedError):
        services.reject_correction(c, actor=manajer)
    pengawas = make_user("pengawas", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.request_correction(txn, actor=pengawas, reason="x", idempotency_key=key())
    c.refresh_from_db()
    assert c.state == ProposalState.PENDING
    # The database refuses it too (the base's four-eyes constraint), whoever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=c.pk).update(state=ProposalState.APPROVED, decided_by=manajer)
    c.refresh_from_db()
    assert c.state == ProposalState.PENDING and c.decided_by_id is None


def test_approving_twice_posts_once_and_a_corrected_row_cannot_be_asked_again(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account, kind=TxnKind.DEPOSIT).get()
    c = services.request_correction(txn, actor=kasir, reason="Salah", idempotency_key="ck")
    again = services.request_correction(txn, actor=kasir, reason="Salah", idempotency_key="ck")
    assert again.pk == c.pk and getattr(again, "replayed", False)
    other = voluntary_account(koperasi, balance=5_000_00, actor=kasir)
    other_txn = SavingsTransaction.objects.filter(account=other, kind=TxnKind.DEPOSIT).get()
    with pytest.raises(ConflictError):
        services.request_correction(other_txn, actor=kasir, reason="x", idempotency_key="ck")
    with pytest.raises(SavingsError, match=r"menunggu|waiting"):
        services.request_correction(txn, actor=kasir, reason="Salah", idempotency_key=key())
    services.approve_correction(c, actor=ketua)
    replay = services.approve_correction(c, actor=ketua)
    assert getattr(replay, "replayed", False)
    assert SavingsTransaction.objects.filter(kind=TxnKind.CORRECTION).count() == 1
    with pytest.raises(SavingsError, match=r"dikoreksi|corrected"):
        services.request_correction(txn, actor=kasir, reason="Lagi", idempotency_key=key())
    with pytest.raises(AlreadyDecidedError):
        services.reject_correction(c, actor=ketua)
    # Nor can the ledger reverse it again from the journal page.
    with pytest.raises(LedgerError):
        ledger.propose_reversal(txn.entry, actor=make_user("bendahara", koperasi), reason="x")
    correction_row = SavingsTransaction.objects.get(kind=TxnKind.CORRECTION)
    with pytest.raises(SavingsError):
        services.request_correction(correction_row, actor=kasir, reason="x", idempotency_key=key())
    _books_ok(koperasi)


def test_a_rejected_correction_moves_nothing_and_may_be_asked_again(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account, kind=TxnKind.DEPOSIT).get()
    c = services.request_correction(txn, actor=kasir, reason="Salah", idempotency_key=key())
    services.reject_correction(c, actor=ketua, reason="Sudah benar")
    c.refresh_from_db()
    assert c.state == ProposalState.REJECTED and c.decision_note == "Sudah benar"
    assert c.reason == "Salah"  # the maker's words stay apart from the checker's
    assert AuditEvent.objects.filter(action="savings.correction.rejected").count() == 1
    # Decided once: a second rejection or an approval is refused, nothing written.
    with pytest.raises(AlreadyDecidedError, match="sudah diputuskan"):
        services.reject_correction(c, actor=make_user("bendahara", koperasi), reason="lagi")
    with pytest.raises(AlreadyDecidedError):
        services.approve_correction(c, actor=make_user("bendahara", koperasi))
    assert AuditEvent.objects.filter(action="savings.correction.rejected").count() == 1
    assert not SavingsTransaction.objects.filter(kind=TxnKind.CORRECTION).exists()
    account.refresh_from_db()
    assert account.balance == 10_000_00
    again = services.request_correction(txn, actor=kasir, reason="Salah", idempotency_key=key())
    assert again.pk != c.pk


def test_bad_inputs_are_refused_and_write_nothing(koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account, kind=TxnKind.DEPOSIT).get()
    with pytest.raises(SavingsError, match=r"alasan|reason"):
        services.request_correction(txn, actor=kasir, reason="  ", idempotency_key=key())
    with pytest.raises(SavingsError):
        services.request_correction(txn, actor=kasir, reason="x" * 301, idempotency_key=key())
    with pytest.raises(SavingsError):
        services.request_correction(txn, actor=kasir, reason="x", idempotency_key="")
    with pytest.raises(SavingsError):
        services.request_correction(
            txn, actor=kasir, reason="x", idempotency_key=key(), date=DAY - dt.timedelta(days=1)
        )
    assert not Correction.objects.exists()


def test_one_row_of_a_many_member_collection_is_corrected_alone(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    a = services.open_account(
        active_member(koperasi, actor=kasir), actor=kasir, kind=SavingsKind.MANDATORY, date=DAY
    )
    b = services.open_account(
        active_member(koperasi, actor=kasir), actor=kasir, kind=SavingsKind.MANDATORY, date=DAY
    )
    txns = services.post_cash_batch(
        koperasi,
        actor=kasir,
        date=DAY,
        moves=[
            services.Move(a, TxnKind.DEPOSIT, 10_000_00),
            services.Move(b, TxnKind.DEPOSIT, 10_000_00),
        ],
        idempotency_key=key(),
        memo="Wajib Maret",
    )
    c = _correct(txns[1], maker=kasir, checker=ketua)
    assert not c.whole_entry and c.reversal_entry.reverses_id is None
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.balance == 10_000_00 and b.balance == 0
    _balanced(c.reversal_entry)
    _books_ok(koperasi)
    statement = selectors.member_statement(a, DAY, LATER)
    assert not any(r.corrected for r in statement.rows)


def test_a_corrected_pokok_makes_the_member_a_candidate_who_can_pay_again(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    member = active_member(koperasi, actor=kasir)
    txn = SavingsTransaction.objects.get(member=member, kind=TxnKind.DEPOSIT)
    _correct(txn, maker=kasir, checker=ketua)
    member.refresh_from_db()
    assert member.status == MemberStatus.CANDIDATE and member.joined_on is None
    assert AuditEvent.objects.filter(action="members.member.returned_to_candidate").exists()
    services.pay_principal(member, actor=kasir, date=LATER, idempotency_key=key())
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    _books_ok(koperasi)


def test_a_pokok_is_not_corrected_while_the_member_has_other_savings(koperasi):
    kasir = teller(koperasi)
    ketua = make_user("ketua", koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    pokok = SavingsAccount.objects.get(member=account.member, kind=SavingsKind.PRINCIPAL)
    txn = SavingsTransaction.objects.get(account=pokok)
    c = services.request_correction(txn, actor=kasir, reason="x", idempotency_key=key())
    with pytest.raises(SavingsError):
        services.approve_correction(c, actor=ketua)
    pokok.refresh_from_db()
    assert pokok.balance == koperasi.adart.simpanan_pokok_amount
    _books_ok(koperasi)


def test_a_savings_move_made_by_another_module_is_not_corrected_here(koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, actor=kasir)
    (txn,) = services.post_cash_batch(
        koperasi,
        actor=kasir,
        date=DAY,
        moves=[services.Move(account, TxnKind.DEPOSIT, 10_000_00)],
        idempotency_key=key(),
        memo="x",
        source="loans.savings",
    )
    with pytest.raises(SavingsError):
        services.request_correction(txn, actor=kasir, reason="x", idempotency_key=key())
    assert make_member  # builder kept importable for the candidate case


@pytest.mark.parametrize("bulk", [True, False])
def test_monthly_jasa_books_the_same_with_or_without_the_ledgers_bulk_path(
    koperasi, monkeypatch, bulk
):
    if not bulk:
        monkeypatch.delattr(ledger, "post_many", raising=False)
    bendahara = make_user("bendahara", koperasi)
    accounts = [
        voluntary_account(koperasi, balance=amount, actor=bendahara)
        for amount in (1_000_000_00, 120_000_000_00, 5_000_00)
    ]
    # Two entries; patched where the jasa run reads it (the services package's jasa module).
    monkeypatch.setattr(services.jasa, "JASA_BATCH", 2)
    run = services.post_monthly_jasa(koperasi, actor=bendahara, year=2026, month=4)
    assert len(run.entries) == 2 and run.accounts == 3
    balances = []
    for a in accounts:
        a.refresh_from_db()
        balances.append(a.balance)
        last = SavingsTransaction.objects.filter(account=a).latest("seq")
        assert (last.seq, last.balance_after) == (a.last_seq, a.balance)
    assert balances == [1_002_500_00, 120_270_000_00, 5_013_00]
    for number in run.entries:
        _balanced(JournalEntry.objects.get(koperasi=koperasi, number=number))
    _books_ok(koperasi)
