"""Writing audit events. Every service calls ``record`` inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kopdes.platform.audit.chain import GENESIS, event_fields, link_hash
from kopdes.platform.audit.models import PLATFORM_CHAIN, AuditEvent
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, insert


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
    chain = str(koperasi.pk) if koperasi is not None else PLATFORM_CHAIN
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # savepoint=False: joining the caller's transaction needs no savepoint of its own (an
    # error here aborts the caller's whole operation anyway), and this is on every write.
    with transaction.atomic(savepoint=False):
        # The chain's lock and its head in one round trip (on PostgreSQL).
        *_lock, head = execute_batch(
            [
                lock_statement(f"audit:{chain}"),
                (
                    "SELECT seq, hash FROM audit_auditevent WHERE chain = %s "
                    "ORDER BY seq DESC LIMIT 1",
                    [chain],
                ),
            ]
        )
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
        insert([event])
    return event


def record_request(request, action: str, **kwargs: Any) -> AuditEvent:
    """``record`` with actor, koperasi, role and source address taken from the request."""
    roles = getattr(request, "roles", None) or ()
    kwargs.setdefault("koperasi", getattr(request, "koperasi", None))
    kwargs.setdefault("role", ",".join(sorted(str(r) for r in roles)))
    return record(
        action,
        actor=request.user,
        source_address=getattr(request, "client_address", request.META.get("REMOTE_ADDR", "")),
        **kwargs,
    )
