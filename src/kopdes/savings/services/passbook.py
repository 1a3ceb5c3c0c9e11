"""The passbook: marking lines printed."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
)

# --- passbook -----------------------------------------------------------------------------


def mark_passbook_printed(account: SavingsAccount, *, actor, upto_seq: int) -> SavingsAccount:
    """Remember that the passbook is printed up to movement ``upto_seq`` (never backwards)."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    with transaction.atomic():
        fresh = SavingsAccount.objects.get(koperasi=koperasi, pk=account.pk)
        if not isinstance(upto_seq, int) or not fresh.printed_seq < upto_seq <= fresh.last_seq:
            raise SavingsError(_("Nothing new to mark as printed."), field="upto_seq")
        SavingsAccount.objects.filter(pk=fresh.pk).update(printed_seq=upto_seq)
        record(
            "savings.passbook.printed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=fresh,
            summary={"account": fresh.number, "from": fresh.printed_seq + 1, "to": upto_seq},
        )
        fresh.printed_seq = upto_seq
    return fresh
