"""Suppliers: distributors, the village's UMKM, farmer groups. The phone is personal data."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.domain.phone import PhoneError, normalize_phone
from kopdes.domain.regions import normalize_region_code
from kopdes.platform.audit.services import record
from kopdes.platform.core.regions import UnknownRegionError, lookup_region
from kopdes.platform.privacy.fields import update_blind_indexes
from kopdes.store.errors import ItemErrors
from kopdes.store.models import Supplier
from kopdes.store.services._common import _role, _text

PERMISSION = "store.manage_suppliers"


def create_supplier(koperasi, *, actor, data: dict, source_address: str = "") -> Supplier:
    """Add a supplier: name (unique in the koperasi), UMKM flag, owner, village (a Kemendagri
    village code), phone (normalised, stored encrypted with a blind index). Every problem is
    reported at once (``ItemErrors``) and nothing is written. Audited
    ``store.supplier.created`` without the phone."""
    role = _role(actor, koperasi, PERMISSION)
    errors: list[tuple[str, str]] = []
    name = _text(data, "name", label=_("name"), max_length=120, required=True, errors=errors)
    owner = _text(
        data, "owner_name", label=_("owner"), max_length=120, required=False, errors=errors
    )
    is_umkm = bool(data.get("is_umkm"))
    if is_umkm and not owner:
        errors.append(("owner_name", _("An UMKM supplier needs its owner's name.")))
    region_code = ""
    raw_region = str(data.get("region_code") or "").strip()
    if raw_region:
        try:
            region_code = normalize_region_code(raw_region)
            lookup_region(region_code)
        except (UnknownRegionError, ValueError) as exc:
            errors.append(("region_code", str(exc)))
    phone = ""
    raw_phone = str(data.get("phone") or "").strip()
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except PhoneError as exc:
            errors.append(("phone", str(exc)))
    if name and Supplier.objects.filter(koperasi=koperasi, name__iexact=name).exists():
        errors.append(("name", _("A supplier with this name already exists.")))
    if errors:
        raise ItemErrors(errors=errors)
    supplier = Supplier(
        koperasi=koperasi,
        name=name,
        is_umkm=is_umkm,
        owner_name=owner,
        region_code=region_code,
        phone=phone,
        created_by=actor,
    )
    update_blind_indexes(supplier)
    try:
        with transaction.atomic():
            supplier.save(force_insert=True)
            record(
                "store.supplier.created",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=supplier,
                summary={"name": name, "umkm": is_umkm, "has_phone": bool(phone)},
                source_address=source_address,
            )
    except IntegrityError:
        raise ItemErrors(
            errors=[("name", _("A supplier with this name already exists."))]
        ) from None
    return supplier
