"""Reads for the koperasi's data-protection records. Times are passed in, never read here."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from kopdes.platform.privacy.choices import DataRequestStatus
from kopdes.platform.privacy.models import BreachRecord, Consent, ConsentNotice, DataRequest


def list_open_requests(koperasi) -> QuerySet[DataRequest]:
    """Open data-subject requests of ``koperasi``, the most urgent first."""
    return DataRequest.objects.filter(koperasi=koperasi, status=DataRequestStatus.OPEN).order_by(
        "due_at", "id"
    )


def list_overdue_requests(koperasi, now: dt.datetime) -> QuerySet[DataRequest]:
    """Open requests whose 72-hour deadline has passed at ``now`` (T15: overdue report)."""
    return list_open_requests(koperasi).filter(due_at__lt=now)


def get_current_notice(koperasi) -> ConsentNotice | None:
    """The latest published consent notice, or None when none has been published yet."""
    return ConsentNotice.objects.filter(koperasi=koperasi).order_by("-version").first()


def list_active_consents(koperasi, subject_type: str, subject_id: str) -> QuerySet[Consent]:
    """A subject's consents that are not withdrawn, newest notice first."""
    return (
        Consent.objects.filter(
            koperasi=koperasi,
            subject_type=subject_type,
            subject_id=str(subject_id),
            withdrawn_at__isnull=True,
        )
        .select_related("notice")
        .order_by("-notice__version")
    )


def list_breaches_awaiting_notice(koperasi) -> QuerySet[BreachRecord]:
    """Register entries without a drafted notice yet, oldest detection first."""
    return BreachRecord.objects.filter(koperasi=koperasi, notice_drafted_at__isnull=True).order_by(
        "detected_at"
    )
