"""Writing audit events. Every service calls ``record`` inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kopdes.platform.audit.chain import GENESIS, event_fields, link_hash
from kopdes.platform.audit.models import PLATFORM_CHAIN, AuditEvent
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, insert, insert_statements
from kopdes.platform.identity.permissions import role_label


def _chain(koperasi) -> str:
    return str(koperasi.pk) if koperasi is not None else PLATFORM_CHAIN


class Prefetch:
    """The chain's lock and head, for a caller to read in its own batch (``ledger.BookReads``
    explains the pattern): ``statements()`` inside the transaction, ``take(results)``, then
    ``record(prefetched=)`` for the next event of that chain (an event recorded in between
    makes the head stale, and the unique (chain, seq) refuses the second one loudly)."""

    def __init__(self, koperasi=None) -> None:
        self.chain = _chain(koperasi)
        self.head: list[tuple] | None = None

    def statements(self) -> list[tuple[str, list[Any]]]:
        lock = lock_statement(f"audit:{self.chain}")
        return [
            *([lock] if lock is not None else []),
            (
                "SELECT seq, hash FROM audit_auditevent WHERE chain = %s ORDER BY seq DESC LIMIT 1",
                [self.chain],
            ),
        ]

    def take(self, results) -> None:
        self.head = results[-1]


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
    prefetched: Prefetch | None = None,
    writes: list[tuple[str, list[Any]]] | None = None,
) -> AuditEvent:
    """Append one event to the koperasi's chain (or the platform chain) and return it.

    ``action`` is ``"<app>.<model>.<past_tense_verb>"``. Joins the caller's transaction, so
    the event exists exactly when the change it describes does. ``prefetched``: the
    chain's lock and head already read in the caller's batch; ``writes``: append the
    INSERT there for the caller to run before its transaction ends.
    """
    chain = _chain(koperasi)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # savepoint=False: joining the caller's transaction needs no savepoint of its own (an
    # error here aborts the caller's whole operation anyway), and this is on every write.
    with transaction.atomic(savepoint=False):
        if prefetched is None or prefetched.head is None or prefetched.chain != chain:
            # The chain's lock and its head in one round trip (on PostgreSQL).
            prefetched = Prefetch(koperasi)
            prefetched.take(execute_batch(prefetched.statements()))
        head = prefetched.head
        prefetched.head = None  # good for one event: the next one follows this one
        last = {"seq": head[0][0], "hash": head[0][1]} if head else None
        event = AuditEvent(
            koperasi=koperasi,
            chain=chain,
            seq=(last["seq"] + 1) if last else 1,
            at=timezone.now(),
            actor=actor if (actor is not None and actor.is_authenticated) else None,
            actor_label=(str(actor) if actor is not None and actor.is_authenticated else "")[:150],
            role=str(role or ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary or {},
            source_address=source_address or "",
            prev_hash=last["hash"] if last else GENESIS,
        )
        event.hash = link_hash(event.prev_hash, event_fields(event))
        if writes is None:
            insert([event])
        else:
            writes.extend(insert_statements([event]))
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
