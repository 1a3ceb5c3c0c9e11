"""Member exits in the approvals inbox (``platform.approvals``). The inbox's decide view is
the only one (the member page includes its buttons); it calls ``approve_exit`` (which
settles the savings) and ``reject_exit``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.members import services
from kopdes.members.models import ExitProposal
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.registry import ApprovalKind, ApprovalRow, register


def _exits(koperasi, user, roles):
    return ExitProposal.objects.filter(
        koperasi=koperasi, state=ProposalState.PENDING
    ).select_related("member", "proposed_by", "koperasi")


def _exit_row(p: ExitProposal) -> ApprovalRow:
    return ApprovalRow(
        kind=EXIT,
        id=p.pk,
        subject=f"{p.member} · {p.get_to_status_display()}",
        maker=p.proposed_by,
        amount=None,
        rule=_("A member leaves when the ketua approves another officer's proposal"),
        created_at=p.proposed_at,
        url=reverse(
            "members:member-detail", kwargs={"slug": p.koperasi.slug, "member_id": p.member_id}
        ),
    )


def _approve(p, *, actor, source_address=""):
    return services.approve_exit(p, actor=actor, source_address=source_address)


def _reject(p, *, actor, reason, source_address=""):
    return services.reject_exit(p, actor=actor, note=reason, source_address=source_address)


EXIT = register(
    ApprovalKind(
        name="members-exit",
        label=gettext_lazy("Member exit"),
        permission="members.approve_exit",
        model=ExitProposal,
        maker_field="proposed_by",
        pending=_exits,
        row=_exit_row,
        approve=_approve,
        reject=_reject,
    )
)
