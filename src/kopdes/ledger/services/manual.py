"""The manual journal (jurnal umum) and its back-dated entries waiting for a second
officer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import dates
from kopdes.domain import ledger as rules
from kopdes.domain.ledger import EntryDraft, LineDraft
from kopdes.ledger import selectors
from kopdes.ledger.errors import IdempotencyConflictError
from kopdes.ledger.models import EntryProposal, JournalEntry
from kopdes.ledger.services.common import _as_line, _lock
from kopdes.ledger.services.entries import _check_draft, _draft, post
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import check_decider, reject, settle
from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm, roles_for


def post_manual(
    koperasi,
    *,
    actor,
    date: dt.date,
    memo: str,
    lines: Sequence[LineDraft | Mapping[str, Any]],
    idempotency_key: str,
    business_unit: str = "",
) -> JournalEntry | EntryProposal:
    """A manual journal entry (jurnal umum) by an officer allowed ``ledger.post_manual``.

    Dated more than the AD/ART ``backdate_approval_days`` before today, nothing is posted
    yet: the checked entry becomes an ``EntryProposal`` for another officer
    (``approve_entry_proposal``); a retry with the same key returns that proposal.
    """
    require_perm(actor, koperasi, "ledger.post_manual")
    key, draft = _draft(
        date=date,
        memo=memo,
        lines=lines,
        idempotency_key=idempotency_key,
        source="manual",
        source_ref="",
        business_unit=business_unit,
    )
    allowance = koperasi.adart.backdate_approval_days
    if (
        dates.needs_second_officer(draft.date, today=koperasi.today(), approval_days=allowance)
        and selectors.get_entry_by_key(koperasi, key) is None
    ):
        return _propose_entry(koperasi, actor, key, draft)
    return post(
        koperasi,
        actor=actor,
        date=date,
        memo=memo,
        lines=lines,
        idempotency_key=idempotency_key,
        source="manual",
        business_unit=business_unit,
    )


def _propose_entry(koperasi, actor, key: str, draft: EntryDraft) -> EntryProposal:
    roles = roles_for(actor, koperasi)
    with transaction.atomic():
        _lock(koperasi)
        existing = EntryProposal.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            stored = EntryDraft(
                date=existing.date,
                memo=existing.memo,
                lines=tuple(_as_line(line) for line in existing.lines),
                business_unit=existing.business_unit,
            )
            diff = rules.differences(stored.fingerprint(), draft.fingerprint())
            if diff:
                raise IdempotencyConflictError(
                    _(
                        "This idempotency key was already used for a proposed entry with "
                        "different content (%(fields)s). Nothing was recorded."
                    )
                    % {"fields": ", ".join(diff)},
                    differences=diff,
                    entry_id="",
                )
            existing.replayed = True
            return existing
        _check_draft(koperasi, draft)
        reason = dates.backdate_message(
            draft.date,
            today=koperasi.today(),
            approval_days=koperasi.adart.backdate_approval_days,
        )
        proposal = EntryProposal.objects.create(
            koperasi=koperasi,
            date=draft.date,
            memo=draft.memo,
            business_unit=draft.business_unit,
            lines=[line.as_dict() for line in draft.lines],
            total_amount=rules.total_debit(draft.lines),
            idempotency_key=key,
            proposed_by=actor,
            proposed_at=timezone.now(),
            reason=reason[:500],
        )
        record(
            "ledger.entry.proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={
                "date": draft.date.isoformat(),
                "total_amount": proposal.total_amount,
                "memo": draft.memo[:200],
                "reason": proposal.reason,
            },
        )
    return proposal


def approve_entry_proposal(proposal: EntryProposal, *, actor) -> JournalEntry:
    """Another officer approves a back-dated manual entry: it is posted now, with every
    rule of ``post`` checked again (books start, today, closed months, accounts); a
    refused posting leaves it pending. The maker, an officer without
    ``ledger.approve_reversal`` and a decided proposal are refused."""
    koperasi = proposal.koperasi
    roles = check_decider(proposal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        _lock(koperasi)
        proposal = EntryProposal.objects.select_related("proposed_by").get(pk=proposal.pk)
        settle(proposal, actor=actor, state=ProposalState.APPROVED)
        entry = post(
            koperasi,
            actor=actor,
            date=proposal.date,
            memo=proposal.memo,
            lines=proposal.lines,
            idempotency_key=proposal.idempotency_key,
            source="manual",
            business_unit=proposal.business_unit,
            audit_summary={"proposed_by": str(proposal.proposed_by)},
        )
        proposal.entry = entry
        proposal.save(update_fields=["entry"])
        record(
            "ledger.entry_proposal.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"entry": entry.number, "date": proposal.date.isoformat()},
        )
    return entry


def reject_entry_proposal(
    proposal: EntryProposal, *, actor, reason: str = "", source_address: str = ""
) -> EntryProposal:
    """Another officer turns a back-dated manual entry down; nothing is posted. Her
    ``reason`` is the proposal's ``decision_note``."""
    note = (reason or "").strip()[:500]
    return reject(
        proposal,
        actor=actor,
        permission="ledger.approve_reversal",
        note=note,
        action="ledger.entry_proposal.rejected",
        summary={"date": proposal.date.isoformat(), "reason": note},
        source_address=source_address,
    )
