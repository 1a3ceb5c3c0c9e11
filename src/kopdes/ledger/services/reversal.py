"""Reversing a ledger-only entry: proposed by one officer, approved (the mirror entry
posted) or rejected by another."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.ledger import selectors
from kopdes.ledger.choices import EntryKind
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.models import JournalEntry, ReversalProposal
from kopdes.ledger.services.common import _lock, check_business_date
from kopdes.ledger.services.entries import post
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import check_decider, reject, settle
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

# Entries that only the ledger knows about; anything a module posted is corrected there.

LEDGER_REVERSIBLE_SOURCES = frozenset({"manual", "ledger.opening"})


def propose_reversal(
    entry: JournalEntry, *, actor, reason: str, date: dt.date | None = None
) -> ReversalProposal:
    """Ask for ``entry`` to be reversed on ``date`` (default: the entry's own date).

    Another officer with ``ledger.approve_reversal`` must approve it.
    """
    koperasi = entry.koperasi
    roles = require_perm(actor, koperasi, "ledger.propose_reversal")
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Give the reason for the reversal."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        if JournalEntry.objects.filter(koperasi=koperasi, reverses=entry).exists():
            raise LedgerError(_("This entry has already been reversed."))
        # The reversal's date obeys the business-date rule now, not only at approval.
        check_business_date(koperasi, date or entry.date)
        if entry.kind == EntryKind.CLOSING:
            raise LedgerError(_("A year-end closing entry is undone by reopening the month."))
        if entry.source not in LEDGER_REVERSIBLE_SOURCES:
            # A savings deposit or a loan repayment also changed the module's own records
            # (passbook, schedule): reversing only the journal would leave them disagreeing
            # with the books. Such mistakes are corrected in the module that made them.
            raise LedgerError(
                _(
                    "This entry was made by %(source)s; correct it there (for example with a "
                    "counter-transaction at the counter), not by a journal reversal."
                )
                % {"source": entry.source}
            )
        if ReversalProposal.objects.filter(
            koperasi=koperasi, entry=entry, state=ProposalState.PENDING
        ).exists():
            raise LedgerError(_("A reversal of this entry is already waiting for approval."))
        proposal = ReversalProposal.objects.create(
            koperasi=koperasi,
            entry=entry,
            reason=reason[:500],
            date=date or entry.date,
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "ledger.reversal.proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={
                "entry": entry.number,
                "reason": reason[:500],
                "date": proposal.date.isoformat(),
            },
        )
    return proposal


def approve_reversal(proposal: ReversalProposal, *, actor) -> JournalEntry:
    """A second officer approves: post the mirror entry pointing at the original.
    Refused (``PermissionDeniedError``) for the maker or without ``ledger.approve_reversal``,
    (``AlreadyDecidedError``) once decided; a refused posting leaves it pending."""
    koperasi = proposal.koperasi
    roles = check_decider(proposal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        _lock(koperasi)
        proposal = ReversalProposal.objects.select_related("entry", "proposed_by").get(
            pk=proposal.pk
        )
        settle(proposal, actor=actor, state=ProposalState.APPROVED)
        original = proposal.entry
        lines = selectors.mirrored_lines(original)
        reversal = post(
            koperasi,
            actor=actor,
            date=proposal.date,
            memo=book_text(
                koperasi,
                gettext_lazy("Reversal of %(entry)s: %(reason)s"),
                entry=original,
                reason=proposal.reason,
            )[:500],
            lines=lines,
            idempotency_key=f"reversal:{original.pk}",
            source=original.source,
            source_ref=original.source_ref,
            business_unit=original.business_unit,
            kind=EntryKind.REVERSAL,
            reverses=original,
            audit_summary={"reverses": original.number, "proposed_by": str(proposal.proposed_by)},
        )
        proposal.reversal_entry = reversal
        proposal.save(update_fields=["reversal_entry"])
        record(
            "ledger.reversal.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"entry": original.number, "reversal": reversal.number},
        )
    return reversal


def reject_reversal(
    proposal: ReversalProposal, *, actor, reason: str = "", source_address: str = ""
) -> ReversalProposal:
    """A second officer turns the reversal down; nothing is posted. ``reason`` (hers) is
    kept as the proposal's ``decision_note`` (and as "reason" in the audit summary, which the
    activity page shows)."""
    note = (reason or "").strip()[:500]
    return reject(
        proposal,
        actor=actor,
        permission="ledger.approve_reversal",
        note=note,
        action="ledger.reversal.rejected",
        summary={"entry_id": str(proposal.entry_id), "reason": note},
        source_address=source_address,
    )
