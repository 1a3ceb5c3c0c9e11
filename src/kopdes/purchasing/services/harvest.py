"""Buying members' harvest (gabah, sayur, hasil bumi) for cash, by ``domain.harvest``'s rules.

The net weight goes into the hasil bumi unit's stock through ``store.services.stock.
receive_stock`` (Persediaan hasil bumi debit, the unit's Kas credit). Each purchase is a
``HarvestPurchase`` row with the member and the amount: her transaction with the koperasi,
which the SHU's jasa usaha sums per member per year (``selectors.harvest_participation``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain import harvest as rules
from kopdes.domain.money import format_rupiah
from kopdes.members.models import Member
from kopdes.platform.audit.services import record
from kopdes.platform.core.idempotency import replayed
from kopdes.purchasing.errors import PurchasingError
from kopdes.purchasing.models import HarvestPurchase, HarvestTerms
from kopdes.purchasing.services._common import (
    _role,
    clean_key,
    fingerprint,
    lock,
    next_number,
)
from kopdes.store.choices import UnitKind
from kopdes.store.models import Item
from kopdes.store.services.stock import receive_stock

PERMISSION = "purchasing.buy_harvest"


def harvest_item(koperasi, value: Any) -> Item:
    """An active item of the koperasi's hasil bumi unit sold by the kg, else refused."""
    item = None
    if isinstance(value, Item):
        item = value if value.koperasi_id == koperasi.pk else None
    elif value:
        try:
            item = (
                Item.objects.filter(koperasi=koperasi, pk=value)
                .select_related("business_unit")
                .first()
            )
        except (ValueError, TypeError, ValidationError):
            item = None
    if item is None or not item.is_active:
        raise PurchasingError(_("Item not found."), field="item")
    if item.business_unit.kind != UnitKind.HASIL_BUMI or not item.business_unit.is_active:
        raise PurchasingError(
            _("Only items of the members' harvest unit (hasil bumi) are bought here."),
            field="item",
        )
    if item.base_unit != "kg" or item.is_service:
        raise PurchasingError(_("A harvest item is weighed in kg."), field="item")
    return item


def terms_for(koperasi, item: Item) -> rules.HarvestTerms:
    row = HarvestTerms.objects.filter(koperasi=koperasi, item=item).first()
    if row is None:
        return rules.HarvestTerms()
    return rules.HarvestTerms(row.standard_moisture_bp, row.refraction_bp)


def set_harvest_terms(
    koperasi, *, actor, item: Any, standard_moisture_bp: int | None, refraction_bp: int
) -> HarvestTerms:
    """The buying terms of a harvest item (standard moisture, rafaksi; basis points).
    Audited ``purchasing.harvest_terms.set``."""
    role = _role(actor, koperasi, "purchasing.order")
    row_item = harvest_item(koperasi, item)
    try:
        rules.HarvestTerms(standard_moisture_bp, refraction_bp)
    except rules.HarvestError as exc:
        raise PurchasingError(exc.message, field=exc.field) from exc
    with transaction.atomic():
        row, _created = HarvestTerms.objects.update_or_create(
            koperasi=koperasi,
            item=row_item,
            defaults={"standard_moisture_bp": standard_moisture_bp, "refraction_bp": refraction_bp},
        )
        record(
            "purchasing.harvest_terms.set", actor=actor, koperasi=koperasi, role=role, obj=row,
            summary={"item": row_item.name, "standard_moisture_bp": standard_moisture_bp,
                     "refraction_bp": refraction_bp},
        )  # fmt: skip
    return row


def grams_of(kg: Any) -> int:
    """A weight typed in kg ("12,5") as whole grams, refused when not a positive weight."""
    try:
        value = Decimal(str(kg).strip().replace(",", ".")) if not isinstance(kg, Decimal) else kg
    except (InvalidOperation, ValueError):
        raise PurchasingError(_("The weight is not a number."), field="gross_kg") from None
    if not value.is_finite() or value <= 0:
        raise PurchasingError(_("The weight must be more than zero."), field="gross_kg")
    grams = value * 1000
    if grams != grams.to_integral_value():
        raise PurchasingError(_("Weigh to the gram at most (3 decimals)."), field="gross_kg")
    return int(grams)


def buy_harvest(
    koperasi,
    *,
    actor,
    member: Member,
    item: Any,
    gross_kg: Any,
    price_per_kg: int,
    moisture_bp: int | None = None,
    date: dt.date | None = None,
    idempotency_key: str,
) -> HarvestPurchase:
    """Buy ``gross_kg`` of ``item`` from an active ``member`` at ``price_per_kg`` sen, less
    the item's deductions (``HarvestTerms``; the measured ``moisture_bp`` when it has a
    standard), paid in cash from the unit's till. Refused with a message, nothing written:
    not a member, an item outside the hasil bumi unit, weight or price zero or negative,
    moisture missing. The same key and content returns the first purchase; other content:
    409. Audited ``purchasing.harvest.bought``."""
    role = _role(actor, koperasi, PERMISSION)
    key = clean_key(idempotency_key)
    if member is None or member.koperasi_id != koperasi.pk or not member.is_active:
        raise PurchasingError(_("Member not found or not active."), field="member")
    row_item = harvest_item(koperasi, item)
    gross = grams_of(gross_kg)
    if isinstance(price_per_kg, bool) or not isinstance(price_per_kg, int) or price_per_kg <= 0:
        raise PurchasingError(_("The price per kg must be more than zero."), field="price_per_kg")
    terms = terms_for(koperasi, row_item)
    measured = moisture_bp if terms.standard_moisture_bp is not None else None
    try:
        line = rules.price_harvest_line(
            row_item.name,
            gross_grams=gross,
            price_per_kg=price_per_kg,
            terms=terms,
            moisture_bp=measured,
        )
    except rules.HarvestError as exc:
        field = {"gross_grams": "gross_kg"}.get(exc.field, exc.field)
        raise PurchasingError(exc.message, field=field) from exc
    if line.net_grams <= 0 or line.amount <= 0:
        raise PurchasingError(
            _("After the deductions nothing is left to pay for."), field="gross_kg"
        )
    day = date or koperasi.today()
    digest = fingerprint(
        {"member": str(member.pk), "item": str(row_item.pk), "gross": gross,
         "price": price_per_kg, "moisture": measured, "date": str(day)}
    )  # fmt: skip
    with transaction.atomic():
        lock(koperasi)
        found = replayed(HarvestPurchase, koperasi, key, digest)
        if found is not None:
            return found
        number = next_number(HarvestPurchase, koperasi)
        label = f"PH-{number:05d}"
        received = receive_stock(
            koperasi,
            actor=actor,
            item=row_item,
            quantity=Decimal(line.net_grams) / 1000,
            unit="kg",
            cost=line.amount,
            date=day,
            idempotency_key=f"purchasing.harvest:{key}",
            memo=_("%(number)s: harvest bought from member %(member)s, %(item)s")
            % {"number": label, "member": member.number, "item": row_item.name},
        )
        purchase = HarvestPurchase.objects.create(
            koperasi=koperasi,
            number=number,
            member=member,
            item=row_item,
            business_unit=row_item.business_unit,
            date=day,
            gross_grams=line.gross_grams,
            moisture_bp=measured,
            standard_moisture_bp=terms.standard_moisture_bp,
            refraction_bp=terms.refraction_bp,
            moisture_grams=line.moisture_grams,
            refraction_grams=line.refraction_grams,
            net_grams=line.net_grams,
            price_per_kg=price_per_kg,
            amount=line.amount,
            movement=received.movement,
            idempotency_key=key,
            fingerprint=digest,
            created_by=actor,
        )
        record(
            "purchasing.harvest.bought",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=purchase,
            summary={
                "number": label,
                "member": member.number,
                "item": row_item.name,
                "net_grams": line.net_grams,
                "amount": format_rupiah(line.amount),
            },
        )
    return purchase
