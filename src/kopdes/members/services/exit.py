"""A member's exit (maker-checker on ``approvals.models.Proposal``): proposal, approval
with the settlement registered in ``platform.core.exits``, rejection. The decide checks
(permission, someone else than the maker, decided once) are ``approvals.services``'.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.members.choices import EXIT_STATUSES
from kopdes.members.errors import MemberError
from kopdes.members.models import ExitProposal, Member
from kopdes.members.services._common import _roles, log
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import check_decider, reject, settle
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.exits import exit_settlement
from kopdes.platform.identity.permissions import role_label


def propose_exit(
    member: Member,
    *,
    actor,
    to_status: str,
    reason: str,
    effective_on: dt.date,
    at: dt.datetime,
    source_address: str = "",
) -> ExitProposal:
    """Propose that ``member`` leaves (berhenti / meninggal / diberhentikan). Maker step.

    A second officer (ketua) approves it with ``approve_exit``. One open proposal per
    member. Audited as ``members.exit.proposed``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.propose_exit")
    if actor is None:
        raise PermissionDeniedError(_("This must be done by a logged-in officer."))
    if to_status not in {s.value for s in EXIT_STATUSES}:
        raise MemberError(_("Choose how the member leaves."), field="to_status")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise MemberError(_("Please write the reason."), field="reason")
    if len(reason) > 300:
        raise MemberError(_("The reason may be at most 300 characters."), field="reason")
    if not isinstance(effective_on, dt.date):
        raise MemberError(_("Please fill in the date."), field="effective_on")
    if member.status in EXIT_STATUSES:
        raise MemberError(_("This member has already left."), field="to_status")
    try:
        with transaction.atomic():
            proposal = ExitProposal.objects.create(
                koperasi=koperasi,
                member=member,
                to_status=to_status,
                reason=reason,
                effective_on=effective_on,
                proposed_by=actor,
                proposed_at=at,
            )
            record(
                "members.exit.proposed",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=proposal,
                summary={"number": member.number, "to_status": to_status},
                source_address=source_address,
            )
    except IntegrityError:
        raise MemberError(
            _("An exit for this member is already waiting for approval."), field="to_status"
        ) from None
    return proposal


def _settle_exit(member: Member, *, actor, date: dt.date) -> dict | None:
    """Return pokok and wajib less what the member owes: the savings app posts it (and
    has the loans paid off first) through the settlement it registers in
    ``platform.core.exits``; its summary, or None when none is registered (no savings app)."""
    settle = exit_settlement()
    if settle is None:
        log.warning("no exit settlement registered: exit of member %s not settled", member.number)
        return None
    return settle(member, actor=actor, date=date)


def approve_exit(
    proposal: ExitProposal, *, actor, at: dt.datetime | None = None, source_address: str = ""
) -> Member:
    """Approve an exit (checker step, ``approvals.services``): a different officer than the
    proposer, with ``members.approve_exit`` (ketua). Sets the status, date and reason, and
    settles the member's savings through the settlement registered in
    ``platform.core.exits`` in the same transaction. Audited as ``members.exit.approved``.
    A proposal decided already is refused (``AlreadyDecidedError``). ``at`` is accepted for
    callers; ``settle`` stamps the decision with the clock.
    """
    del at
    if actor is None:
        raise PermissionDeniedError(_("This must be done by a logged-in officer."))
    roles = check_decider(proposal, actor, "members.approve_exit")
    with transaction.atomic():
        settle(proposal, actor=actor, state=ProposalState.APPROVED)
        member = Member.objects.select_for_update().get(pk=proposal.member_id)
        member.status = proposal.to_status
        member.left_on = proposal.effective_on
        member.exit_reason = proposal.reason
        member.save(update_fields=["status", "left_on", "exit_reason"])
        member.settlement = _settle_exit(member, actor=actor, date=proposal.effective_on)
        record(
            "members.exit.approved",
            actor=actor,
            koperasi=proposal.koperasi,
            role=role_label(roles, "members.approve_exit"),
            obj=proposal,
            summary={
                "number": member.number,
                "to_status": proposal.to_status,
                "proposed_by": str(proposal.proposed_by_id),
                "effective_on": proposal.effective_on.isoformat(),
            },
            source_address=source_address,
        )
    return member


def reject_exit(
    proposal: ExitProposal,
    *,
    actor,
    at: dt.datetime | None = None,
    note: str = "",
    source_address: str = "",
) -> ExitProposal:
    """Reject an exit proposal (another officer than the proposer, ``members.approve_exit``)
    through ``approvals.services.reject``; ``note`` is the checker's why (optional). Nothing
    else changes. Audited as ``members.exit.rejected``. ``at`` is accepted for callers."""
    del at
    if actor is None:
        raise PermissionDeniedError(_("This must be done by a logged-in officer."))
    return reject(
        proposal,
        actor=actor,
        permission="members.approve_exit",
        note=" ".join(str(note or "").split()),
        action="members.exit.rejected",
        summary={"number": proposal.member.number},
        source_address=source_address,
    )
