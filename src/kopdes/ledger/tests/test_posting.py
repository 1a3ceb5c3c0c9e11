"""The posting service: balanced entries, numbers, chain, balances, idempotency, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.domain.ledger import GENESIS_HASH, LineDraft
from kopdes.ledger import chart, selectors, services
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError, PermissionDeniedError
from kopdes.ledger.models import (
    Account,
    AccountBalance,
    JournalEntry,
    JournalLine,
    Period,
    SubledgerBalance,
)
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 1, 15)


@pytest.fixture
def books(koperasi):
    return with_books(koperasi)


def assert_verified(koperasi):
    for result in verify_books(koperasi):
        assert result.ok, (result.name, result.problems)


def test_chart_of_accounts_is_installed_once_with_types_and_sides(koperasi):
    services.setup_koperasi_books(koperasi)
    count = Account.objects.filter(koperasi=koperasi).count()
    assert services.install_chart_of_accounts(koperasi) == 0
    assert Account.objects.filter(koperasi=koperasi).count() == count
    kas = Account.objects.get(koperasi=koperasi, code="1-1100")
    assert (kas.type, kas.normal_side, kas.is_contra) == ("aset", "D", False)
    ppap = Account.objects.get(koperasi=koperasi, code="1-1310")
    assert (ppap.type, ppap.normal_side, ppap.is_contra) == ("aset", "C", True)
    assert Account.objects.get(koperasi=koperasi, code="3-9000").name == "SHU tahun berjalan"
    assert Account.objects.get(koperasi=koperasi, code="2-1100").subledger_kind == "savings"
    assert Account.objects.get(koperasi=koperasi, code="1-1300").subledger_kind == "loans"
    # Per-unit children for the units the koperasi runs (sembako, simpan_pinjam).
    sembako_cash = selectors.get_account_for_unit(koperasi, chart.CASH, "sembako")
    assert (sembako_cash.code, sembako_cash.business_unit) == ("1-1101", "sembako")
    assert sembako_cash.parent.code == "1-1100"
    assert selectors.get_account_for_unit(koperasi, chart.CASH, "kantor").code == "1-1100"
    assert not Account.objects.filter(koperasi=koperasi, code="1-1102").exists()  # no apotek
    assert Account.objects.get(koperasi=koperasi, code="4-1101").is_member_revenue
    assert (
        AuditEvent.objects.filter(koperasi=koperasi, action="ledger.chart.installed").count() == 1
    )


def test_post_writes_a_balanced_numbered_chained_entry_with_balances_and_audit(books):
    bendahara = make_user("bendahara", books)
    first = post_simple(books, 100_000_00, actor=bendahara)
    second = post_simple(books, 2_500_00, debit="1-1200", credit="1-1100", actor=bendahara)
    assert (first.number, second.number) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert len(first.hash) == 64
    lines = list(selectors.entry_lines(first))
    assert [(x.account.code, x.side, x.amount) for x in lines] == [
        ("1-1100", "D", 100_000_00),
        ("3-2000", "C", 100_000_00),
    ]
    kas = selectors.get_account(books, "1-1100")
    assert selectors.account_balance(kas) == 97_500_00
    assert selectors.account_balance(selectors.get_account(books, "3-2000")) == 100_000_00
    row = AccountBalance.objects.get(koperasi=books, account=kas, period=202601)
    assert (row.debit_total, row.credit_total) == (100_000_00, 2_500_00)
    event = AuditEvent.objects.get(
        koperasi=books, action="ledger.entry.posted", object_id=str(first.pk)
    )
    assert event.summary["total_amount"] == 100_000_00
    assert event.actor == bendahara and event.role == "bendahara"
    assert first.posted_by == bendahara
    tb = selectors.trial_balance(books)
    assert sum(r["debit"] for r in tb) == sum(r["credit"] for r in tb) == 102_500_00
    assert_verified(books)


def test_subledger_lines_feed_subledger_balances(books):
    services.post(
        books,
        actor=None,
        date=DAY,
        memo="Setoran sukarela Bu Siti dan Pak Budi",
        lines=[
            LineDraft.debit("1-1100", 150_000_00),
            LineDraft.credit("2-1100", 100_000_00, subledger_kind="savings", subledger_ref="siti"),
            LineDraft.credit("2-1100", 50_000_00, subledger_kind="savings", subledger_ref="budi"),
        ],
        idempotency_key="dep-1",
        source="savings",
    )
    services.post(
        books,
        actor=None,
        date=dt.date(2026, 2, 1),
        memo="Penarikan Bu Siti",
        lines=[
            LineDraft.debit("2-1100", 30_000_00, subledger_kind="savings", subledger_ref="siti"),
            LineDraft.credit("1-1100", 30_000_00),
        ],
        idempotency_key="wd-1",
        source="savings",
    )
    assert selectors.subledger_balance(books, "savings", "siti") == 70_000_00
    assert selectors.subledger_balance(books, "savings", "siti", up_to=202601) == 100_000_00
    assert selectors.subledger_balances(books, "savings") == {"siti": 70_000_00, "budi": 50_000_00}
    assert SubledgerBalance.objects.filter(koperasi=books).count() == 3
    assert_verified(books)


def test_retry_with_same_key_and_content_returns_the_first_entry(books):
    first = post_simple(books, 5_000_00, key="kasir-1-0001")
    again = post_simple(books, 5_000_00, key="kasir-1-0001")
    assert again.pk == first.pk and again.replayed
    assert JournalEntry.objects.filter(koperasi=books).count() == 1
    assert (
        AccountBalance.objects.get(koperasi=books, account__code="1-1100").debit_total == 5_000_00
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 5_000_01}, "lines[1].amount"),
        ({"debit": "1-1200"}, "lines[1].account"),
        ({"date": dt.date(2026, 1, 16)}, "date"),
        ({"memo": "Lain"}, "memo"),
    ],
)
def test_same_key_with_different_content_is_a_409_naming_the_difference(books, change, field):
    post_simple(books, 5_000_00, key="k-1", date=DAY, memo="Setoran uji")
    args = {"amount": 5_000_00, "key": "k-1", "date": DAY, "memo": "Setoran uji", **change}
    amount = args.pop("amount")
    with pytest.raises(IdempotencyConflictError) as err:
        post_simple(books, amount, **args)
    assert err.value.status == 409
    assert field in err.value.differences
    assert field in err.value.message
    assert JournalEntry.objects.filter(koperasi=books).count() == 1


def test_keys_are_scoped_per_koperasi(books, other_koperasi):
    with_books(other_koperasi)
    a = post_simple(books, 1_000_00, key="same")
    b = post_simple(other_koperasi, 2_000_00, key="same")
    assert a.pk != b.pk and b.number == 1


def lines_ok(amount=1_000_00):
    return [LineDraft.debit("1-1100", amount), LineDraft.credit("3-2000", amount)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([LineDraft.debit("1-1100", 100), LineDraft.credit("3-2000", 90)], "tidak seimbang"),
        ([LineDraft.debit("1-1100", 0), LineDraft.credit("3-2000", 0)], "lebih dari nol"),
        ([LineDraft.debit("1-1100", -100), LineDraft.credit("3-2000", -100)], "lebih dari nol"),
        ([LineDraft.debit("1-1100", 100)], "dua baris"),
        ([LineDraft.debit("1-7777", 100), LineDraft.credit("3-2000", 100)], "tidak dikenal"),
        (
            [LineDraft.debit("1-1100", 10**17 + 1), LineDraft.credit("3-2000", 10**17 + 1)],
            "melebihi batas",
        ),
        ([LineDraft.debit("1-1100", 100), LineDraft.credit("2-1100", 100)], "akun kontrol"),
        (
            [{"account": "1-1100", "side": "X", "amount": 1}, LineDraft.credit("3-2000", 1)],
            "Baris jurnal",
        ),
    ],
)
def test_bad_entries_write_nothing_and_explain_in_indonesian(books, lines, message):
    events = AuditEvent.objects.count()
    with pytest.raises(LedgerError) as err:
        services.post(books, actor=None, date=DAY, memo="Uji", lines=lines, idempotency_key="bad")
    assert message in err.value.message
    assert JournalEntry.objects.filter(koperasi=books).count() == 0
    assert JournalLine.objects.filter(koperasi=books).count() == 0
    assert AccountBalance.objects.filter(koperasi=books).count() == 0
    assert AuditEvent.objects.count() == events
    # A validation failure is not remembered: the corrected retry with the key succeeds.
    entry = services.post(
        books, actor=None, date=DAY, memo="Uji", lines=lines_ok(), idempotency_key="bad"
    )
    assert entry.number == 1


def test_foreign_and_closed_accounts_are_refused(books, other_koperasi):
    with_books(other_koperasi)
    Account.objects.filter(koperasi=books, code="1-1200").update(is_active=False)
    with pytest.raises(LedgerError, match="ditutup"):
        post_simple(books, debit="1-1200")
    foreign = Account.objects.create(
        koperasi=other_koperasi, code="1-1199", name="Kas lain", type="aset", normal_side="D"
    )
    with pytest.raises(LedgerError, match="tidak dikenal"):
        post_simple(books, debit=foreign.code)
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_missing_key_memo_and_bad_unit_are_refused(books):
    with pytest.raises(LedgerError, match="idempotency"):
        services.post(books, actor=None, date=DAY, memo="x", lines=lines_ok(), idempotency_key="")
    with pytest.raises(LedgerError, match="Keterangan"):
        services.post(books, actor=None, date=DAY, memo=" ", lines=lines_ok(), idempotency_key="a")
    with pytest.raises(LedgerError):
        services.post(
            books,
            actor=None,
            date=DAY,
            memo="x",
            lines=lines_ok(),
            idempotency_key="b",
            business_unit="kasino",
        )
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_closed_month_refuses_postings(books):
    Period.objects.create(koperasi=books, period=202601, status="closed")
    with pytest.raises(LedgerError, match="ditutup"):
        post_simple(books, date=dt.date(2026, 1, 31))
    assert post_simple(books, date=dt.date(2026, 2, 1)).number == 1


def test_manual_posting_needs_the_permission(books):
    kasir = make_user("kasir", books)
    with pytest.raises(PermissionDeniedError):
        services.post_manual(
            books, actor=kasir, date=DAY, memo="x", lines=lines_ok(), idempotency_key="m1"
        )
    bendahara = make_user("bendahara", books)
    entry = services.post_manual(
        books, actor=bendahara, date=DAY, memo="Koreksi", lines=lines_ok(), idempotency_key="m1"
    )
    assert entry.source == "manual"


def test_officer_adds_a_sub_account_that_inherits_type(books):
    bendahara = make_user("bendahara", books)
    account = services.create_account(
        books, actor=bendahara, parent_code="5-2100", code="5-2100.01", name="Beban listrik"
    )
    assert (account.type, account.normal_side, account.parent.code) == ("beban", "D", "5-2100")
    assert AuditEvent.objects.filter(action="ledger.account.created").count() == 1
    for code, message in [("5-2100.01", "sudah ada"), ("1-2100.02", "diawali"), ("x", "1-1101")]:
        with pytest.raises(LedgerError, match=message):
            services.create_account(
                books, actor=bendahara, parent_code="5-2100", code=code, name="Beban air"
            )
    with pytest.raises(PermissionDeniedError):
        services.create_account(
            books,
            actor=make_user("kasir", books),
            parent_code="5-2100",
            code="5-2101",
            name="Beban air",
        )


def test_an_account_closes_only_at_zero_balance_and_then_refuses_postings(books):
    bendahara = make_user("bendahara", books)
    bank = selectors.get_account(books, "1-1200")
    post_simple(books, 5_000_00, debit="1-1200")
    with pytest.raises(LedgerError, match="saldo nol"):
        services.set_account_active(bank, actor=bendahara, active=False)
    post_simple(books, 5_000_00, debit="3-2000", credit="1-1200")
    services.set_account_active(bank, actor=bendahara, active=False)
    with pytest.raises(LedgerError, match="ditutup"):
        post_simple(books, debit="1-1200")
    assert AuditEvent.objects.filter(koperasi=books, action="ledger.account.closed").exists()
    services.set_account_active(bank, actor=bendahara, active=True)
    assert post_simple(books, debit="1-1200").number == 3
    with pytest.raises(PermissionDeniedError):
        services.set_account_active(bank, actor=make_user("kasir", books), active=False)


def test_a_refused_posting_inside_a_callers_transaction_leaves_it_usable(books):
    """``post`` takes no savepoint of its own (two round trips under the lock): a refusal
    is raised after its block ends, so the caller's transaction carries on."""
    from django.db import transaction

    with transaction.atomic():
        post_simple(books, 1_000_00, key="sekali")
        with pytest.raises(IdempotencyConflictError):
            post_simple(books, 2_000_00, key="sekali")
        with pytest.raises(LedgerError):
            post_simple(books, 1_000_00, credit="9-9999")
        third = post_simple(books, 3_000_00)  # the transaction still works
    assert third.number == 2
    assert JournalEntry.objects.filter(koperasi=books).count() == 2
    assert_verified(books)


def _batched(reads, amount: int):
    return services.post_batched(
        reads,
        actor=None,
        date=DAY,
        memo="Setoran uji",
        lines=[LineDraft.debit("1-1100", amount), LineDraft.credit("3-2000", amount)],
    )


def test_a_batched_posting_keeps_the_chain(books):
    """The teller's path: the ledger's reads in the caller's batch, its INSERTs in the
    caller's writes. Same numbers, hashes and balances as ``post`` on its own."""
    from django.db import transaction

    from kopdes.platform.core.rows import execute_batch

    first = post_simple(books, 1_000_00)
    with transaction.atomic():
        reads = services.BookReads(books, idempotency_key="teller-1", codes=["1-1100", "3-2000"])
        reads.take(execute_batch(reads.statements()))
        second, writes = _batched(reads, 2_000_00)
        assert writes and not JournalEntry.objects.filter(pk=second.pk).exists()  # not yet
        execute_batch(writes)
        # Used up: posting again with them reads the books afresh, and finds the entry.
        again, nothing = _batched(reads, 2_000_00)
        assert again.pk == second.pk and again.replayed and nothing == []
        # Reads that do not cover the entry's accounts are not used: read again.
        other = services.BookReads(books, idempotency_key="teller-3", codes=["1-1100"])
        other.take(execute_batch(other.statements()))
        third, last = _batched(other, 4_000_00)
        execute_batch(last)
    assert [e.number for e in (first, second, third)] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert JournalEntry.objects.get(pk=second.pk).hash == second.hash
    assert_verified(books)


def test_a_batched_replay_writes_nothing_and_a_changed_one_is_refused(books):
    from django.db import transaction

    from kopdes.platform.core.rows import execute_batch

    with transaction.atomic():
        reads = services.BookReads(books, idempotency_key="ulang", codes=["1-1100", "3-2000"])
        entry, writes = _batched(reads, 2_000_00)
        execute_batch(writes)
    again = services.BookReads(books, idempotency_key="ulang", codes=["1-1100", "3-2000"])
    replay, none = _batched(again, 2_000_00)
    assert replay.pk == entry.pk and replay.replayed and none == []
    changed = services.BookReads(books, idempotency_key="ulang", codes=["1-1100", "3-2000"])
    with pytest.raises(IdempotencyConflictError):
        _batched(changed, 5_000_00)
    unknown = services.BookReads(books, idempotency_key="salah", codes=["9-9999"])
    with pytest.raises(LedgerError):
        services.post_batched(
            unknown,
            actor=None,
            date=DAY,
            memo="x",
            lines=[LineDraft.debit("9-9999", 100), LineDraft.credit("3-2000", 100)],
        )
    assert JournalEntry.objects.filter(koperasi=books).count() == 1
    assert_verified(books)


def test_the_posting_rows_name_every_column_of_their_model():
    """``ledger.posting``'s named rows are the models' columns, checked when the INSERT is
    built: a column added to the model and not to the row is refused loudly."""
    from typing import NamedTuple

    from django.db import connection

    from kopdes.ledger import posting
    from kopdes.ledger.models import AccountBalance, JournalLine, SubledgerBalance

    pairs = [
        (JournalLine, posting.LineRow),
        (JournalEntry, posting.EntryRow),
        (AccountBalance, posting.AccountBalanceRow),
        (SubledgerBalance, posting.SubledgerBalanceRow),
    ]
    for model, row in pairs:
        head = posting._insert_head(model, row, connection.vendor)
        assert connection.ops.quote_name(model._meta.db_table) in head
        for name in row._fields:
            column = next(f.column for f in model._meta.concrete_fields if f.attname == name)
            assert connection.ops.quote_name(column) in head

    class Short(NamedTuple):
        id: str

    with pytest.raises(AssertionError, match="does not match JournalLine"):
        posting._insert_head(JournalLine, Short, connection.vendor)


def test_a_batched_posting_writes_the_same_rows_as_post(books):
    """The statements ``post_batched`` hands back insert the lines, the entry and both
    balance tables, as ``post`` writes them."""
    from django.db import transaction

    from kopdes.ledger.models import AccountBalance, JournalLine
    from kopdes.platform.core.rows import execute_batch

    with transaction.atomic():
        reads = services.BookReads(books, idempotency_key="sama", codes=["1-1100", "3-2000"])
        entry, writes = _batched(reads, 7_000_00)
        tables = [sql.split("(")[0] for sql, _params in writes]
        assert len(tables) == 3  # lines, entry, account balances (no sub-ledger line)
        execute_batch(writes)
    lines = JournalLine.objects.filter(entry=entry).order_by("line_no")
    assert [(line.side, line.amount) for line in lines] == [("D", 7_000_00), ("C", 7_000_00)]
    assert AccountBalance.objects.filter(koperasi=books).count() == 2
    assert_verified(books)
