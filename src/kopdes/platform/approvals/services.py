"""The one decide / reject of every proposal (``approvals.models.Proposal``).

A module's approve service does three things in this order: ``check_decider`` (the
permission and "someone else decides"), then inside its transaction ``settle`` (pending ->
approved, exactly once, whatever the race), then its own effect (post the entry, close
the month...) and its audit event. Rejecting has no effect of its own, so ``reject`` is
whole here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.platform.approvals.models import Proposal, ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm


class AlreadyDecidedError(ConflictError):
    code = "already_decided"


def check_decider(proposal: Proposal, actor: Any, permission: str) -> frozenset:
    """The actor's roles if she may decide ``proposal``: ``permission`` in its koperasi and
    not its maker (``PermissionDeniedError`` otherwise, in Bahasa Indonesia)."""
    roles = require_perm(actor, proposal.koperasi, permission)
    if proposal.proposed_by_id == actor.pk:
        raise PermissionDeniedError(
            _("The officer who proposed this cannot approve or reject it; another officer must.")
        )
    return roles


def settle(
    proposal: Proposal, *, actor: Any, state: ProposalState, note: str = "", **fields: Any
) -> Proposal:
    """Move a pending ``proposal`` to ``state`` once: a conditional UPDATE, so of two
    officers deciding at the same moment one wins and the other gets
    ``AlreadyDecidedError``. ``fields`` are the module's own columns set in the same
    UPDATE (the reversal entry it posted...). Call inside the caller's transaction."""
    now = timezone.now()
    updated = (
        type(proposal)
        ._default_manager.filter(pk=proposal.pk, state=ProposalState.PENDING)
        .update(state=state, decided_by=actor, decided_at=now, decision_note=note, **fields)
    )
    if not updated:
        raise AlreadyDecidedError(_("This proposal has already been decided."))
    proposal.state = state
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.decision_note = note
    for name, value in fields.items():
        setattr(proposal, name, value)
    return proposal


def reject(
    proposal: Proposal,
    *,
    actor: Any,
    permission: str,
    note: str,
    action: str,
    summary: dict[str, Any] | None = None,
    source_address: str = "",
) -> Proposal:
    """Turn ``proposal`` down (nothing moves) and audit ``action``: another officer with
    ``permission`` decides; a proposal decided already is refused."""
    roles = check_decider(proposal, actor, permission)
    with transaction.atomic():
        settle(proposal, actor=actor, state=ProposalState.REJECTED, note=note[:500])
        record(
            action,
            actor=actor,
            koperasi=proposal.koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={**(summary or {}), "note": note[:500]},
            source_address=source_address,
        )
    return proposal
