"""Posting: ``post`` is the single door through which every module's money movement
becomes a journal entry; ``post_batched`` is the same door for a caller that sends the
posting's reads and writes in its own batches under the koperasi's lock; ``post_many``
posts a batch of entries (imports, month-end runs). Nothing else creates journal rows.
The SQL they send is in ``ledger.posting``."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import ledger as rules
from kopdes.domain.ledger import EntryDraft, LineDraft
from kopdes.ledger import chart, posting, selectors
from kopdes.ledger.choices import EntryKind
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.services.common import (
    MAX_KEY_LENGTH,
    _as_line,
    _lock,
    _with_unit,
    check_business_date,
)
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.ids import uuid7
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import roles_for


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
    """
    key, draft = _checked_draft(koperasi, date, memo, lines, idempotency_key, source,
                                source_ref, business_unit, reverses)  # fmt: skip
    # Read before the koperasi's lock: everything done while holding it delays every
    # other posting of the koperasi.
    role = role_label(roles_for(actor, koperasi)) if actor is not None else ""
    reads = posting.BookReads(koperasi, idempotency_key=key, codes=_codes(draft))
    # No savepoint inside a caller's transaction (a teller deposit): it would cost two
    # round trips under the lock. A refusal is decided before anything is written and
    # raised after the block ends normally, so the caller's transaction stays usable.
    refusal: DomainError | None = None
    with transaction.atomic(savepoint=False):
        try:
            # The lock (unless the caller's transaction holds it), the idempotency check
            # and the reads of the books: one round trip on PostgreSQL.
            entry, prepared = _post_one(koperasi, actor, key, draft, kind, reads)
        except (LedgerError, IdempotencyConflictError) as exc:
            refusal = exc
        else:
            if prepared is not None:
                _write(koperasi, [prepared])
                if not audited_by_caller:
                    _record_posted(koperasi, actor, role, entry, draft, kind, audit_summary)
    if refusal is not None:
        raise refusal
    return entry


class Posting(NamedTuple):
    """What ``post_batched`` gives back: the entry, and the statements that write it (empty
    on a replay), for the caller to send in its own write batch."""

    entry: JournalEntry
    writes: list[posting.Statement]


def post_batched(
    reads: posting.BookReads,
    *,
    actor,
    date: dt.date,
    memo: str,
    lines: Sequence[LineDraft | Mapping[str, Any]],
    source: str = "manual",
    source_ref: str = "",
    business_unit: str = "",
    kind: str = EntryKind.NORMAL,
    reverses: JournalEntry | None = None,
) -> Posting:
    """``post``'s rules for a caller that holds the koperasi's lock and sends its whole
    operation in two round trips (the teller, the loan repayment; docs/decisions/0004).

    ``reads`` names the koperasi and the idempotency key; the caller sent its
    ``statements()`` with its own reads and handed the rows to ``reads.take`` (if it did
    not, or they do not cover this entry's accounts, they are read here). Nothing is
    written: the returned ``Posting.writes`` must be sent (``rows.execute_batch``) before
    the caller's transaction ends. The caller records its own audit event naming the
    entry. Refusals are raised before anything is written, without a savepoint, so the
    caller's transaction stays usable.
    """
    koperasi = reads.koperasi
    key, draft = _checked_draft(koperasi, date, memo, lines, reads.key, source,
                                source_ref, business_unit, reverses)  # fmt: skip
    entry, prepared = _post_one(koperasi, actor, key, draft, kind, reads)
    if prepared is None:
        return Posting(entry, [])
    return Posting(entry, posting.write_statements(koperasi, [prepared.entry], prepared.lines))


def _checked_draft(
    koperasi, date, memo, lines, idempotency_key, source, source_ref, business_unit, reverses
) -> tuple[str, EntryDraft]:
    if reverses is not None and reverses.koperasi_id != koperasi.pk:
        raise LedgerError(_("The entry to reverse belongs to another koperasi."))
    return _draft(
        date=date,
        memo=memo,
        lines=lines,
        idempotency_key=idempotency_key,
        source=source,
        source_ref=source_ref,
        business_unit=business_unit,
        reverses=str(reverses.pk) if reverses is not None else "",
    )


def _codes(draft: EntryDraft) -> list[str]:
    return sorted({line.account for line in draft.lines})


def _post_one(
    koperasi, actor, key: str, draft: EntryDraft, kind: str, reads: posting.BookReads
) -> tuple[JournalEntry, _Prepared | None]:
    """The entry already posted under ``key`` (a replay, checked to be the same), or the
    new entry and its rows, prepared under the lock from ``reads``."""
    existing_id, books = reads.use(koperasi, key, _codes(draft))
    if existing_id is not None:
        existing = JournalEntry.objects.get(koperasi=koperasi, pk=existing_id)
        _check_replay(existing, draft)
        existing.replayed = True  # lets the API answer 200 instead of 201
        return existing, None
    (prepared,) = _prepare(koperasi, actor, [(draft, key, kind)], books)
    return _instance(koperasi, actor, draft, key, kind, prepared), prepared


def _record_posted(koperasi, actor, role, entry, draft, kind, audit_summary) -> None:
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
        found = posting.existing_entries(koperasi, keys)
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


class Posted(NamedTuple):
    """One entry of a ``post_many`` batch: what was stored (or found, when replayed)."""

    id: uuid.UUID
    number: int
    idempotency_key: str
    replayed: bool


@dataclass(frozen=True)
class _Prepared:
    """An entry validated, numbered and hashed under the lock, as rows ready to insert."""

    entry: posting.EntryRow
    lines: list[posting.LineRow]
    id: uuid.UUID
    number: int
    period: int
    total: int
    posted_at: dt.datetime
    prev_hash: str
    hash: str


def _prepare(
    koperasi,
    actor,
    items: Sequence[tuple[EntryDraft, str, str]],
    books: posting.Books | None = None,
) -> list[_Prepared]:
    """Validate, number and hash ``items`` ((draft, key, kind), in order) under the lock.

    ``books``: the accounts and chain head already read under the lock (``post`` reads
    them in the same round trip as its idempotency check). Raises ``LedgerError`` for the
    first entry that may not be posted; nothing is written.
    """
    if books is None:
        codes = {line.account for draft, _key, _kind in items for line in draft.lines}
        books = posting.read_books(koperasi, sorted(codes))
    accounts, last_closed, last_number, last_hash = books
    today = koperasi.today()
    facts = _facts(books)
    # Resolved once per batch: per-row lookups of the connection's features and
    # operations cost more than the rest of the row (bench ledger_batch).
    as_db = (lambda u: u) if connection.features.has_native_uuid_field else (lambda u: u.hex)
    adapt_date = functools.cache(connection.ops.adapt_datefield_value)
    account_ids = {code: (as_db(a.id), str(a.id)) for code, a in accounts.items()}
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
                entry=posting.EntryRow(
                    db_entry_id, kop, number, day, period, draft.memo, kind, draft.source,
                    draft.source_ref, draft.business_unit, key,
                    as_db(uuid.UUID(draft.reverses)) if draft.reverses else None,
                    total, len(hashed_lines), posted_by, posted_at_db, prev_hash, digest,
                ),
                lines=[
                    posting.LineRow(
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
        posting.write(
            koperasi, [p.entry for p in prepared], [line for p in prepared for line in p.lines]
        )
    except IntegrityError as exc:
        if "closed" in str(exc):
            raise LedgerError(
                _("This month is closed; nothing can be posted in it."), field="date"
            ) from exc
        raise


def _check_draft(koperasi, draft: EntryDraft) -> None:
    """Every rule ``post`` applies to ``draft``, without posting (for a proposal)."""
    books = posting.read_books(koperasi, _codes(draft))
    last_closed = books.last_closed
    facts = _facts(books)
    check_business_date(koperasi, draft.date, last_closed_period=last_closed)
    _validate(draft, str(koperasi.pk), facts, last_closed)


def _facts(books: posting.Books) -> dict[str, rules.AccountFacts]:
    return {
        code: rules.AccountFacts(
            code=code,
            koperasi_id=a.koperasi_id,
            is_active=a.is_active,
            subledger_kind=a.subledger_kind,
        )
        for code, a in books.accounts.items()
    }
