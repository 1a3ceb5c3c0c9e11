"""Writes of the apotek: the responsible pharmacist, drug information, batch receipts.

Every function checks the permission matrix (``pharmacy.*``; a receipt ``store.receive_stock``
through the store), reports every problem at once (``PharmacyErrors``: (field, message)
pairs; nothing written on any) and records its audit event in the same transaction.
Batches move through the store's receipts and checkout (``rules.py``, ``store.hooks``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.text import first_refused
from kopdes.pharmacy.choices import APOTEK, DosageForm, DrugClass
from kopdes.pharmacy.errors import PharmacyErrors
from kopdes.pharmacy.models import DrugInfo, Pharmacist
from kopdes.platform.audit.services import record
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.store import services as store
from kopdes.store.models import Item, Supplier

MANAGE = "pharmacy.manage"
# Licence numbers, batch numbers, NIE: letters, digits, spaces and . / - only.
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z./\- ]*", re.ASCII)


def _role(actor, koperasi, permission: str) -> str:
    return role_label(require_perm(actor, koperasi, permission), permission)


def clean_text(
    value: Any,
    *,
    key: str,
    label: str,
    max_length: int,
    required: bool,
    errors: list[tuple[str, str]],
    code: bool = False,
) -> str:
    """``value`` as one line of text (spaces collapsed); its problems go to ``errors``."""
    text = "" if value is None else str(value)
    if first_refused(text, multiline=False) is not None:
        errors.append(
            (key, _("%(label)s contains a character that is not allowed.") % {"label": label})
        )
        return ""
    text = " ".join(text.split())
    if required and not text:
        errors.append((key, _("Please fill in %(label)s.") % {"label": label}))
    elif len(text) > max_length:
        message = _("%(label)s may be at most %(n)d characters.")
        errors.append((key, message % {"label": label, "n": max_length}))
    elif code and text and not _CODE.fullmatch(text):
        errors.append(
            (
                key,
                _("%(label)s may hold only letters, digits, spaces, dots, slashes and dashes.")
                % {"label": label},
            )
        )
    return text


def _date(value: Any, *, key: str, label: str, errors: list[tuple[str, str]]) -> dt.date | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.append((key, _("Please fill in %(label)s.") % {"label": label}))
        return None
    return value


# --- the responsible pharmacist -------------------------------------------------------------


def appoint_pharmacist(
    koperasi, *, actor, data: dict[str, Any], source_address: str = ""
) -> Pharmacist:
    """Record the responsible pharmacist from ``data["started_on"]`` (default today): a
    new person, or the same one with a renewed licence. The one before ends that day; the
    history stays. Refused: no name, no SIPA number, a SIPA already expired, a start in the
    future or before the current one's."""
    role = _role(actor, koperasi, MANAGE)
    today = koperasi.today()
    errors: list[tuple[str, str]] = []
    name = clean_text(
        data.get("name"), key="name", label=_("the name"), max_length=120, required=True,
        errors=errors,
    )  # fmt: skip
    sipa = clean_text(
        data.get("sipa_number"), key="sipa_number", label=_("the SIPA number"), max_length=64,
        required=True, errors=errors, code=True,
    )  # fmt: skip
    stra = clean_text(
        data.get("stra_number"), key="stra_number", label=_("the STRA number"), max_length=64,
        required=False, errors=errors, code=True,
    )  # fmt: skip
    expires = _date(
        data.get("sipa_expires_on"), key="sipa_expires_on", label=_("the SIPA expiry date"),
        errors=errors,
    )  # fmt: skip
    started = data.get("started_on") or today
    started = _date(started, key="started_on", label=_("the start date"), errors=errors)
    if expires is not None and expires < today:
        errors.append(
            (
                "sipa_expires_on",
                _("This SIPA expired on %(date)s: a pharmacist needs a valid licence.")
                % {"date": expires.strftime("%d-%m-%Y")},
            )
        )
    if started is not None and started > today:
        errors.append(("started_on", _("The start date may not be in the future.")))
    with transaction.atomic():
        lock_chain(f"pharmacy:{koperasi.pk}")
        current = (
            Pharmacist.objects.select_for_update()
            .filter(koperasi=koperasi, ended_on__isnull=True)
            .first()
        )
        if current is not None and started is not None and started < current.started_on:
            errors.append(
                (
                    "started_on",
                    _("The start date may not be before the current pharmacist's (%(date)s).")
                    % {"date": current.started_on.strftime("%d-%m-%Y")},
                )
            )
        if errors:
            raise PharmacyErrors(errors=errors)
        assert started is not None and expires is not None
        if current is not None:
            current.ended_on = started
            current.save(update_fields=["ended_on"])
        pharmacist = Pharmacist.objects.create(
            koperasi=koperasi,
            name=name,
            sipa_number=sipa,
            sipa_expires_on=expires,
            stra_number=stra,
            started_on=started,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        record(
            "pharmacy.pharmacist.appointed",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=pharmacist,
            summary={
                "name": name,
                "sipa_number": sipa,
                "sipa_expires_on": expires.isoformat(),
                "started_on": started.isoformat(),
                "previous": current.name if current is not None else None,
            },
            source_address=source_address,
        )
    return pharmacist


# --- drug information ---------------------------------------------------------------------


def set_drug_info(
    koperasi, *, actor, item: Item, data: dict[str, Any], source_address: str = ""
) -> DrugInfo:
    """The drug class, dosage form, strength and NIE of an apotek item (added or changed)."""
    role = _role(actor, koperasi, MANAGE)
    errors: list[tuple[str, str]] = []
    if item.koperasi_id != koperasi.pk:
        errors.append(("item", _("Item not found.")))
    elif item.business_unit.kind != APOTEK or item.is_service:
        errors.append(("item", _("Only goods of the apotek have drug information.")))
    drug_class = data.get("drug_class") or ""
    if drug_class not in DrugClass.values:
        errors.append(("drug_class", _("Choose the drug class.")))
    form = data.get("dosage_form") or ""
    if form not in DosageForm.values:
        errors.append(("dosage_form", _("Choose the dosage form.")))
    strength = clean_text(
        data.get("strength"), key="strength", label=_("the strength"), max_length=40,
        required=False, errors=errors,
    )  # fmt: skip
    nie = clean_text(
        data.get("nie"), key="nie", label=_("the NIE"), max_length=20, required=False,
        errors=errors, code=True,
    )  # fmt: skip
    if errors:
        raise PharmacyErrors(errors=errors)
    by = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        info, created = DrugInfo.objects.select_for_update().get_or_create(
            koperasi=koperasi,
            item=item,
            defaults={
                "drug_class": drug_class,
                "dosage_form": form,
                "strength": strength,
                "nie": nie,
                "updated_by": by,
            },
        )
        if not created:
            info.drug_class, info.dosage_form = drug_class, form
            info.strength, info.nie, info.updated_by = strength, nie, by
            info.save()
        record(
            "pharmacy.drug.updated",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=info,
            summary={
                "item": item.name,
                "drug_class": drug_class,
                "dosage_form": form,
                "strength": strength,
                "created": created,
            },
            source_address=source_address,
        )
    return info


# --- batch receipts -----------------------------------------------------------------------


def receive_batch(
    koperasi,
    *,
    actor,
    item: Item,
    batch_number: str,
    expires_on: dt.date | None,
    quantity,
    unit: str | None = None,
    cost: int,
    supplier: Supplier | None = None,
    on_credit: bool = False,
    date: dt.date | None = None,
    idempotency_key: str,
) -> store.Received:
    """Drugs received: the store's ``receive_stock`` (posted at cost, moving average) with
    the batch number and expiry, which the apotek's receipt rule (``rules.py``) checks and
    records in the same transaction. The memo names the batch, so a retry with the same
    key and another batch is a conflict (409)."""
    number = " ".join(str(batch_number or "").split())
    memo = ""
    if number and isinstance(expires_on, dt.date):
        memo = _("Drug received: %(item)s batch %(batch)s, expires %(date)s") % {
            "item": item.name,
            "batch": number,
            "date": expires_on.strftime("%d-%m-%Y"),
        }
    return store.receive_stock(
        koperasi,
        actor=actor,
        item=item,
        quantity=quantity,
        unit=unit,
        cost=cost,
        supplier=supplier,
        on_credit=on_credit,
        date=date,
        idempotency_key=idempotency_key,
        memo=memo[:200],
        extra={"batch_number": batch_number, "expires_on": expires_on},
    )
