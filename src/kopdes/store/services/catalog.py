"""The catalog: items (goods and services) and their categories; the Excel import.

``clean_item`` checks one item completely (barcode check digit, units and pack sizes,
prices, minimum stock in the base unit, the unit that sells it) and reports every problem;
``create_item`` / ``update_item`` / ``import_catalog`` write only what it accepted, all or
nothing, with an audit event each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.domain import barcode as barcodes
from kopdes.domain import units
from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.platform.audit.services import record
from kopdes.store.choices import BaseUnit, Sells
from kopdes.store.errors import ImportErrors, ItemErrors
from kopdes.store.models import BusinessUnit, Category, Item
from kopdes.store.services._common import _role, _text

PERMISSION = "store.manage_catalog"
MAX_IMPORT_ROWS = 5000
UPDATE_FIELDS = [
    "name", "barcode", "category", "business_unit", "base_unit", "units_per_pak",
    "units_per_dus", "member_price", "public_price", "min_stock", "is_service",
]  # fmt: skip
FIELDS = (
    "name",
    "barcode",
    "category",
    "business_unit",
    "base_unit",
    "units_per_pak",
    "units_per_dus",
    "member_price",
    "public_price",
    "min_stock",
    "is_service",
)


@dataclass(frozen=True)
class CleanItem:
    name: str
    barcode: str
    category: str  # a category name ("" = none); created when new
    business_unit: str  # the unit's kind
    base_unit: str
    units_per_pak: int | None
    units_per_dus: int | None
    member_price: int
    public_price: int
    min_stock: Decimal
    is_service: bool


def _price(value: Any, key: str, label: str, errors: list[tuple[str, str]]) -> int:
    """Sen from an int (sen) or a typed amount ("15.000"); > 0."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        sen = value
    elif isinstance(value, str) and value.strip():
        try:
            sen = parse_rupiah(value, allow_negative=True)
        except MoneyError as exc:
            errors.append((key, f"{label}: {exc}"))
            return 0
    else:
        errors.append((key, _("Please fill in %(label)s.") % {"label": label}))
        return 0
    if sen < 0:
        errors.append((key, _("%(label)s may not be negative.") % {"label": label}))
    elif sen == 0:
        errors.append((key, _("%(label)s must be more than zero.") % {"label": label}))
    return sen


def _pack(value: Any, key: str, label: str, errors: list[tuple[str, str]]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = "x"
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        errors.append((key, _("%(label)s must be a whole number of 1 or more.") % {"label": label}))
        return None
    return int(text)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "ya", "y", "yes", "true", "jasa"}


def clean_item(
    koperasi, data: dict, *, exclude_id: Any = None
) -> tuple[CleanItem | None, list[tuple[str, str]]]:
    """Check one item; return it cleaned (or None) and every problem as (field, message).

    ``data`` keys: name, barcode, category (a name), business_unit (a unit's kind), base_unit,
    units_per_pak, units_per_dus, member_price / public_price (sen as int, or typed text),
    min_stock (in the base unit), is_service. Reads the database for the unit and for a
    barcode or name already used by another item (not ``exclude_id``).
    """
    errors: list[tuple[str, str]] = []
    name = _text(data, "name", label=_("name"), max_length=120, required=True, errors=errors)
    category = _text(
        data, "category", label=_("category"), max_length=80, required=False, errors=errors
    )
    is_service = _flag(data.get("is_service"))

    unit_kind = str(data.get("business_unit") or "").strip()
    unit = BusinessUnit.objects.filter(koperasi=koperasi, kind=unit_kind, is_active=True).first()
    if unit is None:
        errors.append(("business_unit", _("Choose a business unit this koperasi runs to sell it.")))
    elif unit.sells == Sells.SERVICES and not is_service:
        errors.append(
            (
                "is_service",
                _("%(unit)s sells services: mark this item as a service.") % {"unit": unit.name},
            )
        )

    base: units.Unit | None = None
    try:
        base = units.unit_of(str(data.get("base_unit") or ""))
        if base.value not in BaseUnit.values:
            raise units.UnitError(
                _("The base unit must be pcs, kg, gram, liter or ml (packs are set below).")
            )
    except units.UnitError as exc:
        errors.append(("base_unit", str(exc)))
        base = None
    per_pak = _pack(data.get("units_per_pak"), "units_per_pak", _("Content of one pak"), errors)
    per_dus = _pack(data.get("units_per_dus"), "units_per_dus", _("Content of one dus"), errors)
    if base is not None:
        packs = {u: n for u, n in ((units.Unit.PAK, per_pak), (units.Unit.DUS, per_dus)) if n}
        try:
            units.ItemUnits(base, packs)
        except units.UnitError as exc:
            errors.append(("units_per_pak", str(exc)))

    member_price = _price(data.get("member_price"), "member_price", _("Member price"), errors)
    public_price = _price(data.get("public_price"), "public_price", _("Public price"), errors)
    if member_price > 0 and public_price > 0 and member_price > public_price:
        errors.append(
            ("member_price", _("The member price may not be higher than the public price."))
        )

    min_stock = Decimal(0)
    raw_min = data.get("min_stock")
    if raw_min not in (None, "") and base is not None:
        try:
            if isinstance(raw_min, Decimal | int) and not isinstance(raw_min, bool):
                min_stock = units.check_quantity(raw_min, base, allow_zero=True)
            else:
                min_stock = units.parse_quantity(str(raw_min), base, allow_zero=True)
        except units.UnitError as exc:
            errors.append(("min_stock", _("Minimum stock: %(msg)s") % {"msg": exc}))

    if is_service:
        if base is not None and base != units.Unit.PCS:
            errors.append(("base_unit", _("A service is counted in pcs.")))
        if per_pak or per_dus:
            errors.append(("units_per_pak", _("A service has no pak or dus.")))
        if min_stock:
            errors.append(("min_stock", _("A service has no stock.")))

    code = ""
    raw_code = str(data.get("barcode") or "")
    if raw_code.strip():
        try:
            code = barcodes.scan_to_ean(raw_code)
            if barcodes.has_embedded_value(code):
                parsed = barcodes.parse_instore(code)
                if parsed.kind is barcodes.InStoreKind.WEIGHT and base not in (
                    None,
                    units.Unit.KG,
                    units.Unit.GRAM,
                ):
                    errors.append(
                        ("barcode", _("A weight label is for an item counted in kg or gram."))
                    )
                code = barcodes.base_code(code)
        except barcodes.BarcodeError as exc:
            errors.append(("barcode", str(exc)))
            code = ""
    others = Item.objects.filter(koperasi=koperasi)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if code:
        taken = others.filter(barcode=code).values_list("name", flat=True).first()
        if taken is not None:
            errors.append(
                (
                    "barcode",
                    _("This barcode is already used by %(item)s.") % {"item": taken},
                )
            )
    if name and others.filter(name__iexact=name).exists():
        errors.append(("name", _("An item with this name already exists.")))

    if errors or base is None or unit is None:
        return None, errors
    return (
        CleanItem(
            name=name,
            barcode=code,
            category=category,
            business_unit=unit.kind,
            base_unit=base.value,
            units_per_pak=per_pak,
            units_per_dus=per_dus,
            member_price=member_price,
            public_price=public_price,
            min_stock=min_stock,
            is_service=is_service,
        ),
        errors,
    )


def _category(koperasi, name: str) -> Category | None:
    if not name:
        return None
    found = Category.objects.filter(koperasi=koperasi, name__iexact=name).first()
    return found or Category.objects.create(koperasi=koperasi, name=name)


def _apply(item: Item, clean: CleanItem, koperasi) -> None:
    item.name = clean.name
    item.barcode = clean.barcode
    item.category = _category(koperasi, clean.category)
    item.business_unit = BusinessUnit.objects.get(koperasi=koperasi, kind=clean.business_unit)
    item.base_unit = clean.base_unit
    item.units_per_pak = clean.units_per_pak
    item.units_per_dus = clean.units_per_dus
    item.member_price = clean.member_price
    item.public_price = clean.public_price
    item.min_stock = clean.min_stock
    item.is_service = clean.is_service


def _summary(clean: CleanItem) -> dict:
    out = asdict(clean)
    out["min_stock"] = str(clean.min_stock)
    return out


def _duplicate() -> ItemErrors:
    return ItemErrors(
        errors=[("barcode", _("Another item with this name or barcode was saved just now."))]
    )


def create_item(koperasi, *, actor, data: dict, source_address: str = "") -> Item:
    """Add an item to the catalog; ``ItemErrors`` (every problem) and nothing written if any
    field is wrong. Audited ``store.item.created``."""
    role = _role(actor, koperasi, PERMISSION)
    clean, errors = clean_item(koperasi, data)
    if errors or clean is None:
        raise ItemErrors(errors=errors)
    try:
        with transaction.atomic():
            item = Item(koperasi=koperasi, created_by=actor)
            _apply(item, clean, koperasi)
            item.save(force_insert=True)
            record(
                "store.item.created",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=item,
                summary=_summary(clean),
                source_address=source_address,
            )
    except IntegrityError:
        raise _duplicate() from None
    return item


def update_item(item: Item, *, actor, data: dict, source_address: str = "") -> Item:
    """Change an item (every field checked again, as for a new one). Audited
    ``store.item.updated`` with the fields that changed, before and after."""
    koperasi = item.koperasi
    role = _role(actor, koperasi, PERMISSION)
    clean, errors = clean_item(koperasi, data, exclude_id=item.pk)
    if errors or clean is None:
        raise ItemErrors(errors=errors)
    before = _snapshot(item)
    try:
        with transaction.atomic():
            _apply(item, clean, koperasi)
            after = _snapshot(item)
            changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            item.save(update_fields=UPDATE_FIELDS)
            record(
                "store.item.updated",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=item,
                summary={"name": item.name, "changed": changed},
                source_address=source_address,
            )
    except IntegrityError:
        raise _duplicate() from None
    return item


def _snapshot(item: Item) -> dict:
    return {
        "name": item.name,
        "barcode": item.barcode,
        "category": item.category.name if item.category_id else "",
        "business_unit": item.business_unit.kind if item.business_unit_id else "",
        "base_unit": item.base_unit,
        "units_per_pak": item.units_per_pak,
        "units_per_dus": item.units_per_dus,
        "member_price": item.member_price,
        "public_price": item.public_price,
        "min_stock": str(units.tidy(Decimal(item.min_stock))),
        "is_service": item.is_service,
    }


def set_item_active(item: Item, *, actor, active: bool, source_address: str = "") -> Item:
    """Take an item off the catalog (or back on); its history stays."""
    koperasi = item.koperasi
    role = _role(actor, koperasi, PERMISSION)
    with transaction.atomic():
        item.is_active = active
        item.save(update_fields=["is_active"])
        record(
            "store.item.activated" if active else "store.item.deactivated",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=item,
            summary={"name": item.name},
            source_address=source_address,
        )
    return item


def import_catalog(
    koperasi, *, actor, rows: list[dict], source_address: str = ""
) -> dict[str, int]:
    """Add or update many items at once (the Excel catalog): all or nothing.

    A row whose name matches an item of the koperasi (any case) updates it; any other row
    adds one. Every row is checked as ``clean_item`` checks a single one, plus names and
    barcodes repeated inside the file; on any problem ``ImportErrors`` lists them all with
    their row numbers (``_row`` of each row) and nothing is written. Audited per item and
    once as ``store.catalog.imported``. Returns ``{"created": n, "updated": m}``.
    """
    role = _role(actor, koperasi, PERMISSION)
    errors: list[tuple[int, str, str]] = []
    if not rows:
        errors.append((0, "", _("The file has no item rows.")))
    if len(rows) > MAX_IMPORT_ROWS:
        errors.append((0, "", _("At most %(n)d items per file.") % {"n": MAX_IMPORT_ROWS}))
    existing = {i.name.lower(): i for i in Item.objects.filter(koperasi=koperasi)}
    plans: list[tuple[Item | None, CleanItem]] = []
    seen_names: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for n, data in enumerate(rows, start=1):
        row_no = int(data.get("_row", n))
        name_key = " ".join(str(data.get("name") or "").split()).lower()
        current = existing.get(name_key)
        clean, row_errors = clean_item(
            koperasi, data, exclude_id=current.pk if current is not None else None
        )
        errors.extend((row_no, f, m) for f, m in row_errors)
        if clean is None:
            continue
        if name_key in seen_names:
            errors.append(
                (
                    row_no,
                    "name",
                    _("The same name is also in row %(row)d.") % {"row": seen_names[name_key]},
                )
            )
            continue
        seen_names[name_key] = row_no
        if clean.barcode:
            if clean.barcode in seen_codes:
                errors.append(
                    (
                        row_no,
                        "barcode",
                        _("The same barcode is also in row %(row)d.")
                        % {"row": seen_codes[clean.barcode]},
                    )
                )
                continue
            seen_codes[clean.barcode] = row_no
        plans.append((current, clean))
    # A barcode moving from one item to another in the same file is refused (it is checked
    # against its current owner): move it in two files, or by hand.
    if errors:
        raise ImportErrors(errors=sorted(errors, key=lambda e: (e[0], e[1])))
    created = updated = 0
    try:
        with transaction.atomic():
            for current, clean in plans:
                if current is None:
                    item = Item(koperasi=koperasi, created_by=actor)
                    _apply(item, clean, koperasi)
                    item.save(force_insert=True)
                    created += 1
                    action = "store.item.created"
                    summary = {**_summary(clean), "imported": True}
                else:
                    before = _snapshot(current)
                    _apply(current, clean, koperasi)
                    after = _snapshot(current)
                    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
                    if not changed:
                        continue
                    current.save(update_fields=UPDATE_FIELDS)
                    item = current
                    updated += 1
                    action = "store.item.updated"
                    summary = {"name": item.name, "changed": changed, "imported": True}
                record(
                    action,
                    actor=actor,
                    koperasi=koperasi,
                    role=role,
                    obj=item,
                    summary=summary,
                    source_address=source_address,
                )
            record(
                "store.catalog.imported",
                actor=actor,
                koperasi=koperasi,
                role=role,
                object_type="store.item",
                summary={"rows": len(rows), "created": created, "updated": updated},
                source_address=source_address,
            )
    except IntegrityError:
        raise ImportErrors(
            errors=[
                (0, "barcode", _("Two items would share a name or barcode; nothing was saved."))
            ]
        ) from None
    return {"created": created, "updated": updated}
