"""The savings settlement of a member's exit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
    AccountStatus,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
    WithdrawalRequest,
)
from kopdes.savings.services._common import MEMOS, _check_date, _lock
from kopdes.savings.services.movement import Move, _apply, _cash

# --- exit ---------------------------------------------------------------------------------


def settle_member_exit(member, *, actor, date: dt.date) -> dict[str, Any]:
    """Return a leaving member's savings less what they still owe, and close the accounts.

    Called by ``members`` when an exit is approved (inside its transaction). Pokok, wajib
    and sukarela are paid out; open term deposits their principal without penalty or
    jasa. What the member owes on ``date`` (each active loan's payoff amount: denda, jasa
    to date and pokok, from the providers in ``platform.core.obligations``) is paid off
    first, as a pelunasan through the loans service, so the schedule closes; only the
    remainder leaves in cash. In the books the savings are paid out in Kas (one entry)
    and each loan is paid off into Kas (its own entry): the net cash out is the
    remainder. If the savings do not cover the debts the exit is refused (nothing is
    written; the member pays the difference first or the loan goes through the loans
    app's write-off). Unpaid wajib months are not deducted: wajib collected now would be
    returned at once. Idempotent: a second call finds nothing left and returns zeros.
    """
    from kopdes.platform.core.obligations import member_obligations

    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.settle_exit")
    date = _check_date(date)
    with transaction.atomic():
        _lock(koperasi)
        accounts = list(
            SavingsAccount.objects.filter(
                koperasi=koperasi, member=member, status=AccountStatus.OPEN
            ).order_by("number")
        )
        paying = [a for a in accounts if a.balance > 0]
        total = sum(a.balance for a in paying)
        per_kind: dict[str, int] = defaultdict(int)
        for a in paying:
            per_kind[a.kind] += a.balance
        debts = member_obligations(member, date)
        owed = sum(d.amount for d in debts)
        if owed > total:
            raise SavingsError(
                _(
                    "%(member)s still owes %(owed)s but has only %(savings)s in savings: "
                    "the difference of %(short)s must be paid first (or the loan handled in "
                    "the loans menu). The exit was not recorded."
                )
                % {
                    "member": member.number,
                    "owed": format_rupiah(owed),
                    "savings": format_rupiah(total),
                    "short": format_rupiah(owed - total),
                },
                field="member",
            )
        if paying:
            returned = book_text(koperasi, MEMOS["returned"])
            _apply(
                koperasi,
                actor=actor,
                date=date,
                memo=book_text(koperasi, MEMOS["exit"], member=member.number),
                moves=[Move(a, TxnKind.PAYOUT, -a.balance, returned) for a in paying],
                other_lines=[LineDraft.credit(_cash(koperasi), total)],
                key=f"exit:{member.pk}",
                source="savings.exit",
            )
        for debt in debts:
            debt.settle(actor=actor, idempotency_key=f"exit:{member.pk}:{debt.kind}:{debt.ref}")
        SavingsAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(
            status=AccountStatus.CLOSED, closed_on=date
        )
        WithdrawalRequest.objects.filter(
            koperasi=koperasi, account__member=member, state=ProposalState.PENDING
        ).update(
            state=ProposalState.REJECTED, decision_note="Anggota keluar", decided_at=timezone.now()
        )
        offsets = [{"kind": d.kind, "ref": d.ref, "amount": d.amount} for d in debts]
        record(
            "savings.exit.settled",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=member,
            summary={
                "member": member.number,
                "total": total,
                "per_kind": dict(per_kind),
                "offset": owed,
                "paid": total - owed,
                "obligations": offsets,
            },
        )
    return {
        "total": total,
        "per_kind": dict(per_kind),
        "accounts": len(accounts),
        "offset": owed,
        "paid": total - owed,
        "obligations": offsets,
    }
