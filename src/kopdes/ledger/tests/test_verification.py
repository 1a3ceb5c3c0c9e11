"""``kopdes verify`` of the books: the fast hashing path is byte-identical to the reference
``canonical_entry``, real postings verify through it, and tampering is still reported.

The tamper matrix itself lives in ``test_database_guards.py``; these tests pin what the
fast path (issue 3: a million entries in under a minute) must not change.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain import ledger as rules
from kopdes.domain.ledger import LineDraft, PostedEntry, PostedLine
from kopdes.ledger import services, verification
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.tests.dbtools import db_id, guards_off

# Any text a database can hold: every code point but the surrogates (and NUL, which
# PostgreSQL refuses); control characters, quotes, backslashes, U+2028 and emoji included.
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
MOSTLY_EMPTY = st.one_of(st.just(""), TEXT)  # both the plain-line and the full format
IDS = st.uuids().map(str)
INTS = st.integers(min_value=0, max_value=10**18)


@st.composite
def posted_entries(draw) -> PostedEntry:
    lines = [
        PostedLine(
            line_no=n,
            account_id=draw(IDS),
            side=draw(st.sampled_from(["D", "C"])),
            amount=draw(INTS),
            subledger_kind=draw(MOSTLY_EMPTY),
            subledger_ref=draw(MOSTLY_EMPTY),
            business_unit=draw(MOSTLY_EMPTY),
            memo=draw(MOSTLY_EMPTY),
        )
        for n in draw(st.permutations(range(1, draw(st.integers(0, 6)) + 1)))
    ]
    return PostedEntry(
        id=draw(IDS),
        koperasi_id=draw(IDS),
        number=draw(INTS),
        date=draw(st.dates()),
        memo=draw(TEXT),
        source=draw(TEXT),
        source_ref=draw(TEXT),
        business_unit=draw(TEXT),
        idempotency_key=draw(TEXT),
        reverses_id=draw(st.one_of(st.just(""), IDS)),
        kind=draw(TEXT),
        lines=lines,
        posted_at=draw(st.datetimes(timezones=st.just(dt.UTC)).map(dt.datetime.isoformat)),
        posted_by=draw(st.one_of(st.just(""), st.integers(1, 10**9).map(str))),
    )


def as_fields(entry: PostedEntry) -> tuple[tuple, list[tuple]]:
    head = (
        entry.id, entry.number, entry.date.isoformat(), entry.memo, entry.source,
        entry.source_ref, entry.business_unit, entry.idempotency_key, entry.reverses_id,
        entry.kind, entry.posted_at, entry.posted_by, "extra columns are ignored",
    )  # fmt: skip
    lines = [
        (x.line_no, x.account_id, x.side, x.amount, x.subledger_kind, x.subledger_ref,
         x.business_unit, x.memo, "ignored")
        for x in entry.lines
    ]  # fmt: skip
    return head, lines


@settings(max_examples=500, derandomize=True)
@given(posted_entries(), st.text("0123456789abcdef", min_size=64, max_size=64))
def test_fast_canonical_form_is_byte_identical_to_canonical_entry(entry, prev):
    head, lines = as_fields(entry)
    assert rules.canonical_from_fields(entry.koperasi_id, head, lines) == rules.canonical_entry(
        entry
    )
    assert rules.chain_hash_from_fields(prev, entry.koperasi_id, head, lines) == rules.chain_hash(
        prev, entry
    )
    # Accounts as stored (here: upper-case hex) with their JSON text looked up.
    stored = [(x[0], uuid.UUID(x[1]).hex.upper(), *x[2:]) for x in lines]
    account_json = {uuid.UUID(x[1]).hex.upper(): json.dumps(x[1]) for x in lines}
    assert rules.canonical_from_fields(
        entry.koperasi_id, head, stored, account_json
    ) == rules.canonical_entry(entry)


@settings(max_examples=200, derandomize=True)
@given(st.uuids())
def test_stored_uuid_text_is_what_uuid_gives(value):
    assert verification._id_text(value.hex) == str(value)
    assert verification._id_text(value) == str(value)
    assert verification._id_text(None) == ""


@pytest.fixture
def books(koperasi):
    with_books(koperasi)
    for n in range(1, 6):
        post_simple(koperasi, n * 1_000_00, date=dt.date(2026, 1, n), memo=f'Setoran "{n}" ☕\n')
    services.post(
        koperasi,
        actor=None,
        date=dt.date(2026, 1, 20),
        memo="Setoran anggota",
        idempotency_key="sl",
        lines=[
            LineDraft.debit("1-1100", 10_00),
            LineDraft.credit("2-1100", 10_00, subledger_kind="savings", subledger_ref="m1"),
        ],
    )
    return koperasi


def slow_path_forbidden(*args):
    raise AssertionError("the fast hash disagreed with a hash the posting service stored")


pytestmark = pytest.mark.django_db


def test_posted_entries_verify_on_the_fast_path_alone(books, monkeypatch):
    monkeypatch.setattr(verification, "_reference_hash", slow_path_forbidden)
    entry = JournalEntry.objects.filter(koperasi=books).order_by("number").first()
    proposal_free_reversal = services.post(
        books,
        actor=None,
        date=entry.date,
        memo="Balik",
        idempotency_key="r1",
        lines=[
            LineDraft.credit("1-1100", entry.total_amount),
            LineDraft.debit("3-2000", entry.total_amount),
        ],
        kind="reversal",
        reverses=entry,
    )
    assert proposal_free_reversal.number == 7
    for result in verification.verify_books(books):
        assert result.ok, result.problems
    assert verification.check_chain(books).checked == 7


def test_a_tampered_memo_is_confirmed_by_the_reference_hash_and_reported(books, monkeypatch):
    calls = []
    reference = verification._reference_hash
    monkeypatch.setattr(
        verification, "_reference_hash", lambda *a: calls.append(a[1]) or reference(*a)
    )
    entry = JournalEntry.objects.get(koperasi=books, number=4)
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalentry SET memo = 'ubah' WHERE id = %s", [db_id(entry.id)]
        )
    result = verification.check_chain(books)
    assert result.problems == [
        f"koperasi {books.pk} entry 4: hash does not match its content (tampered)"
    ]
    assert calls == [4]


def test_an_unusual_but_equal_stored_form_is_not_reported(books):
    """The same instant spelled with its offset is no tamper (the reference hash decides)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps timestamps natively, there is no text form")
    entry = JournalEntry.objects.get(koperasi=books, number=2)
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalentry SET posted_at = posted_at || '+00:00' WHERE id = %s",
            [db_id(entry.id)],
        )
        cursor.execute(
            "SELECT CAST(posted_at AS TEXT) FROM ledger_journalentry WHERE id = %s",
            [db_id(entry.id)],
        )
        assert cursor.fetchone()[0].endswith("+00:00")
    assert verification.check_chain(books).ok
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalentry SET posted_at = '2026-01-02 00:00:00' WHERE id = %s",
            [db_id(entry.id)],
        )
    assert not verification.check_chain(books).ok


def test_line_moved_to_another_koperasi_is_reported_as_such(books, other_koperasi):
    with_books(other_koperasi)
    line = JournalLine.objects.filter(koperasi=books, entry__number=3, line_no=2).get()
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalline SET koperasi_id = %s WHERE id = %s",
            [db_id(other_koperasi.id), db_id(line.id)],
        )
    problems = verification.check_chain(books).problems
    assert problems == [f"koperasi {books.pk} entry 3 line 2: koperasi/date differs from entry"]
    other = verification.check_chain(other_koperasi).problems
    assert other == [f"koperasi {other_koperasi.pk}: 1 lines without an entry of this koperasi"]


def test_a_reversal_that_does_not_mirror_is_reported(books):
    entry = JournalEntry.objects.get(koperasi=books, number=2)
    reversal = services.post(
        books,
        actor=None,
        date=entry.date,
        memo="Balik",
        idempotency_key="r1",
        lines=[
            LineDraft.credit("1-1100", entry.total_amount),
            LineDraft.debit("3-2000", entry.total_amount),
        ],
        kind="reversal",
        reverses=entry,
    )
    assert verification.check_chain(books).ok
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalentry SET reverses_id = %s WHERE id = %s",
            [db_id(JournalEntry.objects.get(koperasi=books, number=3).id), db_id(reversal.id)],
        )
    problems = verification.check_chain(books).problems
    assert f"koperasi {books.pk} entry 7: does not mirror what it reverses" in problems


def test_line_of_a_foreign_account_and_a_wrong_period_are_reported(books, other_koperasi):
    from kopdes.ledger.models import Account

    with_books(other_koperasi)
    entry = JournalEntry.objects.get(koperasi=books, number=5)
    stranger = Account.objects.get(koperasi=other_koperasi, code="1-1100").id
    with guards_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalline SET account_id = %s WHERE entry_id = %s AND line_no = 1",
            [db_id(stranger), db_id(entry.id)],
        )
        cursor.execute(
            "UPDATE ledger_journalentry SET period = 202602 WHERE id = %s", [db_id(entry.id)]
        )
        cursor.execute(
            "UPDATE ledger_journalline SET period = 202602 WHERE entry_id = %s",
            [db_id(entry.id)],
        )
    problems = verification.check_chain(books).problems
    where = f"koperasi {books.pk} entry 5"
    assert problems[0] == f"{where}: hash does not match its content (tampered)"
    assert f"{where}: period 202602 does not match date 2026-01-05" in problems
    assert f"{where} line 1: account of another koperasi" in problems


# The forked half runs only outside a transaction on a SQLite file, so it is exercised in
# a separate process on a scratch database, against the single-process walk.
PARALLEL_SCRIPT = r"""
import datetime as dt, json, django
django.setup()
from django.db import connection
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services, verification
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.tests.dbtools import db_id, guards_off
from kopdes.platform.core.testing import make_koperasi

koperasi = with_books(make_koperasi("paralel"))
for n in range(1, 41):
    post_simple(koperasi, n * 100, date=dt.date(2026, 1, 1 + n % 28), memo=f"uji {n}")
second = JournalEntry.objects.get(koperasi=koperasi, number=2)
services.post(
    koperasi, actor=None, date=second.date, memo="Balik", idempotency_key="balik",
    lines=[LineDraft.credit("1-1100", second.total_amount),
           LineDraft.debit("3-2000", second.total_amount)],
    kind="reversal", reverses=second,
)

def both():
    verification.PARALLEL_MIN_ENTRIES = 10
    assert verification._can_fork()
    forked = verification.check_chain(koperasi)
    verification.PARALLEL_MIN_ENTRIES = 10**9
    alone = verification.check_chain(koperasi)
    return [forked.checked, forked.problems, alone.checked, alone.problems]

out = {"clean": both()}
ids = {e.number: db_id(e.id) for e in JournalEntry.objects.filter(koperasi=koperasi)}
with guards_off(), connection.cursor() as cursor:
    cursor.execute("UPDATE ledger_journalentry SET memo = 'ubah' WHERE id = %s", [ids[30]])
    cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s AND line_no = 2", [ids[5]])
    cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [ids[21]])
    cursor.execute("DELETE FROM ledger_journalentry WHERE id = %s", [ids[21]])
out["tampered"] = both()
print(json.dumps(out))
"""


def test_the_forked_upper_half_finds_what_one_process_finds(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[4]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kopdes.sqlite3'}",
        "KOPDES_VAR_DIR": str(tmp_path / "var"),
        "KOPDES_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "kopdes.config.settings",
        "PYTHONPATH": str(root / "src"),
    }
    for argv in (["-m", "kopdes", "migrate", "-v0"], ["-c", PARALLEL_SCRIPT]):
        done = subprocess.run(
            [sys.executable, *argv], env=env, cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    forked_checked, forked, alone_checked, alone = out["clean"]
    assert (forked_checked, forked) == (alone_checked, alone) == (41, [])
    forked_checked, forked, alone_checked, alone = out["tampered"]
    assert (forked_checked, forked) == (alone_checked, alone)
    assert forked_checked == 40
    assert [p.split(": ", 1)[0].rsplit(" ", 1)[-1] for p in forked] == ["5", "5", "22", "22", "30"]
