"""``kopdes verify`` checks of the books: each recomputes from the journal lines.

Registered in ``LedgerConfig.ready()``. Each takes a Koperasi (or None for every koperasi)
and returns a ``CheckResult`` whose problems are ordered first difference first.

- ``ledger.chain``: numbers 1..N without gaps, prev_hash links, every hash recomputed,
  every entry balanced with its stored line count/total, lines agree with their entry's
  koperasi and date, accounts belong to the koperasi, reversals mirror their original;
- ``ledger.balances``: every stored monthly balance row (account and sub-ledger) equals
  the sums of the lines, and no lines lack a balance row;
- ``ledger.trial_balance``: total debits = total credits per koperasi;
- ``ledger.subledgers``: on each control account, the sub-ledger rows add up to the
  account's rows, and no line on a control account lacks its sub-ledger key;
- ``ledger.periods``: no entry was posted into a month after that month was closed;
- ``ledger.dates``: every entry is dated between the koperasi's books start and today
  (``domain.dates``; savings and loans check their movements against the opening).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import itertools
import json
import operator
import os
import pickle
import signal
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum

from kopdes.domain import dates
from kopdes.domain import ledger as rules
from kopdes.ledger.choices import EntryKind, PeriodStatus
from kopdes.ledger.models import (
    Account,
    AccountBalance,
    JournalEntry,
    JournalLine,
    Period,
    SubledgerBalance,
)
from kopdes.platform.core.verification import CheckResult, register

MAX_PROBLEMS = 50


def _koperasi_ids(koperasi) -> list:
    if koperasi is not None:
        return [koperasi.pk]
    # order_by(): without it the models' default ordering joins into the DISTINCT (28 s
    # per check over a million lines instead of one pass over an index).
    ids: set = set()
    for model in (JournalEntry, AccountBalance, JournalLine):
        ids |= set(model.objects.order_by().values_list("koperasi_id", flat=True).distinct())
    return sorted(ids, key=str)


def _add(result: CheckResult, problem: str) -> None:
    if len(result.problems) < MAX_PROBLEMS:
        result.problems.append(problem)


# One row per line (LEFT JOIN: an entry without lines still comes once), entries in
# ``number`` order. Raw rows, not ORM instances: a million entries would otherwise cost
# millions of model instances (see bench/ledger_reports.py, ledger_verify).
_CHAIN_SQL = (
    "SELECT e.id, e.number, e.date, e.period, e.memo, e.kind, e.source, e.source_ref, "
    "e.business_unit, e.idempotency_key, e.reverses_id, e.total_amount, e.line_count, "
    "e.posted_by_id, e.posted_at, e.prev_hash, e.hash, "
    "l.koperasi_id, l.line_no, l.account_id, l.side, l.amount, l.date, l.period, "
    "l.subledger_kind, l.subledger_ref, l.business_unit, l.memo "
    "FROM ledger_journalentry e LEFT JOIN ledger_journalline l ON l.entry_id = e.id "
    "WHERE e.koperasi_id = %s ORDER BY e.number"
)


@dataclass(frozen=True, slots=True)
class _Entry:
    id: uuid.UUID
    number: int
    date: dt.date
    period: int
    total_amount: int
    line_count: int
    prev_hash: str
    hash: str
    reverses_id: uuid.UUID | None
    posted: rules.PostedEntry


@dataclass(frozen=True, slots=True)
class _Line:
    koperasi_id: uuid.UUID
    line_no: int
    account_id: uuid.UUID
    side: str
    amount: int
    date: dt.date
    period: int
    subledger_kind: str
    subledger_ref: str


def _uuid(value) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


# Accounts and koperasi repeat on every line: convert each distinct value once.
_known_uuid = functools.lru_cache(maxsize=65536)(_uuid)
_known_text = functools.lru_cache(maxsize=65536)(str)


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _posted_at(value) -> str:
    """As ``services._prepare`` hashes it: UTC, ISO 8601 with offset."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite stores naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _make_entry(kid, head: tuple, rows: list[tuple]) -> tuple[_Entry, list[_Line]]:
    (entry_id, number, day, period, memo, kind, source, source_ref, unit, key, reverses,
     total, line_count, posted_by, posted_at, prev_hash, digest) = head  # fmt: skip
    entry_id, reverses, day = _uuid(entry_id), _uuid(reverses), _date(day)
    rows = sorted((r for r in rows if r[18] is not None), key=lambda r: r[18])
    lines = [
        _Line(
            _known_uuid(r[17]),
            r[18],
            _known_uuid(r[19]),
            r[20],
            r[21],
            _date(r[22]),
            r[23],
            r[24],
            r[25],
        )
        for r in rows
    ]
    posted = rules.PostedEntry(
        id=str(entry_id),
        koperasi_id=str(kid),
        number=number,
        date=day,
        memo=memo,
        source=source,
        source_ref=source_ref,
        business_unit=unit,
        idempotency_key=key,
        reverses_id=str(reverses or ""),
        kind=kind,
        posted_at=_posted_at(posted_at),
        posted_by=str(posted_by or ""),
        lines=[
            rules.PostedLine(
                line_no=x.line_no,
                account_id=_known_text(x.account_id),
                side=x.side,
                amount=x.amount,
                subledger_kind=x.subledger_kind,
                subledger_ref=x.subledger_ref,
                business_unit=r[26],
                memo=r[27],
            )
            for x, r in zip(lines, rows, strict=True)
        ],
    )
    entry = _Entry(
        entry_id, number, day, period, total, line_count, prev_hash, digest, reverses, posted
    )
    return entry, lines


def _entries_with_lines(kid) -> Iterator[tuple[_Entry, list[_Line]]]:
    """Entries in number order with their lines (by line number), streamed."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(_CHAIN_SQL, [_db_uuid(kid)])
        head = None
        rows: list[tuple] = []
        while batch := cursor.fetchmany(5000):
            for row in batch:
                if head is not None and row[0] != head[0]:
                    yield _make_entry(kid, head, rows)
                    rows = []
                head = row[:17]
                rows.append(row)
        if head is not None:
            yield _make_entry(kid, head, rows)


def _db_uuid(value) -> object:
    value = _uuid(value)
    return value if connection.features.has_native_uuid_field else value.hex


# The fast path reads every value in (or close to) the text form ``PostedEntry`` holds, so
# a row feeds ``rules.chain_hash_from_fields`` as it comes: no model, dataclass, UUID or
# date object per row (Django's SQLite date converters alone cost more than the hashing).
def _fast_sql() -> tuple[str, str]:
    """Queries of one koperasi's entries numbered in (lo, hi]: the entries, and the lines
    joined to their entry, both in ``number`` order."""
    if connection.vendor == "postgresql":
        day, posted_at = "to_char(e.date, 'YYYY-MM-DD')", "e.posted_at"
    else:
        # CAST: no declared type, so no converter. SQLite stores naive UTC
        # "YYYY-MM-DD HH:MM:SS[.ffffff]"; the hash has ISO 8601 with the offset.
        day, posted_at = "CAST(e.date AS TEXT)", "replace(e.posted_at, ' ', 'T') || '+00:00'"
    entries = (
        f"SELECT e.id, e.number, {day}, e.memo, e.source, e.source_ref, "  # noqa: S608 (constant fragments)
        "e.business_unit, e.idempotency_key, e.reverses_id, "
        f"e.kind, {posted_at}, COALESCE(CAST(e.posted_by_id AS TEXT), ''), "
        "e.period, e.total_amount, e.line_count, e.prev_hash, e.hash "
        "FROM ledger_journalentry e WHERE e.koperasi_id = %s AND e.number > %s "
        "AND e.number <= %s ORDER BY e.number"
    )
    # A line joins its entry by entry_id alone, so a line moved to another koperasi (or
    # given another date) still shows up here, flagged by the last-but-one column:
    # 0 another koperasi, 2 another date or month, 1 as its entry.
    joined = (
        "SELECT l.line_no, l.account_id, l.side, l.amount, "
        "l.subledger_kind, l.subledger_ref, l.business_unit, l.memo, "
        "CASE WHEN l.koperasi_id <> e.koperasi_id THEN 0 WHEN l.date = e.date "
        "AND l.period = e.period THEN 1 ELSE 2 END, e.number "
        "FROM ledger_journalentry e JOIN ledger_journalline l ON l.entry_id = e.id "
        "WHERE e.koperasi_id = %s AND e.number > %s AND e.number <= %s ORDER BY e.number"
    )
    return entries, joined


def _json_text(raw) -> str:
    return json.dumps(_id_text(raw), ensure_ascii=False)


class _AccountJson(dict):
    """Stored account id -> its JSON text in the hash; an id not seen before (an account of
    another koperasi) is converted when first met."""

    def __missing__(self, raw) -> str:
        text = self[raw] = _json_text(raw)
        return text


_NUMBER = operator.itemgetter(9)


def _joined_groups(entry_rows, line_rows):
    """(entry row, its line rows) from the entries and the joined-lines queries, grouped in
    C (``groupby``). A line row is (line_no, account id as stored, side, amount,
    subledger_kind, subledger_ref, business_unit, memo, koperasi/date flag, number)."""
    groups = itertools.groupby(line_rows, key=_NUMBER)
    pending = next(groups, None)
    for row in entry_rows:
        number = row[1]
        while pending is not None and pending[0] < number:  # only across snapshots
            pending = next(groups, None)
        if pending is not None and pending[0] == number:
            yield row, list(pending[1])
            pending = next(groups, None)
        else:
            yield row, []


def _id_text(value) -> str:
    """A stored UUID as ``str(uuid.UUID(...))`` (SQLite: 32 hex digits; PostgreSQL: UUID)."""
    if value is None:
        return ""
    if value.__class__ is str and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(_uuid(value))


FETCH = 20_000


def _stream(cursor) -> Iterator[tuple]:
    while batch := cursor.fetchmany(FETCH):
        yield from batch


def _reference_hash(kid, number: int, prev_hash: str) -> str:
    """The entry's hash the slow, obviously right way (``PostedEntry`` + ``chain_hash``).

    Asked only when the fast path disagrees with the stored hash, so a stored value in an
    unusual but equivalent text form (say, a datetime with ``.000000``) is not reported.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _CHAIN_SQL.replace("ORDER BY", "AND e.number = %s ORDER BY"),
            [_db_uuid(kid), number],
        )
        rows = cursor.fetchall()
    if not rows:
        return ""
    entry, _lines = _make_entry(kid, rows[0][:17], rows)
    return rules.chain_hash(prev_hash, entry.posted)


def _period_of_text(day) -> int:
    return rules.period_of(_date(day))


def _line_problems(add, where: str, lines: list, owned: set) -> None:
    for x in sorted(lines, key=lambda x: x[0]):
        if x[8] != 1:
            add(f"{where} line {x[0]}: koperasi/date differs from entry")
        if x[1] not in owned:
            add(f"{where} line {x[0]}: account of another koperasi")


@dataclass
class _Part:
    """What one pass over a range of entry numbers found (picklable: a child sends it)."""

    problems: list[str]
    checked: int = 0
    own_lines: int = 0  # lines reached by the join that carry this koperasi
    signatures: dict = field(default_factory=dict)
    reversals: list = field(default_factory=list)  # (number, entry id, reversed id)


# Numbers are bigint: (_LOWEST, _HIGHEST] is every entry.
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1


def _chain_part(
    kid, lo: int, hi: int, *, expected_number: int, prev_hash: str, on_open=None
) -> _Part:
    """Walk the entries numbered in (lo, hi] from the given link state; lines as
    ``_joined_groups`` gives them. ``on_open`` is called once the queries run (on SQLite:
    inside their read snapshot)."""
    part = _Part(problems=[])
    problems = part.problems

    def add(problem: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(problem)

    kid_text = str(kid)
    param = _db_uuid(kid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM ledger_account WHERE koperasi_id = %s", [param])
        # Ids as the lines query returns them; each one's text as the hash quotes it.
        owned = {row[0] for row in cursor.fetchall()}
    account_json = _AccountJson((raw, _json_text(raw)) for raw in owned)
    # Signatures only of the entries a reversal mentions (not a million of them).
    reversed_ids = {
        str(pk)
        for pk in JournalEntry.objects.filter(koperasi_id=kid, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    }
    hash_of = rules.chain_hash_from_fields
    native_posted_at = connection.vendor == "postgresql"
    periods: dict = {}
    signatures = part.signatures
    reversals = part.reversals
    checked = 0
    entries_sql, joined_sql = _fast_sql()
    joined = foreign = 0
    # Cursors open together: on SQLite they (and ``on_open``'s queries) share one read
    # snapshot, so a posting made meanwhile cannot show up as a difference.
    with connection.chunked_cursor() as entry_cursor, connection.chunked_cursor() as line_cursor:
        entry_cursor.execute(entries_sql, [param, lo, hi])
        line_cursor.execute(joined_sql, [param, lo, hi])
        if on_open is not None:
            on_open()
        groups = _joined_groups(_stream(entry_cursor), _stream(line_cursor))
        # Millions of short-lived tuples and no reference cycles: the cyclic collector
        # would only rescan the survivors again and again (about 15% of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for row, lines in groups:
                checked += 1
                number = row[1]
                entry_id, reverses = _id_text(row[0]), _id_text(row[8])
                posted_at = _posted_at(row[10]) if native_posted_at else row[10]
                head = (entry_id, number, *row[2:8], reverses, row[9], posted_at, row[11])
                period, total, line_count, stored_prev, digest = row[12:17]
                if number != expected_number:
                    add(
                        f"koperasi {kid} entry {number}: expected number {expected_number} "
                        "(gap or duplicate)"
                    )
                expected_number = number + 1
                if stored_prev != prev_hash:
                    add(
                        f"koperasi {kid} entry {number}: prev_hash does not link to the "
                        "previous entry"
                    )
                if (
                    hash_of(stored_prev, kid_text, head, lines, account_json) != digest
                    and len(problems) < MAX_PROBLEMS
                    and _reference_hash(kid, number, stored_prev) != digest
                ):
                    add(
                        f"koperasi {kid} entry {number}: hash does not match its content (tampered)"
                    )
                prev_hash = digest
                day = row[2]
                expected_period = periods.get(day)
                if expected_period is None:
                    expected_period = periods[day] = _period_of_text(day)
                if expected_period != period:
                    add(f"koperasi {kid} entry {number}: period {period} does not match date {day}")
                debit = credit = 0
                odd = False
                for x in lines:
                    side, amount = x[2], x[3]
                    if side == "D":
                        debit += amount
                    elif side == "C":
                        credit += amount
                    if amount <= 0 or x[8] != 1 or x[1] not in owned:
                        odd = True
                count = len(lines)
                joined += count
                if (
                    count < 2
                    or count != line_count
                    or debit != credit
                    or debit != total
                    or (odd and any(x[3] <= 0 for x in lines))
                ):
                    add(
                        f"koperasi {kid} entry {number}: unbalanced or incomplete (lines "
                        f"{count}/{line_count}, debit {debit}, credit {credit}, total {total})"
                    )
                if odd:
                    foreign += sum(1 for x in lines if not x[8])
                    _line_problems(add, f"koperasi {kid} entry {number}", lines, owned)
                if reverses or entry_id in reversed_ids:
                    signatures[entry_id] = sorted((x[1], x[2], x[3], x[4], x[5]) for x in lines)
                if reverses:
                    reversals.append((number, entry_id, reverses))
        finally:
            if collecting:
                gc.enable()
    part.checked = checked
    part.own_lines = joined - foreign
    return part


# Over this many entries, SQLite checks the upper half of the numbers in a forked child
# process (2 CPUs: about half the time). The chain is checkable per range given the link
# state at its start: the number and hash of the last entry before it.
PARALLEL_MIN_ENTRIES = 200_000


def _can_fork() -> bool:
    settings = connection.settings_dict
    name = str(settings.get("NAME") or "")
    return (
        connection.vendor == "sqlite"
        and hasattr(os, "fork")
        and (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1  # forking a threaded process is unsafe
        and not connection.in_atomic_block  # a child could not see uncommitted rows
        and not connection.is_in_memory_db()
        and "mode=memory" not in name
    )


def _link_state(kid, before: int) -> tuple[int, str]:
    """(expected number, prev_hash) of a sequential walk just after entry ``before``."""
    row = (
        JournalEntry.objects.filter(koperasi_id=kid, number__lte=before)
        .order_by("-number")
        .values_list("number", "hash")
        .first()
    )
    return (row[0] + 1, row[1]) if row else (1, rules.GENESIS_HASH)


_INHERITED: list = []


def _child_part(kid, lo: int, hi: int) -> _Part:
    expected_number, prev_hash = _link_state(kid, lo)
    return _chain_part(kid, lo, hi, expected_number=expected_number, prev_hash=prev_hash)


def _fork(fn, *args) -> tuple[int, int]:
    """Run ``fn(*args)`` in a forked child; (pid, fd to read its pickled result from)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            os.close(read_fd)
            # The inherited connection belongs to the parent (its statements may be open):
            # never use or close it here; keep a reference so it is not finalised, and
            # let Django open our own.
            _INHERITED.append(connection.connection)
            connection.connection = None
            payload = pickle.dumps(("ok", fn(*args)))
        except BaseException as exc:  # reported to the parent, which redoes the range
            payload, code = pickle.dumps(("error", repr(exc))), 1
        try:
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, read_fd: int):
    """The child's result, or None if it failed (the caller then does the work itself)."""
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()
    os.waitpid(pid, 0)
    try:
        status, value = pickle.loads(payload)  # noqa: S301 (our own child's bytes)
    except Exception:
        return None
    return value if status == "ok" else None


def _check_chain_of(result: CheckResult, kid) -> None:
    """Walk one koperasi's chain, the upper half in a child process when it is big."""
    sqlite = connection.vendor == "sqlite"
    state: dict = {}

    def on_open() -> None:
        # Inside the parent's read snapshot: the line count for the orphan check, the
        # last number (the child's range ends there), then the child itself.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM ledger_journalline WHERE koperasi_id = %s",
                [_db_uuid(kid)],
            )
            state["lines"] = cursor.fetchone()[0]
            if "split" in state:
                cursor.execute(
                    "SELECT MAX(number) FROM ledger_journalentry WHERE koperasi_id = %s",
                    [_db_uuid(kid)],
                )
                state["last"] = cursor.fetchone()[0] or 0
                state["child"] = _fork(_child_part, kid, state["split"], state["last"])

    if _can_fork():
        last = JournalEntry.objects.filter(koperasi_id=kid).order_by("-number").first()
        if last is not None and last.number >= PARALLEL_MIN_ENTRIES:
            state["split"] = last.number // 2
    try:
        parts = [
            _chain_part(
                kid,
                _LOWEST,
                state.get("split", _HIGHEST),
                expected_number=1,
                prev_hash=rules.GENESIS_HASH,
                on_open=on_open if sqlite else None,
            )
        ]
    except BaseException:
        if "child" in state:
            os.kill(state["child"][0], signal.SIGKILL)
            _collect(*state["child"])
        raise
    if "child" in state:
        upper = _collect(*state["child"])
        if upper is None:  # the child failed: walk its range here
            expected_number, prev_hash = _link_state(kid, state["split"])
            upper = _chain_part(
                kid,
                state["split"],
                state["last"],
                expected_number=expected_number,
                prev_hash=prev_hash,
            )
        parts.append(upper)
    signatures: dict = {}
    for part in parts:
        result.checked += part.checked
        for problem in part.problems:
            _add(result, problem)
        signatures.update(part.signatures)
    for part in parts:
        for number, entry_id, reverses in part.reversals:
            original = signatures.get(reverses)
            mirror = sorted(
                (a, "C" if s == "D" else "D", amt, k, r) for a, s, amt, k, r in signatures[entry_id]
            )
            if original is None or original != mirror:
                _add(result, f"koperasi {kid} entry {number}: does not mirror what it reverses")
    if sqlite:
        # Every line names one entry: the koperasi's lines the join did not reach are the
        # ones without an entry of this koperasi (same snapshot, so exact).
        orphan_lines = state["lines"] - sum(part.own_lines for part in parts)
    else:
        # NOT EXISTS probes the entry's primary key per line (no million-id temporary set).
        orphan_lines = (
            JournalLine.objects.filter(koperasi_id=kid)
            .exclude(Exists(JournalEntry.objects.filter(pk=OuterRef("entry_id"), koperasi_id=kid)))
            .count()
        )
    if orphan_lines:
        _add(result, f"koperasi {kid}: {orphan_lines} lines without an entry of this koperasi")


@register("ledger.chain")
def check_chain(koperasi=None) -> CheckResult:
    result = CheckResult("rantai jurnal", unit="jurnal")
    for kid in _koperasi_ids(koperasi):
        _check_chain_of(result, kid)
    return result


# SQLite: read the koperasi's lines along the unique (koperasi, entry, line_no) index
# (entry ids are UUIDv7, so that is posting order and the row reads go forward), then
# group. Left alone, the planner walks an (account, ...) index for the GROUP BY and jumps
# across the whole table once per line (34 s of the first 1M-entry run). PostgreSQL
# hash-aggregates a plain scan anyway.
_SQLITE_ACCOUNT_SUMS = (
    "SELECT account_id, business_unit, period, side, SUM(amount) FROM ("
    "SELECT account_id, business_unit, period, side, amount FROM ledger_journalline "
    "WHERE koperasi_id = %s ORDER BY entry_id, line_no) "
    "GROUP BY account_id, business_unit, period, side"
)


def _line_sums(kid, keys: list[str]) -> dict[tuple, tuple[int, int]]:
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    if connection.vendor == "sqlite" and keys == ["account_id", "business_unit", "period"]:
        with connection.cursor() as cursor:
            cursor.execute(_SQLITE_ACCOUNT_SUMS, [_db_uuid(kid)])
            for account, unit, period, side, total in cursor.fetchall():
                out[(_uuid(account), unit, period)][0 if side == "D" else 1] += total
        return {k: (v[0], v[1]) for k, v in out.items()}
    qs = JournalLine.objects.filter(koperasi_id=kid)
    if "subledger_kind" in keys:
        # "> ''" rather than "<> ''": the same rows (nothing sorts below the empty string),
        # but an index range on (koperasi, subledger_kind, ...) instead of a full scan.
        qs = qs.filter(subledger_kind__gt="")
    for row in qs.values(*keys, "side").annotate(total=Sum("amount")).order_by():
        key = tuple(row[k] for k in keys)
        out[key][0 if row["side"] == "D" else 1] += row["total"]
    return {k: (v[0], v[1]) for k, v in out.items()}


@register("ledger.balances")
def check_balances(koperasi=None) -> CheckResult:
    result = CheckResult("saldo bulanan akun", unit="saldo")
    for kid in _koperasi_ids(koperasi):
        for model, keys in (
            (AccountBalance, ["account_id", "business_unit", "period"]),
            (SubledgerBalance, ["account_id", "subledger_kind", "subledger_ref", "period"]),
        ):
            expected = _line_sums(kid, keys)
            stored = {
                tuple(row[k] for k in keys): (row["debit_total"], row["credit_total"])
                for row in model.objects.filter(koperasi_id=kid).values(
                    *keys, "debit_total", "credit_total"
                )
            }
            for key in sorted(set(expected) | set(stored), key=lambda k: (k[-1], str(k))):
                result.checked += 1
                want = expected.get(key, (0, 0))
                have = stored.get(key, (0, 0))
                if want != have:
                    _add(
                        result,
                        f"koperasi {kid} {model.__name__} {key}: stored debit/credit {have}, "
                        f"lines say {want}",
                    )
    return result


@register("ledger.trial_balance")
def check_trial_balance(koperasi=None) -> CheckResult:
    result = CheckResult("neraca saldo", unit="koperasi")
    for kid in _koperasi_ids(koperasi):
        result.checked += 1
        agg = AccountBalance.objects.filter(koperasi_id=kid).aggregate(
            d=Sum("debit_total"), c=Sum("credit_total")
        )
        sides = JournalLine.objects.filter(koperasi_id=kid).aggregate(
            d=Sum("amount", filter=Q(side="D")), c=Sum("amount", filter=Q(side="C"))
        )
        lines_d, lines_c = sides["d"] or 0, sides["c"] or 0
        if (agg["d"] or 0) != (agg["c"] or 0):
            _add(result, f"koperasi {kid}: balances debit {agg['d']} != credit {agg['c']}")
        if lines_d != lines_c:
            _add(result, f"koperasi {kid}: lines debit {lines_d} != credit {lines_c}")
    return result


@register("ledger.subledgers")
def check_subledgers(koperasi=None) -> CheckResult:
    result = CheckResult("buku pembantu = akun kontrol", unit="akun kontrol")
    for kid in _koperasi_ids(koperasi):
        controls = Account.objects.filter(koperasi_id=kid).exclude(subledger_kind="")
        for account in controls.order_by("code"):
            result.checked += 1
            gl = AccountBalance.objects.filter(koperasi_id=kid, account=account).aggregate(
                d=Sum("debit_total"), c=Sum("credit_total")
            )
            sl = SubledgerBalance.objects.filter(koperasi_id=kid, account=account).aggregate(
                d=Sum("debit_total"), c=Sum("credit_total")
            )
            if ((gl["d"] or 0), (gl["c"] or 0)) != ((sl["d"] or 0), (sl["c"] or 0)):
                _add(
                    result,
                    f"koperasi {kid} account {account.code}: control {gl['d']}/{gl['c']} != "
                    f"sub-ledgers {sl['d']}/{sl['c']}",
                )
            missing = (
                JournalLine.objects.filter(koperasi_id=kid, account=account)
                .filter(subledger_ref="")
                .count()
            )
            if missing:
                _add(
                    result,
                    f"koperasi {kid} account {account.code}: {missing} lines without sub-ledger",
                )
        stray = JournalLine.objects.filter(
            koperasi_id=kid, account__subledger_kind="", subledger_kind__gt=""
        ).count()  # "> ''": see _line_sums
        if stray:
            _add(result, f"koperasi {kid}: {stray} sub-ledger lines on non-control accounts")
    return result


@register("ledger.periods")
def check_periods(koperasi=None) -> CheckResult:
    result = CheckResult("periode tutup buku", unit="periode")
    for kid in _koperasi_ids(koperasi):
        for period in Period.objects.filter(koperasi_id=kid, status=PeriodStatus.CLOSED):
            result.checked += 1
            late = (
                JournalEntry.objects.filter(
                    koperasi_id=kid, period=period.period, posted_at__gt=period.changed_at
                )
                .exclude(kind=EntryKind.CLOSING)
                .order_by("number")
                .values_list("number", flat=True)
                .first()
            )
            if late is not None:
                _add(result, f"koperasi {kid} entry {late}: posted into {period} after its close")
    return result


@register("ledger.dates")
def check_dates(koperasi=None) -> CheckResult:
    """Every entry dated inside the koperasi's bounds (``domain.dates``): not before its
    books start (nor 2000-01-01), not after today in its time zone (nor 2199-12-31)."""
    from kopdes.platform.tenancy.models import Koperasi

    result = CheckResult("tanggal jurnal dalam batas pembukuan", unit="jurnal")
    for kid in _koperasi_ids(koperasi):
        kop = Koperasi.objects.filter(pk=kid).first()
        if kop is None:
            continue
        first = max(kop.books_start, dates.MIN_DATE)
        last = min(kop.today(), dates.MAX_DATE)
        entries = JournalEntry.objects.filter(koperasi_id=kid)
        result.checked += entries.count()
        outside = (
            entries.filter(Q(date__lt=first) | Q(date__gt=last))
            .order_by("number")
            .values_list("number", "date")[:MAX_PROBLEMS]
        )
        for number, day in outside:
            why = "sebelum awal pembukuan" if day < first else "setelah hari ini"
            _add(
                result,
                f"koperasi {kop.slug} jurnal {number}: tanggal {day.isoformat()} {why} "
                f"(batas {first.isoformat()} sampai {last.isoformat()})",
            )
    return result


LEDGER_CHECKS = (
    "ledger.chain",
    "ledger.balances",
    "ledger.trial_balance",
    "ledger.subledgers",
    "ledger.periods",
    "ledger.dates",
)


def verify_books(koperasi=None) -> list[CheckResult]:
    """Run the ledger's own checks (what ``kopdes verify`` runs for the books)."""
    return [
        check_chain(koperasi),
        check_balances(koperasi),
        check_trial_balance(koperasi),
        check_subledgers(koperasi),
        check_periods(koperasi),
        check_dates(koperasi),
    ]
