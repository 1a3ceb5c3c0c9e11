"""T7 and T11: the database itself refuses edits and closed-month inserts, and
``kopdes verify`` catches tampering done underneath the triggers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from kopdes.domain.ledger import LineDraft
from kopdes.ledger.models import AccountBalance, JournalEntry, JournalLine, Period
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.tests.dbtools import db_id, guards_off
from kopdes.ledger.verification import (
    check_balances,
    check_chain,
    check_subledgers,
    check_trial_balance,
    verify_books,
)
from kopdes.platform.core.ids import uuid7

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(koperasi):
    with_books(koperasi)
    for n in range(1, 6):
        post_simple(koperasi, n * 1_000_00, date=dt.date(2026, 1, n))
    return koperasi


def refused(action) -> bool:
    """True when the database (not Python) refuses ``action``; nothing stays written."""
    try:
        with transaction.atomic():
            action()
    except (DatabaseError, ProtectedError):
        return True
    return False


def raw(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_posted_rows_cannot_be_changed_or_deleted_by_any_route(books):
    entry = JournalEntry.objects.filter(koperasi=books).order_by("number").first()
    line = JournalLine.objects.filter(entry=entry).first()

    def save_edit():
        entry.memo = "diubah"
        entry.save()

    def line_save_edit():
        line.amount = 1
        line.save()

    def bulk_update():
        line.amount = 2
        JournalLine.objects.bulk_update([line], ["amount"])

    def late_line():
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    koperasi=books,
                    entry_id=entry.id,
                    line_no=9,
                    account_id=line.account_id,
                    side="D",
                    amount=1,
                    date=entry.date,
                    period=entry.period,
                )
            ]
        )

    attempts = {
        "save": save_edit,
        "line save": line_save_edit,
        "entry delete": entry.delete,
        "line delete": line.delete,
        "queryset update entry": lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="x"),
        "queryset update line": lambda: JournalLine.objects.filter(pk=line.pk).update(amount=5),
        "queryset delete line": lambda: JournalLine.objects.filter(pk=line.pk).delete(),
        "bulk_update": bulk_update,
        "bulk_create into posted entry": late_line,
        "raw update": raw("UPDATE ledger_journalline SET amount = amount + 1"),
        "raw delete": raw("DELETE FROM ledger_journalline"),
        "raw entry update": raw("UPDATE ledger_journalentry SET total_amount = 1"),
        "raw entry delete": raw("DELETE FROM ledger_journalentry"),
    }
    if connection.vendor == "postgresql":
        attempts["truncate"] = raw("TRUNCATE ledger_journalline CASCADE")
    not_refused = [name for name, action in attempts.items() if not refused(action)]
    assert not_refused == []
    entry.refresh_from_db()
    assert entry.memo == "Setoran uji"
    for result in verify_books(books):
        assert result.ok, result.problems


def _insert_entry(koperasi, day, lines, *, total=None, count=None, number=99):
    """Write an entry straight through the ORM, past the posting service."""
    entry = JournalEntry(
        koperasi=koperasi,
        number=number,
        date=day,
        period=day.year * 100 + day.month,
        memo="langsung",
        idempotency_key=f"raw-{uuid7()}",
        posted_at="2026-01-01T00:00:00Z",
        total_amount=total if total is not None else sum(a for s, a in lines if s == "D"),
        line_count=count if count is not None else len(lines),
        prev_hash="0" * 64,
        hash="0" * 64,
    )
    kas = koperasi_account(koperasi, "1-1100")
    JournalLine.objects.bulk_create(
        [
            JournalLine(
                koperasi=koperasi,
                entry_id=entry.id,
                line_no=n,
                account_id=kas,
                side=side,
                amount=amount,
                date=day,
                period=entry.period,
            )
            for n, (side, amount) in enumerate(lines, start=1)
        ]
    )
    entry.save(force_insert=True)


def koperasi_account(koperasi, code):
    from kopdes.ledger.models import Account

    return Account.objects.get(koperasi=koperasi, code=code).id


def test_database_refuses_unbalanced_or_closed_month_inserts_that_bypass_the_service(books):
    day = dt.date(2026, 3, 3)
    assert not refused(lambda: _insert_entry(books, day, [("D", 5), ("C", 5)], number=100))
    assert refused(lambda: _insert_entry(books, day, [("D", 5), ("C", 4)]))
    assert refused(lambda: _insert_entry(books, day, [("D", 5), ("C", 5)], total=6))
    assert refused(lambda: _insert_entry(books, day, [("D", 5), ("C", 5)], count=3))
    assert refused(lambda: _insert_entry(books, day, [], total=5, count=2))
    Period.objects.create(koperasi=books, period=202604, status="closed")
    for closed_day in (dt.date(2026, 4, 1), dt.date(2026, 4, 30)):
        assert refused(lambda d=closed_day: _insert_entry(books, d, [("D", 5), ("C", 5)]))
    kas = koperasi_account(books, "1-1100")
    # A line whose month key does not match its date is refused too.
    assert refused(
        lambda: JournalLine.objects.create(
            koperasi=books,
            entry_id=uuid7(),
            line_no=1,
            account_id=kas,
            side="D",
            amount=5,
            date=dt.date(2026, 3, 3),
            period=202601,
        )
    )


def test_foreign_account_on_a_line_is_refused(books, other_koperasi):
    with_books(other_koperasi)
    foreign = koperasi_account(other_koperasi, "1-1100")
    kas = koperasi_account(books, "1-1100")
    day = dt.date(2026, 3, 3)

    def mixed():
        entry_id = uuid7()
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    koperasi=books,
                    entry_id=entry_id,
                    line_no=1,
                    account_id=kas,
                    side="D",
                    amount=5,
                    date=day,
                    period=202603,
                ),
                JournalLine(
                    koperasi=books,
                    entry_id=entry_id,
                    line_no=2,
                    account_id=foreign,
                    side="C",
                    amount=5,
                    date=day,
                    period=202603,
                ),
            ]
        )

    assert refused(mixed)


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        ("UPDATE ledger_journalline SET amount = amount + 100 WHERE entry_id = %(e3)s", 3),
        ("UPDATE ledger_journalentry SET memo = 'ubah' WHERE id = %(e2)s", 2),
        ("UPDATE ledger_journalentry SET date = '2026-01-09' WHERE id = %(e3)s", 3),
        (
            "UPDATE ledger_journalline SET account_id = %(bank)s WHERE entry_id = %(e4)s "
            "AND line_no = 1",
            4,
        ),
        ("DELETE FROM ledger_journalline WHERE entry_id = %(e3)s AND line_no = 2", 3),
        ("UPDATE ledger_journalentry SET number = 50 WHERE id = %(e2)s", 3),
    ],
)
def test_tampering_underneath_the_triggers_is_caught_first_difference_first(
    books, tamper, first_bad
):
    entries = {e.number: e for e in JournalEntry.objects.filter(koperasi=books)}
    params = {f"e{n}": db_id(e.id) for n, e in entries.items()}
    from kopdes.ledger.models import Account

    params["bank"] = db_id(Account.objects.get(koperasi=books, code="1-1200").id)
    assert all(r.ok for r in verify_books(books))
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(tamper, params)
    chain = check_chain(books)
    assert not chain.ok
    assert f"entry {first_bad}" in chain.problems[0]


def test_deleted_middle_entry_and_swapped_numbers_are_caught(books):
    entries = {e.number: e for e in JournalEntry.objects.filter(koperasi=books)}
    with guards_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [db_id(entries[3].id)])
        cursor.execute("DELETE FROM ledger_journalentry WHERE id = %s", [db_id(entries[3].id)])
    chain = check_chain(books)
    assert "entry 4" in chain.problems[0]
    assert not check_balances(books).ok  # balance rows still count the deleted lines


def test_tampered_balance_rows_and_moved_rows_are_caught(books, other_koperasi):
    row = AccountBalance.objects.filter(koperasi=books).first()
    AccountBalance.objects.filter(pk=row.pk).update(debit_total=row.debit_total + 1)
    result = check_balances(books)
    assert not result.ok and "AccountBalance" in result.problems[0]
    assert not check_trial_balance(books).ok
    AccountBalance.objects.filter(pk=row.pk).update(debit_total=row.debit_total)
    with_books(other_koperasi)
    line = JournalLine.objects.filter(koperasi=books).order_by("entry__number").first()
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalline SET koperasi_id = %s WHERE id = %s",
            [db_id(other_koperasi.id), db_id(line.id)],
        )
    assert "entry 1" in check_chain(books).problems[0]


def test_subledger_mismatch_with_its_control_account_is_caught(books):
    from kopdes.ledger import services
    from kopdes.ledger.models import SubledgerBalance

    services.post(
        books,
        actor=None,
        date=dt.date(2026, 1, 20),
        memo="Setoran",
        idempotency_key="sl",
        lines=[
            LineDraft.debit("1-1100", 10_00),
            LineDraft.credit("2-1100", 10_00, subledger_kind="savings", subledger_ref="m1"),
        ],
    )
    assert check_subledgers(books).ok
    SubledgerBalance.objects.filter(koperasi=books).update(credit_total=11_00)
    result = check_subledgers(books)
    assert not result.ok and "2-1100" in result.problems[0]


def test_verify_all_koperasi_reports_how_much_it_checked(books):
    results = verify_books(None)
    assert all(r.ok for r in results)
    assert next(r for r in results if r.name == "rantai jurnal").checked >= 5


def test_postgresql_rechecks_every_entry_balance_at_commit(books):
    if connection.vendor != "postgresql":
        pytest.skip("the deferred constraint trigger exists on PostgreSQL only")

    def unbalanced_past_the_insert_guard():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE ledger_journalentry DISABLE TRIGGER ledger_entry_insert_guard"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _insert_entry(books, dt.date(2026, 3, 3), [("D", 5), ("C", 4)], total=5)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does

    def balanced_past_the_insert_guard():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE ledger_journalentry DISABLE TRIGGER ledger_entry_insert_guard"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _insert_entry(books, dt.date(2026, 3, 3), [("D", 5), ("C", 5)], number=101)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        raise RuntimeError("rolled back on purpose")

    assert refused(unbalanced_past_the_insert_guard)
    with pytest.raises(RuntimeError), transaction.atomic():
        balanced_past_the_insert_guard()
