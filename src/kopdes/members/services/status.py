"""The status lifecycle: activation and return to candidate."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.members.choices import MemberStatus
from kopdes.members.errors import MemberError
from kopdes.members.models import Member
from kopdes.members.services._common import _roles
from kopdes.platform.audit.services import record

# --- status lifecycle ----------------------------------------------------------------------


def activate_member(member: Member, *, actor, date: dt.date, source_address: str = "") -> Member:
    """Turn a calon member aktif (called when the simpanan pokok is paid).

    Called by ``savings.services`` inside its own transaction; ``actor`` is the officer
    who took the payment. Idempotent for an already active member (returns it unchanged).
    Audited as ``members.member.activated``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.view")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status == MemberStatus.ACTIVE:
            return locked
        if locked.status != MemberStatus.CANDIDATE:
            raise MemberError(
                _("Only a candidate member can become active; this member has left."),
                field="status",
            )
        locked.status, locked.joined_on = MemberStatus.ACTIVE, date
        locked.save(update_fields=["status", "joined_on"])
        record(
            "members.member.activated",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=locked,
            summary={"number": locked.number, "joined_on": date.isoformat()},
            source_address=source_address,
        )
    member.status, member.joined_on = locked.status, locked.joined_on
    return locked


def return_to_candidate(member: Member, *, actor, date: dt.date) -> Member:
    """Undo an activation: the simpanan pokok that made ``member`` aktif was corrected
    (``savings.services.approve_correction``), so they are a calon again.

    Called by savings inside its own transaction. A member who is not aktif is returned
    unchanged. Audited as ``members.member.returned_to_candidate``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.view")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status != MemberStatus.ACTIVE:
            return locked
        locked.status, locked.joined_on = MemberStatus.CANDIDATE, None
        locked.save(update_fields=["status", "joined_on"])
        record(
            "members.member.returned_to_candidate",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=locked,
            summary={"number": locked.number, "date": date.isoformat()},
        )
    member.status, member.joined_on = locked.status, locked.joined_on
    return locked
