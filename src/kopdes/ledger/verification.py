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
- ``ledger.periods``: no entry was posted into a month after that month was closed.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Sum

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
    ids = set(JournalEntry.objects.values_list("koperasi_id", flat=True).distinct())
    ids |= set(AccountBalance.objects.values_list("koperasi_id", flat=True).distinct())
    ids |= set(JournalLine.objects.values_list("koperasi_id", flat=True).distinct())
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
    """As ``services.posted_entry`` renders it: UTC, ISO 8601 with offset."""
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


@register("ledger.chain")
def check_chain(koperasi=None) -> CheckResult:
    result = CheckResult("rantai jurnal", unit="jurnal")
    for kid in _koperasi_ids(koperasi):
        account_owner = dict(
            Account.objects.values_list("id", "koperasi_id").filter(koperasi_id=kid)
        )
        expected_number = 1
        prev_hash = rules.GENESIS_HASH
        reversals: list[_Entry] = []
        signatures: dict = {}
        # Signatures only of the entries a reversal mentions (not a million of them).
        reversed_ids = set(
            JournalEntry.objects.filter(koperasi_id=kid, reverses__isnull=False).values_list(
                "reverses_id", flat=True
            )
        )
        for entry, lines in _entries_with_lines(kid):
            result.checked += 1
            where = f"koperasi {kid} entry {entry.number}"
            if entry.number != expected_number:
                _add(result, f"{where}: expected number {expected_number} (gap or duplicate)")
            expected_number = entry.number + 1
            if entry.prev_hash != prev_hash:
                _add(result, f"{where}: prev_hash does not link to the previous entry")
            recomputed = rules.chain_hash(entry.prev_hash, entry.posted)
            if recomputed != entry.hash:
                _add(result, f"{where}: hash does not match its content (tampered)")
            prev_hash = entry.hash
            if rules.period_of(entry.date) != entry.period:
                _add(result, f"{where}: period {entry.period} does not match date {entry.date}")
            debit = sum(x.amount for x in lines if x.side == "D")
            credit = sum(x.amount for x in lines if x.side == "C")
            if (
                len(lines) < 2
                or len(lines) != entry.line_count
                or debit != credit
                or debit != entry.total_amount
                or any(x.amount <= 0 for x in lines)
            ):
                _add(
                    result,
                    f"{where}: unbalanced or incomplete (lines {len(lines)}/{entry.line_count}, "
                    f"debit {debit}, credit {credit}, total {entry.total_amount})",
                )
            for x in lines:
                if x.koperasi_id != kid or x.date != entry.date or x.period != entry.period:
                    _add(result, f"{where} line {x.line_no}: koperasi/date differs from entry")
                if account_owner.get(x.account_id) != kid:
                    _add(result, f"{where} line {x.line_no}: account of another koperasi")
            if entry.reverses_id or entry.id in reversed_ids:
                signatures[entry.id] = sorted(
                    (str(x.account_id), x.side, x.amount, x.subledger_kind, x.subledger_ref)
                    for x in lines
                )
            if entry.reverses_id:
                reversals.append(entry)
        for entry in reversals:
            original = signatures.get(entry.reverses_id)
            mirror = sorted(
                (a, "C" if s == "D" else "D", amt, k, r)
                for a, s, amt, k, r in signatures.get(entry.id, [])
            )
            if original is None or original != mirror:
                _add(
                    result, f"koperasi {kid} entry {entry.number}: does not mirror what it reverses"
                )
        orphan_lines = (
            JournalLine.objects.filter(koperasi_id=kid)
            .exclude(entry_id__in=JournalEntry.objects.filter(koperasi_id=kid).values("id"))
            .count()
        )
        if orphan_lines:
            _add(result, f"koperasi {kid}: {orphan_lines} lines without an entry of this koperasi")
    return result


def _line_sums(kid, keys: list[str]) -> dict[tuple, tuple[int, int]]:
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    qs = JournalLine.objects.filter(koperasi_id=kid)
    if "subledger_kind" in keys:
        qs = qs.exclude(subledger_kind="")
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
        lines_d = (
            JournalLine.objects.filter(koperasi_id=kid, side="D").aggregate(t=Sum("amount"))["t"]
            or 0
        )
        lines_c = (
            JournalLine.objects.filter(koperasi_id=kid, side="C").aggregate(t=Sum("amount"))["t"]
            or 0
        )
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
        stray = (
            JournalLine.objects.filter(koperasi_id=kid, account__subledger_kind="")
            .exclude(subledger_kind="")
            .count()
        )
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


LEDGER_CHECKS = (
    "ledger.chain",
    "ledger.balances",
    "ledger.trial_balance",
    "ledger.subledgers",
    "ledger.periods",
)


def verify_books(koperasi=None) -> list[CheckResult]:
    """Run the ledger's own checks (what ``kopdes verify`` runs for the books)."""
    return [
        check_chain(koperasi),
        check_balances(koperasi),
        check_trial_balance(koperasi),
        check_subledgers(koperasi),
        check_periods(koperasi),
    ]
