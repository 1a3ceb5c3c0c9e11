"""The bookkeeping decisions in the approvals inbox (``platform.approvals``): entry
reversals, back-dated manual entries and month closes / reopenings. The ledger's own pages
decide through these kinds too (the ``approvals/_decide.html`` include posts to the
inbox's view pair with ``next``); deciding calls the ledger's services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.dates import format_day, format_period
from kopdes.ledger import services
from kopdes.ledger.choices import PeriodAction
from kopdes.ledger.models import EntryProposal, PeriodProposal, ReversalProposal
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.registry import ApprovalKind, ApprovalRow, register


def _pending(model, *related: str):
    def pending(koperasi, user, roles):
        return model.objects.filter(koperasi=koperasi, state=ProposalState.PENDING).select_related(
            "proposed_by", "koperasi", *related
        )

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


def _kind(name: str, label, permission: str, model, row, approve, reject, *related: str):
    """A ledger proposal (an ``approvals.models.Proposal``: the maker is ``proposed_by``)
    decided by its ledger service; the rejecting officer's reason is its decision note."""
    return register(
        ApprovalKind(
            name=name,
            label=label,
            permission=permission,
            model=model,
            maker_field="proposed_by",
            pending=_pending(model, *related),
            row=row,
            approve=lambda p, *, actor, source_address="": approve(p, actor=actor),
            reject=lambda p, *, actor, reason, source_address="": reject(
                p, actor=actor, reason=reason, source_address=source_address
            ),
        )
    )


REVERSAL = _kind(
    "ledger-reversal",
    gettext_lazy("Journal reversal"),
    "ledger.approve_reversal",
    ReversalProposal,
    _reversal_row,
    services.approve_reversal,
    services.reject_reversal,
    "entry",
)
ENTRY = _kind(
    "ledger-backdated-entry",
    gettext_lazy("Back-dated journal entry"),
    "ledger.approve_reversal",
    EntryProposal,
    _entry_row,
    services.approve_entry_proposal,
    services.reject_entry_proposal,
)
PERIOD = _kind(
    "ledger-period",
    gettext_lazy("Month close"),
    "ledger.approve_close",
    PeriodProposal,
    _period_row,
    services.approve_period_change,
    services.reject_period_change,
)
