"""Registered buyers of LPG 3 kg and beras SPHP: name, NIK (encrypted, blind index), kind."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.platform.audit.services import record
from kopdes.platform.privacy.fields import update_blind_indexes
from kopdes.subsidy import selectors
from kopdes.subsidy.choices import BuyerKind
from kopdes.subsidy.errors import FormErrors
from kopdes.subsidy.models import Buyer
from kopdes.subsidy.services._common import clean_nik, clean_text, role

PERMISSION = "subsidy.register_buyer"


def register_buyer(
    koperasi, *, actor, data: dict, at: dt.datetime, source_address: str = ""
) -> Buyer:
    """Register a buyer: ``name``, ``nik`` (validated by ``domain.nik``; one buyer per NIK
    in the koperasi), ``kind`` (household or micro business). Every problem is reported at
    once and nothing is written. Audited ``subsidy.buyer.registered`` without the NIK."""
    label = role(actor, koperasi, PERMISSION)
    errors: list[tuple[str, str]] = []
    name = clean_text(data.get("name"), key="name", label=_("name"), max_length=120, errors=errors)
    nik = clean_nik(data.get("nik"), key="nik", errors=errors)
    kind = data.get("kind")
    if kind not in BuyerKind.values:
        errors.append(("kind", _("Choose household or micro business.")))
    if nik and selectors.find_buyer(koperasi, nik) is not None:
        errors.append(("nik", _("A buyer with this NIK is already registered.")))
    if errors:
        raise FormErrors(errors=errors)
    buyer = Buyer(
        koperasi=koperasi,
        name=name,
        nik=nik,
        kind=kind,
        registered_at=at,
        registered_by=actor,
    )
    update_blind_indexes(buyer)
    try:
        with transaction.atomic():
            buyer.save(force_insert=True)
            record(
                "subsidy.buyer.registered",
                actor=actor,
                koperasi=koperasi,
                role=label,
                obj=buyer,
                summary={"kind": kind},
                source_address=source_address,
            )
    except IntegrityError:
        raise FormErrors(
            errors=[("nik", _("A buyer with this NIK is already registered."))]
        ) from None
    return buyer
