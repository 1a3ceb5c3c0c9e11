"""Reads of the audit log, always scoped to one koperasi."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kopdes.platform.audit.models import AuditEvent


def list_events(
    koperasi,
    *,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    obj: str = "",
) -> QuerySet[AuditEvent]:
    """The koperasi's events, newest first, filtered.

    ``action`` matches the start of the code ("ledger." for all bookkeeping), ``actor``
    part of the actor's name, ``obj`` part of the object type or id. Dates are whole days
    in the koperasi's time zone (Asia/Jakarta), both ends included.
    """
    qs = AuditEvent.objects.filter(koperasi=koperasi)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if obj:
        qs = qs.filter(Q(object_id__icontains=obj) | Q(object_type__icontains=obj))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return qs.order_by("-at", "-seq")


def list_actions(koperasi) -> list[str]:
    """The distinct action codes this koperasi's log holds, for the filter menu."""
    return list(
        AuditEvent.objects.filter(koperasi=koperasi)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def get_event(koperasi, event_id) -> AuditEvent:
    """One event of this koperasi; a missing or another koperasi's event is the same 404."""
    event = AuditEvent.objects.filter(koperasi=koperasi, pk=event_id).first()
    if event is None:
        raise Http404
    return event
