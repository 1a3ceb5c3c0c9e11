"""The chart of accounts: the template installed for a new koperasi, sub-accounts an
officer adds, closing an account at zero balance."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kopdes.domain import ledger as rules
from kopdes.ledger import chart
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.models import Account, AccountBalance
from kopdes.ledger.services.common import _lock
from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm


def install_chart_of_accounts(koperasi) -> int:
    """Create the cooperative template accounts the koperasi lacks; return how many.

    Idempotent: existing codes are left alone (an officer may have renamed them), so it is
    safe to run again after the koperasi enables another business unit.
    """
    with transaction.atomic():
        existing = {a.code: a for a in Account.objects.filter(koperasi=koperasi).only("id", "code")}
        created = 0
        for t in chart.expand(list(koperasi.business_units or [])):
            if t.code in existing:
                continue
            parent = existing.get(t.parent) if t.parent else None
            account = Account.objects.create(
                koperasi=koperasi,
                code=t.code,
                name=t.name,
                type=t.type,
                normal_side=_normal_side(t.type, t.contra),
                is_contra=t.contra,
                parent=parent,
                subledger_kind=t.subledger,
                business_unit=t.unit,
                is_member_revenue=t.member_revenue,
                is_template=True,
            )
            existing[t.code] = account
            created += 1
    return created


def _normal_side(account_type: str, contra: bool) -> str:
    side = rules.AccountType(account_type).normal_side
    return str(side.opposite if contra else side)


def setup_koperasi_books(koperasi, *, actor=None) -> None:
    """Everything a new koperasi's books need: the chart of accounts. Idempotent.

    Called by ``tenancy.services.create_koperasi`` in its transaction.
    """
    with transaction.atomic():
        created = install_chart_of_accounts(koperasi)
        if created:
            record(
                "ledger.chart.installed",
                actor=actor,
                koperasi=koperasi,
                object_type="ledger.account",
                summary={"accounts_created": created},
            )


def create_account(
    koperasi,
    *,
    actor,
    parent_code: str,
    code: str,
    name: str,
    business_unit: str = "",
) -> Account:
    """An officer adds a sub-account under ``parent_code``; type and sides are inherited.

    The code must extend the parent's numbering ("1-1100" -> "1-1100.01" or "1-1105").
    """
    roles = require_perm(actor, koperasi, "ledger.manage_accounts")
    code = (code or "").strip()
    name = (name or "").strip()
    if not name:
        raise LedgerError(_("The account name is required."), field="name")
    if not chart.ACCOUNT_CODE.match(code):
        raise LedgerError(_("An account code looks like 1-1101 or 1-1100.01."), field="code")
    if business_unit and business_unit not in chart.UNIT_DIGITS:
        raise LedgerError(_("Unknown business unit."), field="business_unit")
    with transaction.atomic():
        parent = Account.objects.filter(koperasi=koperasi, code=parent_code).first()
        if parent is None:
            raise LedgerError(_("The parent account does not exist."), field="parent_code")
        if code[:3] != parent.code[:3]:
            raise LedgerError(
                _("A sub-account code must start like its parent's (%(prefix)s).")
                % {"prefix": parent.code[:3]},
                field="code",
            )
        if Account.objects.filter(koperasi=koperasi, code=code).exists():
            raise LedgerError(_("An account with this code already exists."), field="code")
        account = Account.objects.create(
            koperasi=koperasi,
            code=code,
            name=name,
            type=parent.type,
            normal_side=parent.normal_side,
            is_contra=parent.is_contra,
            parent=parent,
            subledger_kind=parent.subledger_kind,
            business_unit=business_unit or parent.business_unit,
            is_member_revenue=parent.is_member_revenue,
        )
        record(
            "ledger.account.created",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"code": code, "name": name, "parent": parent.code},
        )
    return account


def set_account_active(account: Account, *, actor, active: bool) -> Account:
    """Close an account for new postings (or open it again). Closing needs a zero balance."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "ledger.manage_accounts")
    with transaction.atomic():
        _lock(koperasi)
        if not active:
            totals = AccountBalance.objects.filter(koperasi=koperasi, account=account).aggregate(
                d=Sum("debit_total"), c=Sum("credit_total")
            )
            if (totals["d"] or 0) != (totals["c"] or 0):
                raise LedgerError(_("Only an account with a zero balance can be closed."))
        Account.objects.filter(koperasi=koperasi, pk=account.pk).update(is_active=active)
        account.is_active = active
        record(
            "ledger.account.opened" if active else "ledger.account.closed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"code": account.code},
        )
    return account
