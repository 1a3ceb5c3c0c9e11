"""Writes to the books. ``post`` is the single door through which every module's money
movement becomes a journal entry; nothing else creates journal rows.

Each function runs in one transaction, takes the koperasi's ledger lock
(``lock_chain("ledger:<id>")``) where it touches the chain, and records its audit event in
the same transaction. Refusals raise ``LedgerError`` / ``PermissionDeniedError`` /
``IdempotencyConflictError`` (all ``DomainError``) with an Indonesian message and write
nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain import ledger as rules
from kopdes.domain.ledger import EntryDraft, LineDraft, Side
from kopdes.ledger import chart, selectors
from kopdes.ledger.choices import EntryKind, PeriodAction, PeriodStatus, ProposalStatus
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError, PermissionDeniedError
from kopdes.ledger.models import (
    Account,
    AccountBalance,
    EntryProposal,
    JournalEntry,
    Period,
    PeriodProposal,
    ReversalProposal,
)
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.ids import uuid7
from kopdes.platform.core.locks import lock_chain, lock_statement
from kopdes.platform.core.rows import execute_batch
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm, roles_for

MAX_KEY_LENGTH = 200


# --- helpers ------------------------------------------------------------------------------


def lock_name(koperasi) -> str:
    """The name of the koperasi's ledger lock (``platform.core.locks``): modules that check
    balances before posting take it first."""
    return f"ledger:{koperasi.pk}"


def _lock(koperasi) -> None:
    lock_chain(lock_name(koperasi))


def _as_line(line: LineDraft | Mapping[str, Any]) -> LineDraft:
    if isinstance(line, LineDraft):
        return line
    try:
        return LineDraft(
            account=str(line["account"]),
            side=Side(line["side"]),
            amount=line["amount"],
            subledger_kind=str(line.get("subledger_kind", "") or ""),
            subledger_ref=str(line.get("subledger_ref", "") or ""),
            business_unit=str(line.get("business_unit", "") or ""),
            memo=str(line.get("memo", "") or ""),
        )
    except (KeyError, ValueError) as exc:
        raise LedgerError(
            _("A journal line is incomplete or has an unknown side."), field="lines"
        ) from exc


def _with_unit(line: LineDraft, business_unit: str) -> LineDraft:
    if line.business_unit or not business_unit:
        return line
    return LineDraft(
        account=line.account,
        side=line.side,
        amount=line.amount,
        subledger_kind=line.subledger_kind,
        subledger_ref=line.subledger_ref,
        business_unit=business_unit,
        memo=line.memo,
    )


def _stored_fingerprint(entry: JournalEntry) -> dict[str, Any]:
    lines = selectors.entry_drafts(entry)
    return EntryDraft(
        date=entry.date,
        memo=entry.memo,
        lines=tuple(lines),
        source=entry.source,
        source_ref=entry.source_ref,
        business_unit=entry.business_unit,
        reverses=str(entry.reverses_id or ""),
    ).fingerprint()


def _db_uuid(value: uuid.UUID) -> Any:
    return value if connection.features.has_native_uuid_field else value.hex


def _balance_upserts(koperasi, lines: Sequence[tuple]) -> list[tuple[str, list]]:
    """The statements adding line rows (as ``_prepare`` makes them) to their monthly
    balance rows, summed per key first so each balance row is touched once per statement."""
    by_account: dict[tuple[Any, str, int], list[int]] = defaultdict(lambda: [0, 0])
    by_subledger: dict[tuple[Any, str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        account, side, amount, period, unit, kind, ref = (
            line[4], line[5], line[6], line[8], line[9], line[10], line[11]
        )  # fmt: skip
        i = 0 if side == Side.DEBIT else 1
        by_account[(account, unit, period)][i] += amount
        if kind:
            by_subledger[(account, kind, ref, period)][i] += amount
    kop = _db_uuid(koperasi.pk)
    account_rows = [
        (_db_uuid(uuid7()), kop, acc, unit, period, d, c)
        for (acc, unit, period), (d, c) in by_account.items()
    ]
    subledger_rows = [
        (_db_uuid(uuid7()), kop, acc, kind, ref, period, d, c)
        for (acc, kind, ref, period), (d, c) in by_subledger.items()
    ]
    statements = []
    for start in range(0, len(account_rows), 1000):
        rows = account_rows[start : start + 1000]
        statements.append(
            (
                "INSERT INTO ledger_accountbalance "
                "(id, koperasi_id, account_id, business_unit, period, debit_total, credit_total) "
                "VALUES " + ",".join(["(%s,%s,%s,%s,%s,%s,%s)"] * len(rows)) + " "
                "ON CONFLICT (koperasi_id, account_id, business_unit, period) DO UPDATE SET "
                "debit_total = ledger_accountbalance.debit_total + excluded.debit_total, "
                "credit_total = ledger_accountbalance.credit_total + excluded.credit_total",
                [v for row in rows for v in row],
            )
        )
    for start in range(0, len(subledger_rows), 1000):
        rows = subledger_rows[start : start + 1000]
        statements.append(
            (
                "INSERT INTO ledger_subledgerbalance (id, koperasi_id, account_id, "  # noqa: S608 (placeholders only)
                "subledger_kind, subledger_ref, period, debit_total, credit_total) VALUES "
                + ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s)"] * len(rows))
                + " ON CONFLICT (koperasi_id, account_id, subledger_kind, subledger_ref, period) "
                "DO UPDATE SET "
                "debit_total = ledger_subledgerbalance.debit_total + excluded.debit_total, "
                "credit_total = ledger_subledgerbalance.credit_total + excluded.credit_total",
                [v for row in rows for v in row],
            )
        )
    return statements


def _existing_statement(koperasi, key: str) -> tuple[str, list]:
    return (
        "SELECT id FROM ledger_journalentry WHERE koperasi_id = %s AND idempotency_key = %s",
        [_db_uuid(koperasi.pk), key],
    )


def _existing_entry(koperasi, key: str, found: list[tuple] | None = None) -> JournalEntry | None:
    """The entry already posted under ``key`` (one cheap query, or its rows ``found`` in a
    batch; the ORM only on a replay)."""
    if found is None:
        (found,) = execute_batch([_existing_statement(koperasi, key)])
    if not found:
        return None
    return JournalEntry.objects.get(koperasi=koperasi, pk=uuid.UUID(str(found[0][0])))


_UNREAD: Any = object()


def check_business_date(
    koperasi,
    day: Any,
    *,
    opened_on: dt.date | None = None,
    opened_what: str = "rekening dibuka",
    last_closed_period: Any = _UNREAD,
    today: dt.date | None = None,
) -> dt.date:
    """The one service-level check of a business date (``domain.dates``): from the later of
    the koperasi's books start and ``opened_on`` (the account's or loan's opening), up to
    today in the koperasi's time zone, never in a closed month (nor before the newest
    closed one). ``post`` and ``post_many`` run it for every entry; modules call it to
    refuse early and to add their own opening bound. Raises ``LedgerError`` (field
    "date", Indonesian message)."""
    if last_closed_period is _UNREAD:
        last_closed_period = selectors.last_closed_period(koperasi)
    try:
        return dates.check_business_date(
            day,
            today=today or koperasi.today(),
            books_start=koperasi.books_start,
            opened_on=opened_on,
            opened_what=opened_what,
            last_closed_period=last_closed_period,
        )
    except dates.BusinessDateError as exc:
        raise LedgerError(exc.message, field=exc.field) from exc


def move_books_start(koperasi, *, actor, date: dt.date) -> bool:
    """Opening balances dated before the books start move it to the first day of their
    month (the books then start with the opening balances). Runs in the caller's
    transaction, after its permission check; returns whether it moved. A date in the
    future, outside the sane range or at/before a closed month is refused
    (``LedgerError``)."""
    from kopdes.platform.tenancy.models import Koperasi

    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise LedgerError(_("The date is not valid."), field="date")
    start = max(dates.month_start(date), dates.MIN_DATE)
    if start >= koperasi.books_start:
        return False
    # The opening's own date must be one the books accept once they start there.
    try:
        dates.check_business_date(
            date,
            today=koperasi.today(),
            books_start=start,
            last_closed_period=selectors.last_closed_period(koperasi),
        )
    except dates.BusinessDateError as exc:
        raise LedgerError(exc.message, field=exc.field) from exc
    before = koperasi.books_start
    Koperasi.objects.filter(pk=koperasi.pk).update(books_start=start)
    koperasi.books_start = start
    record(
        "ledger.books_start.moved",
        actor=actor,
        koperasi=koperasi,
        role=role_label(roles_for(actor, koperasi)) if actor is not None else "system",
        object_type="tenancy.koperasi",
        object_id=str(koperasi.pk),
        summary={"before": before.isoformat(), "after": start.isoformat()},
    )
    return True


def _is_closed(koperasi, period: int) -> bool:
    return Period.objects.filter(
        koperasi=koperasi, period=period, status=PeriodStatus.CLOSED
    ).exists()


# --- chart of accounts --------------------------------------------------------------------


def install_chart_of_accounts(koperasi) -> int:
    """Create the cooperative template accounts the koperasi lacks; return how many.

    Idempotent: existing codes are left alone (an officer may have renamed them), so it is
    safe to run again after the koperasi enables another business unit.
    """
    with transaction.atomic():
        existing = {a.code: a for a in Account.objects.filter(koperasi=koperasi).only("id", "code")}
        created = 0
        for t in chart.expand(list(koperasi.business_units or [])):
            if t.code in existing:
                continue
            parent = existing.get(t.parent) if t.parent else None
            account = Account.objects.create(
                koperasi=koperasi,
                code=t.code,
                name=t.name,
                type=t.type,
                normal_side=_normal_side(t.type, t.contra),
                is_contra=t.contra,
                parent=parent,
                subledger_kind=t.subledger,
                business_unit=t.unit,
                is_member_revenue=t.member_revenue,
                is_template=True,
            )
            existing[t.code] = account
            created += 1
    return created


def _normal_side(account_type: str, contra: bool) -> str:
    side = rules.AccountType(account_type).normal_side
    return str(side.opposite if contra else side)


def setup_koperasi_books(koperasi, *, actor=None) -> None:
    """Everything a new koperasi's books need: the chart of accounts. Idempotent.

    Called by ``tenancy.services.create_koperasi`` in its transaction.
    """
    with transaction.atomic():
        created = install_chart_of_accounts(koperasi)
        if created:
            record(
                "ledger.chart.installed",
                actor=actor,
                koperasi=koperasi,
                object_type="ledger.account",
                summary={"accounts_created": created},
            )


def create_account(
    koperasi,
    *,
    actor,
    parent_code: str,
    code: str,
    name: str,
    business_unit: str = "",
) -> Account:
    """An officer adds a sub-account under ``parent_code``; type and sides are inherited.

    The code must extend the parent's numbering ("1-1100" -> "1-1100.01" or "1-1105").
    """
    roles = require_perm(actor, koperasi, "ledger.manage_accounts")
    code = (code or "").strip()
    name = (name or "").strip()
    if not name:
        raise LedgerError(_("The account name is required."), field="name")
    if not chart.ACCOUNT_CODE.match(code):
        raise LedgerError(_("An account code looks like 1-1101 or 1-1100.01."), field="code")
    if business_unit and business_unit not in chart.UNIT_DIGITS:
        raise LedgerError(_("Unknown business unit."), field="business_unit")
    with transaction.atomic():
        parent = Account.objects.filter(koperasi=koperasi, code=parent_code).first()
        if parent is None:
            raise LedgerError(_("The parent account does not exist."), field="parent_code")
        if code[:3] != parent.code[:3]:
            raise LedgerError(
                _("A sub-account code must start like its parent's (%(prefix)s).")
                % {"prefix": parent.code[:3]},
                field="code",
            )
        if Account.objects.filter(koperasi=koperasi, code=code).exists():
            raise LedgerError(_("An account with this code already exists."), field="code")
        account = Account.objects.create(
            koperasi=koperasi,
            code=code,
            name=name,
            type=parent.type,
            normal_side=parent.normal_side,
            is_contra=parent.is_contra,
            parent=parent,
            subledger_kind=parent.subledger_kind,
            business_unit=business_unit or parent.business_unit,
            is_member_revenue=parent.is_member_revenue,
        )
        record(
            "ledger.account.created",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"code": code, "name": name, "parent": parent.code},
        )
    return account


def set_account_active(account: Account, *, actor, active: bool) -> Account:
    """Close an account for new postings (or open it again). Closing needs a zero balance."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "ledger.manage_accounts")
    with transaction.atomic():
        _lock(koperasi)
        if not active:
            from django.db.models import Sum

            totals = AccountBalance.objects.filter(koperasi=koperasi, account=account).aggregate(
                d=Sum("debit_total"), c=Sum("credit_total")
            )
            if (totals["d"] or 0) != (totals["c"] or 0):
                raise LedgerError(_("Only an account with a zero balance can be closed."))
        Account.objects.filter(koperasi=koperasi, pk=account.pk).update(is_active=active)
        account.is_active = active
        record(
            "ledger.account.opened" if active else "ledger.account.closed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"code": account.code},
        )
    return account


# --- posting ------------------------------------------------------------------------------


class Prefetch:
    """What ``post`` reads under the koperasi's lock, for a caller to send in its own batch.

    ``statements()`` (called inside the transaction) take the ledger lock unless this
    transaction holds it, look up the idempotency key and read the accounts by code and
    the chain head with the closed months among ``dates``. The caller runs them under
    ``rows.execute_batch`` with its own reads, hands the results to ``take``, and passes
    the object to ``post(prefetched=)``. It is good for the next posting of that
    transaction only: an entry posted in between would make its chain head stale (the
    unique entry number would then refuse the posting loudly, never fork the chain).
    """

    def __init__(self, koperasi, *, idempotency_key: str, codes, dates) -> None:
        self.koperasi = koperasi
        self.key = (idempotency_key or "").strip()
        self.codes = sorted(set(codes))
        self.periods = {rules.period_of(d) for d in dates}
        self.rows: tuple[list[tuple], list[tuple], list[tuple]] | None = None

    def statements(self) -> list[tuple[str, list[Any]]]:
        lock = lock_statement(lock_name(self.koperasi))
        return [
            *([lock] if lock is not None else []),
            _existing_statement(self.koperasi, self.key),
            *_books_statements(self.koperasi, self.codes, self.periods),
        ]

    def take(self, results: Sequence[list[tuple]]) -> None:
        """The rows of ``statements()``, in order (the lock statement's included if any)."""
        *_lock, found, account_rows, head_rows = results
        self.rows = (found, account_rows, head_rows)

    def run(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        self.take(execute_batch(self.statements()))
        assert self.rows is not None
        return self.rows

    def covers(self, koperasi, key: str, codes, periods) -> bool:
        return (
            self.rows is not None
            and koperasi.pk == self.koperasi.pk
            and key == self.key
            and set(codes) <= set(self.codes)
            and set(periods) <= self.periods
        )


def post(
    koperasi,
    *,
    actor,
    date: dt.date,
    memo: str,
    lines: Sequence[LineDraft | Mapping[str, Any]],
    idempotency_key: str,
    source: str = "manual",
    source_ref: str = "",
    business_unit: str = "",
    kind: str = EntryKind.NORMAL,
    reverses: JournalEntry | None = None,
    audit_summary: Mapping[str, Any] | None = None,
    audited_by_caller: bool = False,
    prefetched: Prefetch | None = None,
    writes: list[tuple[str, list[Any]]] | None = None,
) -> JournalEntry:
    """Post one balanced journal entry and return it; the single door to the books.

    ``lines`` are ``LineDraft``s (or dicts with account, side "D"/"C", amount in sen and
    optional subledger_kind/subledger_ref/business_unit/memo). A line without a business
    unit takes the entry's. Lines on a control account must name their sub-ledger
    (``subledger_kind`` = the account's, ``subledger_ref`` = e.g. the savings account id).

    ``idempotency_key`` is unique per koperasi: a retry with identical content returns the
    first entry (nothing new is written); the same key with different content raises
    ``IdempotencyConflictError`` (409) naming the differing fields. Numbers are gap-free
    and each entry's hash chains to the previous one. Monthly balances per account and per
    sub-ledger key are updated in the same transaction, with the audit event
    ``ledger.entry.posted``. Permission is the caller's business (each module checks its
    own); the manual journal goes through ``post_manual``. ``audited_by_caller=True``: the
    calling module records its own event for the operation in the same transaction, and
    that event names the entry (a teller deposit is one event, not two).

    For a module that holds the koperasi's lock and wants its whole operation in as few
    round trips as possible (the teller, the loan repayment): ``prefetched``, a
    ``Prefetch`` whose statements the caller ran in its own batch under the lock, replaces
    ``post``'s own reads (when it covers this entry's key, accounts and month); with
    ``writes``, the entry's INSERTs are appended to that list instead of being run, and
    the caller must run them (``rows.execute_batch``) before its transaction ends.
    """
    if reverses is not None and reverses.koperasi_id != koperasi.pk:
        raise LedgerError(_("The entry to reverse belongs to another koperasi."))
    key, draft = _draft(
        date=date,
        memo=memo,
        lines=lines,
        idempotency_key=idempotency_key,
        source=source,
        source_ref=source_ref,
        business_unit=business_unit,
        reverses=str(reverses.pk) if reverses is not None else "",
    )
    # Read before the koperasi's lock: everything done while holding it delays every
    # other posting of the koperasi.
    role = role_label(roles_for(actor, koperasi)) if actor is not None else ""
    item = (draft, key, kind)
    # No savepoint inside a caller's transaction (a teller deposit): it would cost two
    # round trips under the lock. A refusal is decided before anything is written and
    # raised after the block ends normally, so the caller's transaction stays usable.
    refusal: DomainError | None = None
    codes, periods = _codes_and_periods([item])
    with transaction.atomic(savepoint=False):
        if prefetched is not None and prefetched.covers(koperasi, key, codes, periods):
            found, account_rows, head_rows = prefetched.rows
            prefetched.rows = None  # good for one posting
        else:
            # The lock (unless the caller's transaction holds it), the idempotency check
            # and the reads of the books: one round trip on PostgreSQL.
            found, account_rows, head_rows = Prefetch(
                koperasi, idempotency_key=key, codes=codes, dates=[draft.date]
            ).run()
        try:
            existing = _existing_entry(koperasi, key, found)
            if existing is not None:
                _check_replay(existing, draft)
                existing.replayed = True  # lets the API answer 200 instead of 201
                return existing
            (prepared,) = _prepare(koperasi, actor, [item], _books(account_rows, head_rows))
        except (LedgerError, IdempotencyConflictError) as exc:
            refusal = exc
        else:
            if writes is None:
                _write(koperasi, [prepared])
            else:
                writes.extend(_write_statements(koperasi, [prepared]))
            entry = _instance(koperasi, actor, draft, key, kind, prepared)
            if not audited_by_caller:
                summary = {
                    "number": entry.number,
                    "date": draft.date.isoformat(),
                    "total_amount": entry.total_amount,
                    "source": draft.source,
                    "source_ref": draft.source_ref,
                    "kind": kind,
                }
                summary.update(audit_summary or {})
                record(
                    "ledger.entry.posted",
                    actor=actor,
                    koperasi=koperasi,
                    role=role,
                    obj=entry,
                    summary=summary,
                )
    if refusal is not None:
        raise refusal
    return entry


@dataclass(frozen=True)
class EntryRequest:
    """One entry of a ``post_many`` batch; the fields mean what ``post``'s do."""

    date: dt.date
    memo: str
    lines: Sequence[LineDraft | Mapping[str, Any]]
    idempotency_key: str
    source: str = "manual"
    source_ref: str = ""
    business_unit: str = ""
    kind: str = EntryKind.NORMAL


def post_many(
    koperasi,
    *,
    actor,
    entries: Sequence[EntryRequest],
    audit_summary: Mapping[str, Any] | None = None,
) -> list[Posted]:
    """Post many balanced entries in one transaction (imports, sync apply, month-end runs).

    All or nothing: the first entry that may not be posted raises ``LedgerError`` naming
    it, and nothing is written. The rules are ``post``'s, entry by entry, with the same
    numbering, hash chain and monthly balances; what differs is the cost: one lock, one
    read of the accounts and the chain head, bulk inserts, one balance upsert per table
    and ONE audit event (``ledger.entries.posted``, with the count and the number range)
    for the whole batch. Idempotent per entry: keys already posted with identical content
    come back with ``replayed=True`` (a retried import posts only what is missing); a key
    reused with different content raises ``IdempotencyConflictError``; a key given twice
    in the batch is refused. Returns one ``Posted`` per request, in order.
    """
    items = []
    for n, request in enumerate(entries, start=1):
        try:
            key, draft = _draft(
                date=request.date,
                memo=request.memo,
                lines=request.lines,
                idempotency_key=request.idempotency_key,
                source=request.source,
                source_ref=request.source_ref,
                business_unit=request.business_unit,
            )
        except LedgerError as exc:
            raise LedgerError(
                _("Entry %(n)s: %(message)s") % {"n": n, "message": exc.message},
                field=exc.field,
            ) from exc
        items.append((draft, key, request.kind))
    keys = [key for _d, key, _k in items]
    if len(set(keys)) != len(keys):
        raise LedgerError(
            _("The same idempotency key appears twice in the batch."), field="idempotency_key"
        )
    if not items:
        return []
    role = role_label(roles_for(actor, koperasi)) if actor is not None else ""
    with transaction.atomic():
        _lock(koperasi)
        found = _existing_entries(koperasi, keys)
        for draft, key, _kind in items:
            if key in found:
                _check_replay(JournalEntry.objects.get(koperasi=koperasi, pk=found[key][0]), draft)
        fresh = [item for item in items if item[1] not in found]
        prepared = _prepare(koperasi, actor, fresh) if fresh else []
        _write(koperasi, prepared)
        if prepared:
            summary = {
                "count": len(prepared),
                "first_number": prepared[0].number,
                "last_number": prepared[-1].number,
                "total_amount": sum(p.total for p in prepared),
                "sources": sorted({draft.source for draft, _key, _kind in fresh}),
            }
            summary.update(audit_summary or {})
            record(
                "ledger.entries.posted",
                actor=actor,
                koperasi=koperasi,
                role=role,
                object_type="ledger.journalentry",
                object_id=str(prepared[0].id),
                summary=summary,
            )
    new = {key: p for (_draft_, key, _kind), p in zip(fresh, prepared, strict=True)}
    return [
        Posted(new[key].id, new[key].number, key, False)
        if key in new
        else Posted(found[key][0], found[key][1], key, True)
        for key in keys
    ]


def _draft(
    *,
    date,
    memo: str,
    lines: Sequence[LineDraft | Mapping[str, Any]],
    idempotency_key: str,
    source: str,
    source_ref: str,
    business_unit: str,
    reverses: str = "",
) -> tuple[str, EntryDraft]:
    """The checked idempotency key and the draft of one entry (no database access)."""
    key = (idempotency_key or "").strip()
    if not key:
        raise LedgerError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > MAX_KEY_LENGTH:
        raise LedgerError(_("The idempotency key is too long."), field="idempotency_key")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise LedgerError(_("The date is not valid."), field="date")
    drafts = tuple(_with_unit(_as_line(line), business_unit) for line in lines)
    return key, EntryDraft(
        date=date,
        memo=(memo or "").strip(),
        lines=drafts,
        source=source,
        source_ref=source_ref,
        business_unit=business_unit,
        reverses=reverses,
    )


def _check_replay(existing: JournalEntry, draft: EntryDraft) -> None:
    """Refuse a reused key whose content differs from the entry first posted with it."""
    diff = rules.differences(_stored_fingerprint(existing), draft.fingerprint())
    if diff:
        raise IdempotencyConflictError(
            _(
                "This idempotency key was already used for journal %(number)s with "
                "different content (%(fields)s). Nothing was recorded."
            )
            % {"number": str(existing), "fields": ", ".join(diff)},
            differences=diff,
            entry_id=str(existing.pk),
        )


def _existing_entries(koperasi, keys: Sequence[str]) -> dict[str, tuple[uuid.UUID, int]]:
    """key -> (id, number) of the entries already posted under any of ``keys``."""
    found: dict[str, tuple[uuid.UUID, int]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            cursor.execute(
                "SELECT idempotency_key, id, number FROM ledger_journalentry "  # noqa: S608 (placeholders only)
                f"WHERE koperasi_id = %s AND idempotency_key IN ({_placeholders(len(chunk))})",
                [_db_uuid(koperasi.pk), *chunk],
            )
            for key, pk, number in cursor.fetchall():
                found[key] = (uuid.UUID(str(pk)), number)
    return found


def _instance(koperasi, actor, draft: EntryDraft, key: str, kind: str, p) -> JournalEntry:
    """The saved ``JournalEntry`` for callers of ``post`` (no query)."""
    entry = JournalEntry(
        id=p.id,
        koperasi=koperasi,
        number=p.number,
        date=draft.date,
        period=p.period,
        memo=draft.memo,
        kind=kind,
        source=draft.source,
        source_ref=draft.source_ref,
        business_unit=draft.business_unit,
        idempotency_key=key,
        reverses_id=uuid.UUID(draft.reverses) if draft.reverses else None,
        total_amount=p.total,
        line_count=len(draft.lines),
        posted_by=actor if actor is not None and actor.is_authenticated else None,
        posted_at=p.posted_at,
        prev_hash=p.prev_hash,
        hash=p.hash,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _placeholders(n: int) -> str:
    return ",".join(["%s"] * n)


class Posted(NamedTuple):
    """One entry of a ``post_many`` batch: what was stored (or found, when replayed)."""

    id: uuid.UUID
    number: int
    idempotency_key: str
    replayed: bool


@dataclass(frozen=True)
class _Prepared:
    """An entry validated, numbered and hashed under the lock, as rows ready to insert."""

    entry: tuple
    lines: list[tuple]
    id: uuid.UUID
    number: int
    period: int
    total: int
    posted_at: dt.datetime
    prev_hash: str
    hash: str


class _Books(NamedTuple):
    accounts: dict[str, tuple[uuid.UUID, str, bool, str]]
    closed: set[int]
    number: int | None
    hash: str | None


def _books_statements(koperasi, codes: Sequence[str], periods: set[int]) -> list[tuple[str, list]]:
    """The two reads ``_prepare`` needs: the accounts by code, and the chain head with the
    newest closed month (every month up to it counts as closed; ``periods`` is kept for
    ``Prefetch.covers``). Raw SQL on purpose: this is the hot path of every
    posting, done while holding the koperasi's lock (see README, performance)."""
    kop = _db_uuid(koperasi.pk)
    return [
        (
            "SELECT id, koperasi_id, code, is_active, subledger_kind FROM ledger_account "  # noqa: S608 (placeholders only)
            f"WHERE koperasi_id = %s AND code IN ({_placeholders(len(codes))})",
            [kop, *codes],
        ),
        (
            "SELECT * FROM (SELECT number, hash, CAST(NULL AS integer) AS closed "
            "FROM ledger_journalentry WHERE koperasi_id = %s ORDER BY number DESC LIMIT 1) "
            "AS head UNION ALL SELECT * FROM (SELECT CAST(NULL AS bigint), "
            "CAST(NULL AS varchar(64)), period "
            "FROM ledger_period WHERE koperasi_id = %s AND status = 'closed' "
            "ORDER BY period DESC LIMIT 1) AS newest_closed",
            [kop, kop],
        ),
    ]


def _books(account_rows, head_rows) -> _Books:
    accounts = {
        code: (uuid.UUID(str(pk)), str(uuid.UUID(str(kid))), bool(active), kind)
        for pk, kid, code, active, kind in account_rows
    }
    number, head_hash, closed = None, None, set()
    for row_number, row_hash, row_closed in head_rows:
        if row_closed is None:
            number, head_hash = row_number, row_hash
        else:
            closed.add(row_closed)
    return _Books(accounts, closed, number, head_hash)


def _codes_and_periods(items: Sequence[tuple[EntryDraft, str, str]]):
    codes = sorted({line.account for draft, _k, _kd in items for line in draft.lines})
    periods = {rules.period_of(draft.date) for draft, _k, _kd in items}
    return codes, periods


_LINE_COLUMNS = (
    "id, koperasi_id, entry_id, line_no, account_id, side, amount, date, period, "
    "business_unit, subledger_kind, subledger_ref, memo"
)
_ENTRY_COLUMNS = (
    "id, koperasi_id, number, date, period, memo, kind, source, source_ref, business_unit, "
    "idempotency_key, reverses_id, total_amount, line_count, posted_by_id, posted_at, "
    "prev_hash, hash"
)
_LINE_ROW = "(" + _placeholders(13) + ")"
_ENTRY_ROW = "(" + _placeholders(18) + ")"
ROWS_PER_STATEMENT = 500  # well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters


def _inserts(table: str, columns: str, row: str, rows: Sequence[tuple]) -> list[tuple[str, list]]:
    """Multi-row INSERTs: one statement for a teller's entry (executemany's pipeline cost
    more than the statement on PostgreSQL), a few hundred rows each for a batch."""
    return [
        (
            f"INSERT INTO {table} ({columns}) VALUES " + ",".join([row] * len(chunk)),  # noqa: S608 (constants)
            [value for r in chunk for value in r],
        )
        for chunk in (
            rows[start : start + ROWS_PER_STATEMENT]
            for start in range(0, len(rows), ROWS_PER_STATEMENT)
        )
    ]


def _prepare(
    koperasi, actor, items: Sequence[tuple[EntryDraft, str, str]], books: _Books | None = None
) -> list[_Prepared]:
    """Validate, number and hash ``items`` ((draft, key, kind), in order) under the lock.

    ``books``: the accounts and chain head already read under the lock (``post`` reads
    them in the same round trip as its idempotency check). Raises ``LedgerError`` for the
    first entry that may not be posted; nothing is written.
    """
    if books is None:
        books = _books(*execute_batch(_books_statements(koperasi, *_codes_and_periods(items))))
    accounts, closed, last_number, last_hash = books
    # Months close in order: everything up to the newest closed month counts as closed.
    last_closed = max(closed) if closed else None
    today = koperasi.today()
    facts = {
        code: rules.AccountFacts(code=code, koperasi_id=kid, is_active=active, subledger_kind=kind)
        for code, (_pk, kid, active, kind) in accounts.items()
    }
    # Resolved once per batch: per-row lookups of the connection's features and
    # operations cost more than the rest of the row (bench ledger_batch).
    as_db = (lambda u: u) if connection.features.has_native_uuid_field else (lambda u: u.hex)
    adapt_date = functools.cache(connection.ops.adapt_datefield_value)
    account_ids = {code: (as_db(pk), str(pk)) for code, (pk, *_rest) in accounts.items()}
    kop_text = str(koperasi.pk)
    kop = as_db(koperasi.pk)
    posted_by = actor.pk if actor is not None and actor.is_authenticated else None
    posted_by_text = str(posted_by or "")
    posted_at = timezone.now()
    posted_at_text = posted_at.astimezone(dt.UTC).isoformat()
    posted_at_db = connection.ops.adapt_datetimefield_value(posted_at)
    number = last_number or 0
    prev_hash = last_hash or rules.GENESIS_HASH
    prepared = []
    for draft, key, kind in items:
        try:
            check_business_date(koperasi, draft.date, last_closed_period=last_closed, today=today)
            _validate(draft, kop_text, facts, last_closed)
        except LedgerError as exc:
            if len(items) == 1:
                raise
            # In a batch, say which entry: the officer fixes that row of the file.
            raise LedgerError(
                _("Entry %(key)s: %(message)s") % {"key": key, "message": exc.message},
                field=exc.field,
            ) from exc
        number += 1
        period = rules.period_of(draft.date)
        entry_id = uuid7()
        total = rules.total_debit(draft.lines)
        day = adapt_date(draft.date)
        # The chain's canonical bytes straight from plain values (byte-identical to
        # canonical_entry, property-tested in domain/tests): no PostedEntry per entry.
        hashed_lines = [
            (
                n, account_ids[line.account][1], str(line.side), line.amount,
                line.subledger_kind, line.subledger_ref, line.business_unit, line.memo[:200],
            )
            for n, line in enumerate(draft.lines, start=1)
        ]  # fmt: skip
        head = (
            str(entry_id), number, draft.date.isoformat(), draft.memo, draft.source,
            draft.source_ref, draft.business_unit, key, draft.reverses, kind,
            posted_at_text, posted_by_text,
        )  # fmt: skip
        digest = rules.chain_hash_from_fields(prev_hash, kop_text, head, hashed_lines)
        db_entry_id = as_db(entry_id)
        prepared.append(
            _Prepared(
                entry=(
                    db_entry_id, kop, number, day, period, draft.memo, kind, draft.source,
                    draft.source_ref, draft.business_unit, key,
                    as_db(uuid.UUID(draft.reverses)) if draft.reverses else None,
                    total, len(hashed_lines), posted_by, posted_at_db, prev_hash, digest,
                ),
                lines=[
                    (
                        as_db(uuid7()), kop, db_entry_id, n, account_ids[line.account][0],
                        side, amount, day, period, unit, sl_kind, sl_ref, memo,
                    )
                    for (n, _acc, side, amount, sl_kind, sl_ref, unit, memo), line in zip(
                        hashed_lines, draft.lines, strict=True
                    )
                ],
                id=entry_id,
                number=number,
                period=period,
                total=total,
                posted_at=posted_at,
                prev_hash=prev_hash,
                hash=digest,
            )
        )  # fmt: skip
        prev_hash = digest
    return prepared


def _validate(draft: EntryDraft, koperasi_id: str, facts, last_closed: int | None) -> None:
    try:
        rules.validate_entry(
            draft,
            koperasi_id=koperasi_id,
            accounts=facts,
            is_period_open=lambda p: last_closed is None or p > last_closed,
        )
    except rules.LedgerError as exc:
        raise LedgerError(exc.message, field=exc.field) from exc
    for line in draft.lines:
        if line.business_unit and line.business_unit not in chart.UNIT_DIGITS:
            raise LedgerError(
                _("Unknown business unit: %(unit)s.") % {"unit": line.business_unit},
                field="lines",
            )


def _write(koperasi, prepared: Sequence[_Prepared]) -> None:
    """Insert the prepared rows (lines before their entries: the entry's insert trigger
    checks its lines) and add them to the monthly balances: on PostgreSQL in one round
    trip (``rows.execute_batch``)."""
    # No savepoint: we hold the ledger lock, so a trigger refusal here means a bug (or a
    # month closed underneath us) and aborts the whole posting.
    try:
        execute_batch(_write_statements(koperasi, prepared))
    except IntegrityError as exc:
        if "closed" in str(exc):
            raise LedgerError(
                _("This month is closed; nothing can be posted in it."), field="date"
            ) from exc
        raise


def _write_statements(koperasi, prepared: Sequence[_Prepared]) -> list[tuple[str, list]]:
    lines = [line for p in prepared for line in p.lines]
    return [
        *_inserts("ledger_journalline", _LINE_COLUMNS, _LINE_ROW, lines),
        *_inserts("ledger_journalentry", _ENTRY_COLUMNS, _ENTRY_ROW, [p.entry for p in prepared]),
        *_balance_upserts(koperasi, lines),
    ]


def post_manual(
    koperasi,
    *,
    actor,
    date: dt.date,
    memo: str,
    lines: Sequence[LineDraft | Mapping[str, Any]],
    idempotency_key: str,
    business_unit: str = "",
) -> JournalEntry | EntryProposal:
    """A manual journal entry (jurnal umum) by an officer allowed ``ledger.post_manual``.

    Dated more than the AD/ART ``backdate_approval_days`` before today, nothing is posted
    yet: the checked entry becomes an ``EntryProposal`` for another officer
    (``approve_entry_proposal``); a retry with the same key returns that proposal.
    """
    require_perm(actor, koperasi, "ledger.post_manual")
    key, draft = _draft(
        date=date,
        memo=memo,
        lines=lines,
        idempotency_key=idempotency_key,
        source="manual",
        source_ref="",
        business_unit=business_unit,
    )
    allowance = koperasi.adart.backdate_approval_days
    if (
        dates.needs_second_officer(draft.date, today=koperasi.today(), approval_days=allowance)
        and selectors.get_entry_by_key(koperasi, key) is None
    ):
        return _propose_entry(koperasi, actor, key, draft)
    return post(
        koperasi,
        actor=actor,
        date=date,
        memo=memo,
        lines=lines,
        idempotency_key=idempotency_key,
        source="manual",
        business_unit=business_unit,
    )


def _check_draft(koperasi, draft: EntryDraft) -> None:
    """Every rule ``post`` applies to ``draft``, without posting (for a proposal)."""
    item = (draft, "", EntryKind.NORMAL)
    books = _books(*execute_batch(_books_statements(koperasi, *_codes_and_periods([item]))))
    last_closed = max(books.closed) if books.closed else None
    facts = {
        code: rules.AccountFacts(code=code, koperasi_id=kid, is_active=active, subledger_kind=kind)
        for code, (_pk, kid, active, kind) in books.accounts.items()
    }
    check_business_date(koperasi, draft.date, last_closed_period=last_closed)
    _validate(draft, str(koperasi.pk), facts, last_closed)


def _propose_entry(koperasi, actor, key: str, draft: EntryDraft) -> EntryProposal:
    roles = roles_for(actor, koperasi)
    with transaction.atomic():
        _lock(koperasi)
        existing = EntryProposal.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            stored = EntryDraft(
                date=existing.date,
                memo=existing.memo,
                lines=tuple(_as_line(line) for line in existing.lines),
                business_unit=existing.business_unit,
            )
            diff = rules.differences(stored.fingerprint(), draft.fingerprint())
            if diff:
                raise IdempotencyConflictError(
                    _(
                        "This idempotency key was already used for a proposed entry with "
                        "different content (%(fields)s). Nothing was recorded."
                    )
                    % {"fields": ", ".join(diff)},
                    differences=diff,
                    entry_id="",
                )
            existing.replayed = True
            return existing
        _check_draft(koperasi, draft)
        reason = dates.backdate_message(
            draft.date,
            today=koperasi.today(),
            approval_days=koperasi.adart.backdate_approval_days,
        )
        proposal = EntryProposal.objects.create(
            koperasi=koperasi,
            date=draft.date,
            memo=draft.memo,
            business_unit=draft.business_unit,
            lines=[line.as_dict() for line in draft.lines],
            total_amount=rules.total_debit(draft.lines),
            idempotency_key=key,
            proposed_by=actor,
            proposed_at=timezone.now(),
            reason=reason[:500],
        )
        record(
            "ledger.entry.proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={
                "date": draft.date.isoformat(),
                "total_amount": proposal.total_amount,
                "memo": draft.memo[:200],
                "reason": proposal.reason,
            },
        )
    return proposal


def approve_entry_proposal(proposal: EntryProposal, *, actor) -> JournalEntry:
    """Another officer approves a back-dated manual entry: it is posted now, with every
    rule of ``post`` checked again (books start, today, closed months, accounts)."""
    koperasi = proposal.koperasi
    roles = _decidable(proposal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        _lock(koperasi)
        proposal = EntryProposal.objects.get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise LedgerError(_("This proposal has already been decided."))
        entry = post(
            koperasi,
            actor=actor,
            date=proposal.date,
            memo=proposal.memo,
            lines=proposal.lines,
            idempotency_key=proposal.idempotency_key,
            source="manual",
            business_unit=proposal.business_unit,
            audit_summary={"proposed_by": str(proposal.proposed_by)},
        )
        proposal.status = ProposalStatus.APPROVED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.entry = entry
        proposal.save(update_fields=["status", "decided_by", "decided_at", "entry"])
        record(
            "ledger.entry_proposal.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"entry": entry.number, "date": proposal.date.isoformat()},
        )
    return entry


def reject_entry_proposal(proposal: EntryProposal, *, actor, reason: str = "") -> EntryProposal:
    """Another officer turns a back-dated manual entry down; nothing is posted."""
    roles = _decidable(proposal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        updated = EntryProposal.objects.filter(
            pk=proposal.pk, status=ProposalStatus.PENDING
        ).update(status=ProposalStatus.REJECTED, decided_by=actor, decided_at=timezone.now())
        if not updated:
            raise LedgerError(_("This proposal has already been decided."))
        proposal.refresh_from_db()
        record(
            "ledger.entry_proposal.rejected",
            actor=actor,
            koperasi=proposal.koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"date": proposal.date.isoformat(), "reason": (reason or "")[:500]},
        )
    return proposal


# --- reversal (maker-checker) -------------------------------------------------------------


# Entries that only the ledger knows about; anything a module posted is corrected there.
LEDGER_REVERSIBLE_SOURCES = frozenset({"manual", "ledger.opening"})


def propose_reversal(
    entry: JournalEntry, *, actor, reason: str, date: dt.date | None = None
) -> ReversalProposal:
    """Ask for ``entry`` to be reversed on ``date`` (default: the entry's own date).

    Another officer with ``ledger.approve_reversal`` must approve it.
    """
    koperasi = entry.koperasi
    roles = require_perm(actor, koperasi, "ledger.propose_reversal")
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Give the reason for the reversal."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        if JournalEntry.objects.filter(koperasi=koperasi, reverses=entry).exists():
            raise LedgerError(_("This entry has already been reversed."))
        # The reversal's date obeys the business-date rule now, not only at approval.
        check_business_date(koperasi, date or entry.date)
        if entry.kind == EntryKind.CLOSING:
            raise LedgerError(_("A year-end closing entry is undone by reopening the month."))
        if entry.source not in LEDGER_REVERSIBLE_SOURCES:
            # A savings deposit or a loan repayment also changed the module's own records
            # (passbook, schedule): reversing only the journal would leave them disagreeing
            # with the books. Such mistakes are corrected in the module that made them.
            raise LedgerError(
                _(
                    "This entry was made by %(source)s; correct it there (for example with a "
                    "counter-transaction at the counter), not by a journal reversal."
                )
                % {"source": entry.source}
            )
        if ReversalProposal.objects.filter(
            koperasi=koperasi, entry=entry, status=ProposalStatus.PENDING
        ).exists():
            raise LedgerError(_("A reversal of this entry is already waiting for approval."))
        proposal = ReversalProposal.objects.create(
            koperasi=koperasi,
            entry=entry,
            reason=reason[:500],
            date=date or entry.date,
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "ledger.reversal.proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={
                "entry": entry.number,
                "reason": reason[:500],
                "date": proposal.date.isoformat(),
            },
        )
    return proposal


def _decidable(proposal, actor, code: str):
    koperasi = proposal.koperasi
    roles = require_perm(actor, koperasi, code)
    if proposal.proposed_by_id == actor.pk:
        raise PermissionDeniedError(
            _("The officer who proposed this cannot approve or reject it; another officer must.")
        )
    return roles


def approve_reversal(proposal: ReversalProposal, *, actor) -> JournalEntry:
    """A second officer approves: post the mirror entry pointing at the original."""
    koperasi = proposal.koperasi
    roles = _decidable(proposal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        _lock(koperasi)
        proposal = ReversalProposal.objects.select_related("entry").get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise LedgerError(_("This proposal has already been decided."))
        original = proposal.entry
        lines = selectors.mirrored_lines(original)
        reversal = post(
            koperasi,
            actor=actor,
            date=proposal.date,
            memo=book_text(
                koperasi,
                gettext_lazy("Reversal of %(entry)s: %(reason)s"),
                entry=original,
                reason=proposal.reason,
            )[:500],
            lines=lines,
            idempotency_key=f"reversal:{original.pk}",
            source=original.source,
            source_ref=original.source_ref,
            business_unit=original.business_unit,
            kind=EntryKind.REVERSAL,
            reverses=original,
            audit_summary={"reverses": original.number, "proposed_by": str(proposal.proposed_by)},
        )
        proposal.status = ProposalStatus.APPROVED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.reversal_entry = reversal
        proposal.save(update_fields=["status", "decided_by", "decided_at", "reversal_entry"])
        record(
            "ledger.reversal.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"entry": original.number, "reversal": reversal.number},
        )
    return reversal


def reject_reversal(proposal: ReversalProposal, *, actor, reason: str = "") -> ReversalProposal:
    """A second officer turns the reversal down; nothing is posted."""
    roles = _decidable(proposal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        updated = ReversalProposal.objects.filter(
            pk=proposal.pk, status=ProposalStatus.PENDING
        ).update(status=ProposalStatus.REJECTED, decided_by=actor, decided_at=timezone.now())
        if not updated:
            raise LedgerError(_("This proposal has already been decided."))
        proposal.refresh_from_db()
        record(
            "ledger.reversal.rejected",
            actor=actor,
            koperasi=proposal.koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"entry_id": str(proposal.entry_id), "reason": (reason or "")[:500]},
        )
    return proposal


# --- periods (tutup buku) -----------------------------------------------------------------


def _period_key(year: int, month: int) -> int:
    if not (1900 <= int(year) <= 9999 and 1 <= int(month) <= 12):
        raise LedgerError(_("The month is not valid."), field="period")
    return int(year) * 100 + int(month)


def fiscal_year_end_month(koperasi) -> int:
    """The last month of the koperasi's fiscal year (12 when it starts in January)."""
    return (int(koperasi.fiscal_year_start_month) - 2) % 12 + 1


def _last_day(period: int) -> dt.date:
    year, month = divmod(period, 100)
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def propose_period_change(
    koperasi, *, actor, year: int, month: int, action: str = PeriodAction.CLOSE, reason: str = ""
) -> PeriodProposal:
    """The bendahara proposes closing (tutup buku) or reopening a month.

    Close: every earlier month that has entries must already be closed. Reopen: no later
    month may be closed (reopen from the newest first). The ketua approves.
    """
    roles = require_perm(actor, koperasi, "ledger.propose_close")
    period = _period_key(year, month)
    if action not in PeriodAction.values:
        raise LedgerError(_("Unknown period action."), field="action")
    if action == PeriodAction.REOPEN and not (reason or "").strip():
        raise LedgerError(_("Give the reason for reopening the month."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        _check_period_action(koperasi, period, action)
        if PeriodProposal.objects.filter(
            koperasi=koperasi, period=period, status=ProposalStatus.PENDING
        ).exists():
            raise LedgerError(_("A proposal for this month is already waiting for approval."))
        proposal = PeriodProposal.objects.create(
            koperasi=koperasi,
            period=period,
            action=action,
            reason=(reason or "").strip()[:500],
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            f"ledger.period.{action}_proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"period": period, "action": action, "reason": proposal.reason},
        )
    return proposal


def propose_period_close(
    koperasi, *, actor, year: int, month: int, reason: str = ""
) -> PeriodProposal:
    return propose_period_change(
        koperasi, actor=actor, year=year, month=month, action=PeriodAction.CLOSE, reason=reason
    )


def propose_period_reopen(koperasi, *, actor, year: int, month: int, reason: str) -> PeriodProposal:
    return propose_period_change(
        koperasi, actor=actor, year=year, month=month, action=PeriodAction.REOPEN, reason=reason
    )


def _check_period_action(koperasi, period: int, action: str) -> None:
    closed = _is_closed(koperasi, period)
    if action == PeriodAction.CLOSE:
        if closed:
            raise LedgerError(_("This month is already closed."))
        if period >= dates.period_of(koperasi.today()):
            # Closing a month still running (or to come) would close every month up to
            # it, today's included: nothing could be posted until it was reopened.
            raise LedgerError(
                _("%(month)s has not ended yet; a month is closed after its last day.")
                % {"month": dates.format_period(period)},
                field="period",
            )
        open_earlier = (
            JournalEntry.objects.filter(koperasi=koperasi, period__lt=period)
            .exclude(
                period__in=Period.objects.filter(
                    koperasi=koperasi, status=PeriodStatus.CLOSED
                ).values("period")
            )
            .order_by("period")
            .values_list("period", flat=True)
            .first()
        )
        if open_earlier is not None:
            raise LedgerError(
                _("Close %(month)02d/%(year)d first: earlier months are closed in order.")
                % {"month": open_earlier % 100, "year": open_earlier // 100}
            )
    else:
        if not closed:
            raise LedgerError(_("This month is not closed."))
        later = (
            Period.objects.filter(koperasi=koperasi, period__gt=period, status=PeriodStatus.CLOSED)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        if later is not None:
            raise LedgerError(
                _("Reopen %(month)02d/%(year)d first: later months are reopened first.")
                % {"month": later % 100, "year": later // 100}
            )


def approve_period_change(proposal: PeriodProposal, *, actor) -> PeriodProposal:
    """The ketua approves closing or reopening a month.

    Closing the last month of the fiscal year first posts the closing entry that moves
    the year's result (pendapatan - beban) to SHU tahun berjalan (3-9000).
    """
    koperasi = proposal.koperasi
    roles = _decidable(proposal, actor, "ledger.approve_close")
    with transaction.atomic():
        _lock(koperasi)
        proposal = PeriodProposal.objects.get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise LedgerError(_("This proposal has already been decided."))
        _check_period_action(koperasi, proposal.period, proposal.action)
        closing = None
        if proposal.action == PeriodAction.CLOSE and proposal.period % 100 == fiscal_year_end_month(
            koperasi
        ):
            closing = _post_year_end_closing(koperasi, actor, proposal)
        now = timezone.now()
        status = PeriodStatus.CLOSED if proposal.action == PeriodAction.CLOSE else PeriodStatus.OPEN
        Period.objects.update_or_create(
            koperasi=koperasi,
            period=proposal.period,
            defaults={"status": status, "changed_at": now},
        )
        proposal.status = ProposalStatus.APPROVED
        proposal.decided_by = actor
        proposal.decided_at = now
        proposal.closing_entry = closing
        proposal.save(update_fields=["status", "decided_by", "decided_at", "closing_entry"])
        action = "closed" if proposal.action == PeriodAction.CLOSE else "reopened"
        record(
            f"ledger.period.{action}",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={
                "period": proposal.period,
                "proposed_by": str(proposal.proposed_by),
                "reason": proposal.reason,
                "closing_entry": closing.number if closing else None,
            },
        )
        if proposal.action == PeriodAction.CLOSE:
            # The closed month's heads go outside the database once the close is committed.
            from kopdes.platform.core.anchors import anchor_now

            reason = f"tutup buku {proposal.period // 100:04d}-{proposal.period % 100:02d}"
            transaction.on_commit(lambda: anchor_now(koperasi, reason=reason), robust=True)
    return proposal


def reject_period_change(proposal: PeriodProposal, *, actor, reason: str = "") -> PeriodProposal:
    roles = _decidable(proposal, actor, "ledger.approve_close")
    with transaction.atomic():
        updated = PeriodProposal.objects.filter(
            pk=proposal.pk, status=ProposalStatus.PENDING
        ).update(status=ProposalStatus.REJECTED, decided_by=actor, decided_at=timezone.now())
        if not updated:
            raise LedgerError(_("This proposal has already been decided."))
        proposal.refresh_from_db()
        record(
            "ledger.period.change_rejected",
            actor=actor,
            koperasi=proposal.koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"period": proposal.period, "action": proposal.action, "reason": reason[:500]},
        )
    return proposal


def _post_year_end_closing(koperasi, actor, proposal: PeriodProposal) -> JournalEntry | None:
    from django.db.models import Sum

    rows = (
        AccountBalance.objects.filter(
            koperasi=koperasi,
            period__lte=proposal.period,
            account__type__in=[rules.AccountType.REVENUE, rules.AccountType.EXPENSE],
        )
        .values("account__code", "business_unit")
        .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
        .order_by("account__code", "business_unit")
    )
    lines: list[LineDraft] = []
    net_debit = 0  # debit minus credit over all result accounts
    for row in rows:
        net = row["d"] - row["c"]
        if net == 0:
            continue
        net_debit += net
        side = Side.CREDIT if net > 0 else Side.DEBIT
        lines.append(
            LineDraft(
                account=row["account__code"],
                side=side,
                amount=abs(net),
                business_unit=row["business_unit"],
            )
        )
    if not lines:
        return None
    if net_debit:
        # Revenue above expense leaves a net credit -> credit SHU tahun berjalan.
        side = Side.DEBIT if net_debit > 0 else Side.CREDIT
        lines.append(LineDraft(account=chart.SHU_CURRENT_YEAR, side=side, amount=abs(net_debit)))
    year, month = divmod(proposal.period, 100)
    return post(
        koperasi,
        actor=actor,
        date=_last_day(proposal.period),
        memo=book_text(
            koperasi,
            gettext_lazy(
                "Closing entry of the fiscal year %(month)s: results to the SHU of the year"
            ),
            month=f"{month:02d}/{year}",
        ),
        lines=lines,
        idempotency_key=f"closing:{proposal.pk}",
        source="ledger.closing",
        source_ref=str(proposal.period),
        kind=EntryKind.CLOSING,
    )
