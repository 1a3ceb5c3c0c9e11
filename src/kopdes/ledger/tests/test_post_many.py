"""``post_many``: a batch in one transaction, same rules as ``post``, all or nothing."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import selectors, services
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.ledger.models import AccountBalance, JournalEntry, JournalLine, SubledgerBalance
from kopdes.ledger.services import EntryRequest
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(koperasi):
    return with_books(koperasi)


def request(n: int, amount: int = 1_000_00, *, day=dt.date(2026, 1, 15), **extra):
    return EntryRequest(
        date=day,
        memo=f"Impor {n}",
        lines=[LineDraft.debit("1-1100", amount), LineDraft.credit("3-2000", amount)],
        idempotency_key=f"batch-{n}",
        source="import",
        **extra,
    )


def assert_verified(koperasi):
    for result in verify_books(koperasi):
        assert result.ok, (result.name, result.problems)


def test_a_batch_is_numbered_chained_balanced_and_audited_once(books):
    bendahara = make_user("bendahara", books)
    first = post_simple(books, 5_000_00)
    requests = [request(n, 1_000_00 * n) for n in range(1, 6)]
    requests.append(request(6, 7_00, day=dt.date(2026, 2, 3)))
    posted = services.post_many(books, actor=bendahara, entries=requests)
    assert [p.number for p in posted] == [2, 3, 4, 5, 6, 7]
    assert not any(p.replayed for p in posted)
    entries = list(JournalEntry.objects.filter(koperasi=books).order_by("number"))
    assert entries[1].prev_hash == first.hash
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    assert entries[-1].period == 202602
    assert JournalLine.objects.filter(koperasi=books).count() == 14
    kas = selectors.get_account(books, "1-1100")
    assert selectors.account_balance(kas) == 5_000_00 + 15_000_00 + 7_00
    jan = AccountBalance.objects.get(koperasi=books, account=kas, period=202601)
    assert jan.debit_total == 20_000_00
    events = AuditEvent.objects.filter(koperasi=books, action="ledger.entries.posted")
    assert events.count() == 1
    summary = events.get().summary
    assert (summary["count"], summary["first_number"], summary["last_number"]) == (6, 2, 7)
    assert summary["total_amount"] == 15_000_00 + 7_00
    assert_verified(books)


def test_sub_ledger_lines_in_a_batch_update_their_balances(books):
    lines = [
        LineDraft.debit("1-1100", 3_000_00),
        LineDraft.credit("2-1100", 3_000_00, subledger_kind="savings", subledger_ref="A-1"),
    ]
    services.post_many(
        books,
        actor=None,
        entries=[
            EntryRequest(date=dt.date(2026, 1, 5), memo="Setoran", lines=lines, idempotency_key=k)
            for k in ("s-1", "s-2")
        ],
    )
    row = SubledgerBalance.objects.get(koperasi=books, subledger_ref="A-1")
    assert (row.debit_total, row.credit_total) == (0, 6_000_00)
    assert_verified(books)


def test_a_retried_batch_posts_only_what_is_missing(books):
    services.post_many(books, actor=None, entries=[request(1), request(2)])
    again = services.post_many(books, actor=None, entries=[request(1), request(2), request(3)])
    assert [(p.number, p.replayed) for p in again] == [(1, True), (2, True), (3, False)]
    assert JournalEntry.objects.filter(koperasi=books).count() == 3
    assert AuditEvent.objects.filter(koperasi=books, action="ledger.entries.posted").count() == 2
    assert_verified(books)


def test_one_bad_entry_refuses_the_whole_batch_and_names_it(books):
    bad = EntryRequest(
        date=dt.date(2026, 1, 15),
        memo="Tidak seimbang",
        lines=[LineDraft.debit("1-1100", 1_000_00), LineDraft.credit("3-2000", 999_00)],
        idempotency_key="batch-bad",
    )
    with pytest.raises(LedgerError) as caught:
        services.post_many(books, actor=None, entries=[request(1), bad, request(3)])
    assert "batch-bad" in caught.value.message
    assert "tidak seimbang" in caught.value.message.lower()
    assert not JournalEntry.objects.filter(koperasi=books).exists()
    assert not AccountBalance.objects.filter(koperasi=books).exists()
    assert not AuditEvent.objects.filter(koperasi=books, action="ledger.entries.posted").exists()


@pytest.mark.parametrize(
    "entries, message",
    [
        ([request(1), request(1)], "twice"),
        ([request(1), EntryRequest(dt.date(2026, 1, 1), "x", [], "")], "key"),
        ([EntryRequest("2026-01-01", "x", [], "k")], "date"),  # type: ignore[arg-type]
    ],
)
def test_malformed_batches_write_nothing(books, entries, message):
    with pytest.raises(LedgerError) as caught:
        services.post_many(books, actor=None, entries=entries)
    assert message in str(caught.value.message).lower() or caught.value.field
    assert not JournalEntry.objects.filter(koperasi=books).exists()


def test_a_reused_key_with_other_content_is_a_conflict(books):
    services.post_many(books, actor=None, entries=[request(1)])
    with pytest.raises(IdempotencyConflictError):
        services.post_many(books, actor=None, entries=[request(2), request(1, 9_00)])
    assert JournalEntry.objects.filter(koperasi=books).count() == 1


def test_a_closed_month_refuses_the_batch(books):
    bendahara = make_user("bendahara", books)
    ketua = make_user("ketua", books)
    proposal = services.propose_period_close(
        books, actor=bendahara, year=2026, month=1, reason="tutup"
    )
    services.approve_period_change(proposal, actor=ketua)
    with pytest.raises(LedgerError):
        services.post_many(
            books, actor=None, entries=[request(1, day=dt.date(2026, 2, 1)), request(2)]
        )
    assert not JournalEntry.objects.filter(koperasi=books, source="import").exists()


def test_an_empty_batch_writes_nothing(books):
    assert services.post_many(books, actor=None, entries=[]) == []
    assert not AuditEvent.objects.filter(koperasi=books, action="ledger.entries.posted").exists()
