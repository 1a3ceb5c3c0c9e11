"""T6: random postings, retries, reversals, closes and reopenings against a model.

After every step: the books equal the model (per account and month), the trial balance is
zero, assets = liabilities + equity + (revenue - expenses), every stored balance equals
the recomputation from lines, and every ``kopdes verify`` check of the ledger passes.
Runs on SQLite and PostgreSQL (whichever DATABASE_URL selects); seeded (derandomize).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kopdes.domain.ledger import LineDraft, Side
from kopdes.domain.money import allocate_by_weights
from kopdes.ledger import selectors, services
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.models import Account, JournalEntry
from kopdes.ledger.testing import with_books
from kopdes.ledger.verification import verify_books
from kopdes.platform.core.testing import make_koperasi, make_user

# Past months (a business date is never after today), across a year end.
MONTHS = [202510, 202511, 202512, 202601, 202602]
MEMBERS = ["m1", "m2", "m3"]
# (debit account, credit account); "S" marks the savings control account (needs a member).
PAIRS = [
    ("1-1100", "3-2000"),
    ("1-1101", "4-1101"),
    ("1-1101", "4-1201"),
    ("5-1101", "1-1101"),
    ("5-2100", "1-1100"),
    ("1-1200", "2-2100"),
    ("1-1100", "2-1100S"),
    ("2-1100S", "1-1100"),
    ("5-2400", "1-1310"),
]
AMOUNTS = st.one_of(
    st.sampled_from([1, 50, 99, 100, 999_999_999_999, 10**17, 10**17 + 1]),
    st.integers(min_value=1, max_value=10**12),
)


def day_of(period: int, day: int = 15) -> dt.date:
    return dt.date(period // 100, period % 100, day)


class Books(RuleBasedStateMachine):
    ops: Counter = Counter()  # generator coverage over the whole run

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.koperasi = with_books(make_koperasi())
        self.bendahara = make_user("bendahara", self.koperasi)
        self.ketua = make_user("ketua", self.koperasi)
        self.types = dict(
            Account.objects.filter(koperasi=self.koperasi).values_list("code", "type")
        )
        self.net: dict[tuple[str, int], int] = defaultdict(int)  # (code, period) -> d - c
        self.closed: set[int] = set()
        self.posted: list[tuple[str, tuple[LineDraft, ...], int]] = []  # key, lines, period
        self.reversed: set[str] = set()
        self.entry_months: set[int] = set()  # months holding at least one entry
        self.entries = 0
        self.keys = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- model helpers -------------------------------------------------------------------
    def apply(self, lines, period):
        for line in lines:
            sign = 1 if line.side is Side.DEBIT else -1
            self.net[(line.account, period)] += sign * line.amount

    def locked(self, month: int) -> bool:
        """Months close in order: every month up to the newest closed one is closed."""
        return bool(self.closed) and month <= max(self.closed)

    def months_with_entries(self):
        return {p for (_, p), v in self.net.items()} | {p for _, _, p in self.posted}

    # --- rules ---------------------------------------------------------------------------
    @rule(
        pair=st.sampled_from(PAIRS),
        amount=AMOUNTS,
        parts=st.integers(1, 3),
        month=st.sampled_from(MONTHS),
        member=st.sampled_from(MEMBERS),
    )
    def post(self, pair, amount, parts, month, member):
        debit, credit = pair
        amount = max(amount, parts)  # every part > 0

        def line(code, side, value):
            if code.endswith("S"):
                return LineDraft(code[:-1], side, value, "savings", member)
            return LineDraft(code, side, value)

        lines = tuple(
            [line(debit, Side.DEBIT, p) for p in allocate_by_weights(amount, [1] * parts)]
            + [line(credit, Side.CREDIT, amount)]
        )
        self.keys += 1
        key = f"k{self.keys}"
        kwargs = {"date": day_of(month), "memo": "Acak", "lines": lines, "idempotency_key": key}
        too_big = amount > 10**17
        self.ops["post_refused" if self.locked(month) or too_big else "post"] += 1
        if self.locked(month) or too_big:
            with pytest.raises(LedgerError):
                services.post(self.koperasi, actor=None, **kwargs)
            return
        entry = services.post(self.koperasi, actor=None, **kwargs)
        self.entries += 1
        assert entry.number == self.entries
        self.apply(lines, month)
        self.entry_months.add(month)
        self.posted.append((key, lines, month))
        # A retry with the same key and content returns the same entry, writes nothing.
        again = services.post(self.koperasi, actor=None, **kwargs)
        assert again.pk == entry.pk

    @rule(data=st.data(), month=st.sampled_from(MONTHS))
    def reverse(self, data, month):
        candidates = [p for p in self.posted if p[0] not in self.reversed]
        if not candidates:
            return
        key, lines, _period = data.draw(st.sampled_from(candidates))
        # Months close in order, so a run soon has most months locked: half the time a
        # reversal into a locked month moves to an open one, or no reversal is ever made.
        open_months = [m for m in MONTHS if not self.locked(m)]
        if self.locked(month) and open_months and data.draw(st.booleans()):
            month = data.draw(st.sampled_from(open_months))
        entry = JournalEntry.objects.get(koperasi=self.koperasi, idempotency_key=key)
        self.ops["reverse_refused" if self.locked(month) else "reverse"] += 1
        if self.locked(month):
            # Refused when proposed: the reversal's date is checked at once.
            with pytest.raises(LedgerError):
                services.propose_reversal(
                    entry, actor=self.bendahara, reason="Uji", date=day_of(month, 20)
                )
            return
        proposal = services.propose_reversal(
            entry, actor=self.bendahara, reason="Uji", date=day_of(month, 20)
        )
        services.approve_reversal(proposal, actor=self.ketua)
        self.entries += 1
        self.reversed.add(key)
        self.entry_months.add(month)
        self.apply([x.mirrored() for x in lines], month)

    @rule(month=st.sampled_from(MONTHS))
    def close(self, month):
        # Only months with an entry must be closed first (a year end without revenue or
        # expense posts no closing entry).
        earlier_open = [p for p in self.entry_months if p < month and p not in self.closed]
        self.ops["close_refused" if month in self.closed or earlier_open else "close"] += 1
        if month % 100 == 12 and not (month in self.closed or earlier_open):
            self.ops["year_end_close"] += 1
        if month in self.closed or earlier_open:
            with pytest.raises(LedgerError):
                services.propose_period_close(
                    self.koperasi, actor=self.bendahara, year=month // 100, month=month % 100
                )
            return
        proposal = services.propose_period_close(
            self.koperasi, actor=self.bendahara, year=month // 100, month=month % 100
        )
        services.approve_period_change(proposal, actor=self.ketua)
        proposal.refresh_from_db()
        if month % 100 == 12:
            result = 0
            for (code, period), value in list(self.net.items()):
                if period <= month and self.types[code] in ("pendapatan", "beban") and value:
                    result += value
            moved = {
                code
                for (code, period), value in self.net.items()
                if period <= month and self.types[code] in ("pendapatan", "beban")
            }
            totals = defaultdict(int)
            for (code, period), value in self.net.items():
                if code in moved and period <= month:
                    totals[code] += value
            for code, value in totals.items():
                self.net[(code, month)] -= value
            self.net[("3-9000", month)] += result
            if any(totals.values()):
                assert proposal.closing_entry is not None
                self.entries += 1
                self.entry_months.add(month)
        self.closed.add(month)

    @precondition(lambda self: bool(self.closed))
    @rule()
    def reopen_latest(self):
        if not self.closed:
            return
        month = max(self.closed)
        self.ops["reopen"] += 1
        proposal = services.propose_period_reopen(
            self.koperasi,
            actor=self.bendahara,
            year=month // 100,
            month=month % 100,
            reason="Koreksi",
        )
        services.approve_period_change(proposal, actor=self.ketua)
        self.closed.discard(month)

    # --- invariants ----------------------------------------------------------------------
    @invariant()
    def books_match_the_model_and_verify(self):
        rows = selectors.trial_balance(self.koperasi)
        actual = {r["code"]: r["debit"] - r["credit"] for r in rows}
        expected = defaultdict(int)
        for (code, _), value in self.net.items():
            expected[code] += value
        for code, value in actual.items():
            assert value == expected.get(code, 0), code
        assert sum(actual.values()) == 0  # trial balance
        by_type = defaultdict(int)
        for r in rows:
            by_type[r["type"]] += r["debit"] - r["credit"]
        assets = by_type["aset"]
        assert assets == -(by_type["kewajiban"] + by_type["ekuitas"]) - (
            by_type["pendapatan"] + by_type["beban"]
        )
        assert JournalEntry.objects.filter(koperasi=self.koperasi).count() == self.entries
        for result in verify_books(self.koperasi):
            assert result.ok, (result.name, result.problems)


@pytest.mark.django_db
@pytest.mark.slow
def test_random_operations_keep_the_books_balanced_and_verifiable():
    from django.db import connection

    Books.ops.clear()
    started = time.monotonic()
    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    histogram = dict(Books.ops)
    figures = {
        "test": "T6",
        "backend": "pg" if connection.vendor == "postgresql" else "sqlite",
        "seed": "derandomize",
        "metrics": {"ops": sum(histogram.values()), "violations": 0, "op_histogram": histogram},
        "duration_s": round(time.monotonic() - started, 1),
        "pass": True,
    }
    print(json.dumps(figures))
    for op in ("post", "post_refused", "reverse", "close", "close_refused", "reopen"):
        assert histogram.get(op, 0) >= 1, (op, histogram)
