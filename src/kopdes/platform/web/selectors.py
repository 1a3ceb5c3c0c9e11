"""Reads for the dashboard. Later issues add their tiles here."""

from __future__ import annotations

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.identity.models import RoleAssignment
from kopdes.platform.identity.permissions import has_perm


def dashboard_summary(koperasi, roles) -> dict:
    officers = (
        RoleAssignment.objects.filter(koperasi=koperasi, revoked_at__isnull=True)
        .exclude(role="anggota")
        .count()
    )
    recent = []
    if has_perm(roles, "audit.view"):
        recent = list(
            AuditEvent.objects.filter(koperasi=koperasi).order_by("-seq")[:5]
        )
    return {"officer_count": officers, "recent_events": recent}
