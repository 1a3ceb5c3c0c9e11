"""The bookkeeping decisions in the approvals inbox (``platform.approvals``): entry
reversals, back-dated manual entries and month closes / reopenings. Deciding calls the
same services as the ledger pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.dates import format_day, format_period
from kopdes.ledger import services
from kopdes.ledger.choices import PeriodAction, ProposalStatus
from kopdes.ledger.models import EntryProposal, PeriodProposal, ReversalProposal
from kopdes.platform.approvals.registry import ApprovalKind, ApprovalRow, register


def _pending(model, *related: str):
    def pending(koperasi, user, roles):
        return model.objects.filter(
            koperasi=koperasi, status=ProposalStatus.PENDING
        ).select_related("proposed_by", "koperasi", *related)

    return pending


def _reversal_row(p: ReversalProposal) -> ApprovalRow:
    return ApprovalRow(
        kind=REVERSAL,
        id=p.pk,
        subject=f"{p.entry} · {p.entry.memo}",
        maker=p.proposed_by,
        amount=p.entry.total_amount,
        rule=_("A posted journal entry is reversed only with a second officer (four eyes)"),
        created_at=p.proposed_at,
        url=reverse(
            "ledger:entry-detail", kwargs={"slug": p.koperasi.slug, "entry_id": p.entry_id}
        ),
    )


def _entry_row(p: EntryProposal) -> ApprovalRow:
    return ApprovalRow(
        kind=ENTRY,
        id=p.pk,
        subject=f"{format_day(p.date)} · {p.memo}",
        maker=p.proposed_by,
        amount=p.total_amount,
        rule=_("Dated more than %(days)d days back (AD/ART)")
        % {"days": p.koperasi.adart.backdate_approval_days},
        created_at=p.proposed_at,
        url=reverse("ledger:entry-proposal-list", kwargs={"slug": p.koperasi.slug}),
    )


def _period_row(p: PeriodProposal) -> ApprovalRow:
    return ApprovalRow(
        kind=PERIOD,
        id=p.pk,
        subject=f"{p.get_action_display()} · {format_period(p.period)}",
        maker=p.proposed_by,
        amount=None,
        rule=_("Closing the books of a month is approved by the ketua")
        if p.action == PeriodAction.CLOSE
        else _("Reopening a closed month is approved by the ketua"),
        created_at=p.proposed_at,
        url=reverse("ledger:period-list", kwargs={"slug": p.koperasi.slug}),
    )


REVERSAL = register(
    ApprovalKind(
        name="ledger-reversal",
        label=gettext_lazy("Journal reversal"),
        permission="ledger.approve_reversal",
        model=ReversalProposal,
        maker_field="proposed_by",
        pending=_pending(ReversalProposal, "entry"),
        row=_reversal_row,
        approve=lambda p, *, actor, source_address="": services.approve_reversal(p, actor=actor),
        reject=lambda p, *, actor, reason, source_address="": services.reject_reversal(
            p, actor=actor, reason=reason
        ),
    )
)
ENTRY = register(
    ApprovalKind(
        name="ledger-backdated-entry",
        label=gettext_lazy("Back-dated journal entry"),
        permission="ledger.approve_reversal",
        model=EntryProposal,
        maker_field="proposed_by",
        pending=_pending(EntryProposal),
        row=_entry_row,
        approve=lambda p, *, actor, source_address="": services.approve_entry_proposal(
            p, actor=actor
        ),
        reject=lambda p, *, actor, reason, source_address="": services.reject_entry_proposal(
            p, actor=actor, reason=reason
        ),
    )
)
PERIOD = register(
    ApprovalKind(
        name="ledger-period",
        label=gettext_lazy("Month close"),
        permission="ledger.approve_close",
        model=PeriodProposal,
        maker_field="proposed_by",
        pending=_pending(PeriodProposal),
        row=_period_row,
        approve=lambda p, *, actor, source_address="": services.approve_period_change(
            p, actor=actor
        ),
        reject=lambda p, *, actor, reason, source_address="": services.reject_period_change(
            p, actor=actor, reason=reason
        ),
    )
)
