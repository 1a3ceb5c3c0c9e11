"""Writing audit events. Every service calls ``record`` inside its own transaction; the
teller paths that send their whole operation in two round trips under the koperasi's lock
call ``record_batched`` instead."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from kopdes.platform.audit.chain import GENESIS, event_fields, link_hash
from kopdes.platform.audit.models import PLATFORM_CHAIN, AuditEvent
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, insert, insert_statements
from kopdes.platform.identity.permissions import role_label

Statement = tuple[str, list[Any]]


@functools.cache
def _head_sql(vendor: str) -> str:
    quote, meta = connection.ops.quote_name, AuditEvent._meta
    seq, chain = (quote(meta.get_field(name).column) for name in ("seq", "chain"))
    return (
        f"SELECT {seq}, {quote(meta.get_field('hash').column)} "  # noqa: S608 (model's names)
        f"FROM {quote(meta.db_table)} WHERE {chain} = %s ORDER BY {seq} DESC LIMIT 1"
    )


def _chain(koperasi) -> str:
    return str(koperasi.pk) if koperasi is not None else PLATFORM_CHAIN


class ChainReads:
    """The chain's lock and head, for a caller to read in its own batch (``ledger.BookReads``
    explains the pattern): ``statements()`` inside the transaction, ``take(results)``, then
    ``record_batched(reads, ...)`` for the next event of that chain. Good for one event: an
    event recorded in between makes the head stale, and the unique (chain, seq) refuses
    the second one loudly."""

    def __init__(self, koperasi=None) -> None:
        self.koperasi = koperasi
        self.chain = _chain(koperasi)
        self.head: list[tuple] | None = None

    def statements(self) -> list[Statement]:
        lock = lock_statement(f"audit:{self.chain}")
        return [
            *([lock] if lock is not None else []),
            (_head_sql(connection.vendor), [self.chain]),
        ]

    def take(self, results) -> None:
        """The rows of ``statements()``, in order (the lock statement's included if any)."""
        self.head = results[-1]

    def run(self) -> list[tuple]:
        """Send ``statements()`` now (one round trip on PostgreSQL) and keep the rows."""
        self.take(execute_batch(self.statements()))
        assert self.head is not None
        return self.head

    def use(self) -> list[tuple]:
        """The head the caller read, else read now; either way it is used up."""
        head, self.head = self.head, None
        return head if head is not None else ChainReads(self.koperasi).run()


class Recorded(NamedTuple):
    """What ``record_batched`` gives back: the event, and the statement that writes it,
    for the caller to send in its own write batch."""

    event: AuditEvent
    writes: list[Statement]


def record(
    action: str,
    *,
    actor=None,
    koperasi=None,
    role: str = "",
    obj=None,
    object_type: str = "",
    object_id: str = "",
    summary: dict[str, Any] | None = None,
    source_address: str = "",
) -> AuditEvent:
    """Append one event to the koperasi's chain (or the platform chain) and return it.

    ``action`` is ``"<app>.<model>.<past_tense_verb>"``. Joins the caller's transaction, so
    the event exists exactly when the change it describes does.
    """
    # savepoint=False: joining the caller's transaction needs no savepoint of its own (an
    # error here aborts the caller's whole operation anyway), and this is on every write.
    with transaction.atomic(savepoint=False):
        # The chain's lock and its head in one round trip (on PostgreSQL).
        head = ChainReads(koperasi).run()
        event = _event(head, action, actor, koperasi, role, obj, object_type, object_id,
                       summary, source_address)  # fmt: skip
        insert([event])
    return event


def record_batched(
    reads: ChainReads,
    action: str,
    *,
    actor=None,
    role: str = "",
    obj=None,
    object_type: str = "",
    object_id: str = "",
    summary: dict[str, Any] | None = None,
    source_address: str = "",
) -> Recorded:
    """``record``'s event for a caller that holds the chain's koperasi lock and sends its
    whole operation in two round trips (the teller, the loan repayment; docs/decisions/0004).

    ``reads`` names the chain; the caller sent its ``statements()`` with its own reads and
    handed the rows to ``reads.take`` (if it did not, the head is read here). Nothing is
    written: the returned ``Recorded.writes`` must be sent (``rows.execute_batch``) before
    the caller's transaction ends.
    """
    with transaction.atomic(savepoint=False):
        head = reads.use()
    event = _event(head, action, actor, reads.koperasi, role, obj, object_type, object_id,
                   summary, source_address)  # fmt: skip
    return Recorded(event, insert_statements([event]))


def _event(
    head: list[tuple],
    action: str,
    actor,
    koperasi,
    role: str,
    obj,
    object_type: str,
    object_id: str,
    summary: dict[str, Any] | None,
    source_address: str,
) -> AuditEvent:
    """The next event after ``head`` (the chain's newest (seq, hash) row, if any), hashed."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    last_seq, last_hash = head[0] if head else (0, GENESIS)
    signed_in = actor is not None and actor.is_authenticated
    event = AuditEvent(
        koperasi=koperasi,
        chain=_chain(koperasi),
        seq=last_seq + 1,
        at=timezone.now(),
        actor=actor if signed_in else None,
        actor_label=(str(actor) if signed_in else "")[:150],
        role=str(role or ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary or {},
        source_address=source_address or "",
        prev_hash=last_hash,
    )
    event.hash = link_hash(event.prev_hash, event_fields(event))
    return event


def record_request(request, action: str, **kwargs: Any) -> AuditEvent:
    """``record`` with actor, koperasi, role and source address taken from the request."""
    roles = getattr(request, "roles", None) or ()
    kwargs.setdefault("koperasi", getattr(request, "koperasi", None))
    kwargs.setdefault("role", role_label(roles))
    return record(
        action,
        actor=request.user,
        source_address=getattr(request, "client_address", request.META.get("REMOTE_ADDR", "")),
        **kwargs,
    )
