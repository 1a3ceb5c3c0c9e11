"""Batch posting of cash movements (demo, opening balances)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import MAX_SEN
from kopdes.ledger import chart
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member
from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
    SavingsKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsTransaction,
)
from kopdes.savings.services._common import _check_date, _check_key, _lock
from kopdes.savings.services.movement import Move, _apply, _replay

# --- batch posting (demo, opening balances) -----------------------------------------------


def post_cash_batch(
    koperasi,
    *,
    actor,
    date: dt.date,
    moves: Sequence[Move],
    idempotency_key: str,
    memo: str,
    source: str = "savings.batch",
    counter_account: str = chart.CASH,
) -> list[SavingsTransaction]:
    """Many members' deposits (+) / withdrawals (-) in one entry against ``counter_account``.

    For collections (wajib day in the village hall), the demo and opening balances. Every
    member must be active (pokok: or a calon); balances never go below zero.
    """
    roles = require_perm(actor, koperasi, "savings.teller")
    key = _check_key(idempotency_key)
    date = _check_date(date)
    if not moves:
        raise SavingsError(_("Nothing to post."))
    for m in moves:
        if m.account.koperasi_id != koperasi.pk:
            raise SavingsError(_("The account was not found."), field="account")
        if not isinstance(m.amount, int) or m.amount == 0 or abs(m.amount) > MAX_SEN:
            raise SavingsError(_("The amount must be more than zero."), field="amount")
    with transaction.atomic():
        _lock(koperasi)
        replay = _replay(koperasi, moves, key)
        if replay is not None:
            return replay
        statuses = dict(
            Member.objects.filter(
                koperasi=koperasi, pk__in={m.account.member_id for m in moves}
            ).values_list("pk", "status")
        )
        for m in moves:
            allowed = {MemberStatus.ACTIVE}
            if m.account.kind == SavingsKind.PRINCIPAL:
                allowed.add(MemberStatus.CANDIDATE)
            if statuses.get(m.account.member_id) not in allowed:
                raise SavingsError(
                    _("Savings are only for active members; %(member)s is not an active member.")
                    % {"member": m.account.number},
                    field="member",
                )
        net = sum(m.amount for m in moves)
        other = []
        if net > 0:
            other.append(LineDraft.debit(counter_account, net))
        elif net < 0:
            other.append(LineDraft.credit(counter_account, -net))
        txns = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=memo,
            moves=moves,
            other_lines=other,
            key=key,
            source=source,
        )
        record(
            "savings.batch.posted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            object_type="savings.batch",
            summary={"moves": len(moves), "net": net, "entry": txns[0].entry.number},
        )
    return txns
