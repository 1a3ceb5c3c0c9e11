"""A member pays off her bon (member credit at the store) at the counter.

Cash into the selling unit's Kas (debit), off Piutang usaha / bon anggota 1-1400 (credit),
one journal entry and one ``BonRepayment`` row in the same transaction, under the
koperasi's ledger lock (the lock the checkout takes, so a sale on bon and a repayment
never read the same current bon). Never more than she owes; idempotent by key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.platform.audit.services import record
from kopdes.platform.core.idempotency import replayed
from kopdes.platform.core.locks import lock_chain
from kopdes.store.choices import UnitKind
from kopdes.store.errors import StoreError
from kopdes.store.models import BonRepayment, BusinessUnit
from kopdes.store.services._common import _role
from kopdes.store.services.sales import current_bon
from kopdes.store.services.stock import as_store_errors

PERMISSION = "store.sell"  # the kasir takes the money at the counter
MAX_AMOUNT = 10**15


def bon_unit(koperasi) -> BusinessUnit | None:
    """The unit whose till takes bon repayments: the gerai sembako, else the first running
    unit that sells goods."""
    units = BusinessUnit.objects.filter(koperasi=koperasi, is_active=True)
    return (
        units.filter(kind=UnitKind.SEMBAKO).first() or units.exclude(inventory_account="").first()
    )


def _fingerprint(member, amount: int, unit: BusinessUnit) -> str:
    content = {"member": str(member.pk), "amount": amount, "unit": str(unit.pk)}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def repay_bon(
    koperasi,
    *,
    actor,
    member,
    amount: int,
    idempotency_key: str,
    unit: BusinessUnit | None = None,
    date: dt.date | None = None,
    source_address: str = "",
) -> BonRepayment:
    """Take ``amount`` sen from ``member`` against her bon and post it.

    Refused (``StoreError``, Bahasa Indonesia; nothing written): not this koperasi's member,
    an amount that is not a whole number above zero, no bon to pay, more than she owes, no
    running unit to take the cash. The same key with the same content returns the first
    repayment (``replayed``); with other content ``ConflictError`` (409).
    """
    role = _role(actor, koperasi, PERMISSION)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 150:
        raise StoreError(_("A valid idempotency key is required."), field="idempotency_key")
    if member is None or member.koperasi_id != koperasi.pk:
        raise StoreError(_("Member not found or not active."), field="member")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise StoreError(_("The amount paid must be more than zero."), field="amount")
    unit = unit or bon_unit(koperasi)
    if unit is None or unit.koperasi_id != koperasi.pk or not unit.is_active:
        raise StoreError(_("No running business unit takes the payment."), field="unit")
    fingerprint = _fingerprint(member, amount, unit)
    day = date or koperasi.today()
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        existing = replayed(
            BonRepayment,
            koperasi,
            key,
            fingerprint,
            conflict=lambda _row: _(
                "This idempotency key was already used for another bon payment. "
                "Nothing was recorded."
            ),
        )
        if existing is not None:
            existing.replayed = True
            return existing
        owed = current_bon(koperasi, member)
        if owed <= 0:
            raise StoreError(_("This member has no bon to pay."), field="amount")
        if amount > owed:
            raise StoreError(
                _("The payment of %(amount)s is more than her bon of %(owed)s.")
                % {"amount": format_rupiah(amount), "owed": format_rupiah(owed)},
                field="amount",
            )
        entry = ledger.post(
            koperasi,
            actor=actor,
            date=day,
            memo=_("Bon payment - %(number)s") % {"number": member.number},
            lines=[
                LineDraft.debit(unit.cash_account, amount, business_unit=unit.ledger_unit),
                LineDraft.credit(chart.TRADE_RECEIVABLE, amount, business_unit=unit.ledger_unit),
            ],
            idempotency_key=f"store.bon:{key}",
            source="store.bon",
            business_unit=unit.ledger_unit,
            audited_by_caller=True,
        )
        repayment = BonRepayment.objects.create(
            koperasi=koperasi,
            member=member,
            business_unit=unit,
            amount=amount,
            date=day,
            entry=entry,
            idempotency_key=key,
            fingerprint=fingerprint,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        record(
            "store.bon.repaid",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=repayment,
            summary={
                "member": member.number,
                "amount": amount,
                "bon_before": owed,
                "bon_after": owed - amount,
                "entry": entry.number,
            },
            source_address=source_address,
        )
    repayment.replayed = False
    repayment.bon_after = owed - amount
    return repayment
