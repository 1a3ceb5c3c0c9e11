"""A teller's operation is built from a read made before the koperasi's lock, then read
again under it (``services._single``). Whatever happens in between must give exactly the
books a posting made wholly under the lock would: each test runs another operation at
that moment."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.ledger.models import JournalEntry
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.verification import check_audit_chains
from kopdes.platform.core.testing import make_koperasi
from kopdes.savings import services
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import SavingsAccount, SavingsTransaction
from kopdes.savings.testing import teller, voluntary_account
from kopdes.savings.verification import check_accounts

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def counter():
    koperasi = make_koperasi()
    kasir = teller(koperasi)
    return koperasi, kasir


def between_guess_and_lock(monkeypatch, action):
    """Run ``action`` once, right after the next teller operation's read before the lock."""
    real = services.execute_groups
    state = {"done": False}

    def execute_groups(groups):
        results = real(groups)
        if not state["done"]:
            state["done"] = True
            action()
        return results

    monkeypatch.setattr(services, "execute_groups", execute_groups)


@pytest.fixture
def builds(monkeypatch):
    """How many times a teller operation was built (``services._apply``): once when what
    was built before the lock is kept, twice when it is built again under the lock."""
    calls = []
    real = services._apply

    def apply(*args, **kwargs):
        calls.append(kwargs.get("key"))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_apply", apply)
    return calls


def fresh(account):
    return SavingsAccount.objects.get(pk=account.pk)


def books_are_sound(koperasi):
    assert all(r.ok for r in verify_books(koperasi))
    assert check_accounts(koperasi).ok
    assert check_audit_chains(koperasi).ok


def test_an_entry_posted_in_between_moves_the_deposit_up_both_chains(counter, monkeypatch, builds):
    koperasi, kasir = counter
    mine = voluntary_account(koperasi, balance=50_000_00, actor=kasir)
    other = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    posted = []
    between_guess_and_lock(
        monkeypatch,
        lambda: posted.append(
            services.deposit(
                fresh(other), actor=kasir, amount=5_000_00, date=DAY, idempotency_key="other"
            )
        ),
    )

    builds.clear()
    txn = services.deposit(
        fresh(mine), actor=kasir, amount=20_000_00, date=DAY, idempotency_key="mine"
    )

    assert builds == ["other", "mine"]  # each built once: only the chain heads moved

    before = posted[0].entry
    entry = JournalEntry.objects.get(pk=txn.entry_id)
    assert entry.number == before.number + 1
    assert entry.prev_hash == before.hash
    # What the caller got back is what was stored.
    assert (txn.entry.number, txn.entry.hash, txn.entry.posted_at) == (
        entry.number,
        entry.hash,
        entry.posted_at,
    )
    assert entry.posted_at >= before.posted_at
    event = AuditEvent.objects.get(object_id=str(txn.pk))
    previous = AuditEvent.objects.get(object_id=str(posted[0].pk))
    assert event.seq == previous.seq + 1
    assert event.prev_hash == previous.hash
    assert event.summary["entry"] == entry.number
    assert txn.balance_after == 70_000_00
    books_are_sound(koperasi)


def test_a_deposit_to_the_same_account_in_between_is_counted(counter, monkeypatch, builds):
    koperasi, kasir = counter
    account = voluntary_account(koperasi, balance=50_000_00, actor=kasir)
    between_guess_and_lock(
        monkeypatch,
        lambda: services.deposit(
            fresh(account), actor=kasir, amount=5_000_00, date=DAY, idempotency_key="first"
        ),
    )

    builds.clear()
    txn = services.deposit(
        fresh(account), actor=kasir, amount=20_000_00, date=DAY, idempotency_key="second"
    )

    assert builds == ["first", "second", "second"]  # its account changed: built again

    assert txn.balance_after == 75_000_00
    assert fresh(account).balance == 75_000_00
    seqs = list(
        SavingsTransaction.objects.filter(account=account)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    books_are_sound(koperasi)


def test_a_withdrawal_the_guess_refused_is_decided_under_the_lock(counter, monkeypatch):
    koperasi, kasir = counter
    account = voluntary_account(koperasi, balance=100_000, actor=kasir)
    between_guess_and_lock(
        monkeypatch,
        lambda: services.deposit(
            fresh(account), actor=kasir, amount=100_000, date=DAY, idempotency_key="top-up"
        ),
    )

    txn = services.withdraw(
        fresh(account), actor=kasir, amount=150_000, date=DAY, idempotency_key="take"
    )

    assert txn.balance_after == 50_000
    books_are_sound(koperasi)


def test_a_withdrawal_the_guess_allowed_is_refused_when_the_money_went(counter, monkeypatch):
    koperasi, kasir = counter
    account = voluntary_account(koperasi, balance=100_000, actor=kasir)
    between_guess_and_lock(
        monkeypatch,
        lambda: services.withdraw(
            fresh(account), actor=kasir, amount=50_000, date=DAY, idempotency_key="first"
        ),
    )
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()

    with pytest.raises(SavingsError):
        services.withdraw(
            fresh(account), actor=kasir, amount=80_000, date=DAY, idempotency_key="second"
        )

    assert fresh(account).balance == 50_000
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries + 1
    books_are_sound(koperasi)


def test_the_same_key_used_in_between_is_answered_as_a_replay(counter, monkeypatch):
    koperasi, kasir = counter
    account = voluntary_account(koperasi, balance=0, actor=kasir)
    first = []
    between_guess_and_lock(
        monkeypatch,
        lambda: first.append(
            services.deposit(
                fresh(account), actor=kasir, amount=7_000_00, date=DAY, idempotency_key="k"
            )
        ),
    )

    again = services.deposit(
        fresh(account), actor=kasir, amount=7_000_00, date=DAY, idempotency_key="k"
    )

    assert again.pk == first[0].pk and again.replayed
    assert fresh(account).balance == 7_000_00
    books_are_sound(koperasi)
