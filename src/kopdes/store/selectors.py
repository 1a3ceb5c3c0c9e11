"""Reads of the store. Tenant-scoped; "missing" and "another koperasi's" look alike (404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from kopdes.domain import barcode as barcodes
from kopdes.platform.privacy.services import masked
from kopdes.store.models import BusinessUnit, Category, Item, Supplier


def _get(qs: QuerySet, pk: Any):
    try:
        found = qs.filter(pk=pk).first()
    except (ValidationError, ValueError, TypeError):  # a malformed id is "not found"
        found = None
    if found is None:
        raise Http404
    return found


def list_business_units(koperasi, *, active_only: bool = False) -> QuerySet[BusinessUnit]:
    qs = BusinessUnit.objects.filter(koperasi=koperasi)
    return (qs.filter(is_active=True) if active_only else qs).order_by("kind")


def get_business_unit(koperasi, unit_id: Any) -> BusinessUnit:
    return _get(BusinessUnit.objects.filter(koperasi=koperasi), unit_id)


def list_categories(koperasi) -> QuerySet[Category]:
    return Category.objects.filter(koperasi=koperasi).order_by("name")


def list_items(
    koperasi, *, query: str = "", unit: str = "", active_only: bool = False
) -> QuerySet[Item]:
    """Items of ``koperasi``, searched by part of the name or by barcode (a scan: the
    scanner's Enter and an in-store label's weight or price are ignored)."""
    qs = Item.objects.filter(koperasi=koperasi).select_related("category", "business_unit")
    if active_only:
        qs = qs.filter(is_active=True)
    if unit:
        qs = qs.filter(business_unit__kind=unit)
    query = (query or "").strip()
    if query:
        found = Q(name__icontains=query)
        try:
            code = barcodes.normalise_scan(query)
        except barcodes.BarcodeError:
            code = ""
        if code:
            found |= Q(barcode=code) | Q(barcode=barcodes.base_code(code))
        qs = qs.filter(found)
    return qs.order_by("name")


def get_item(koperasi, item_id: Any) -> Item:
    return _get(
        Item.objects.filter(koperasi=koperasi).select_related("category", "business_unit"),
        item_id,
    )


def find_by_barcode(koperasi, raw: str) -> tuple[Item, barcodes.InStoreCode | None]:
    """The active item a scan names, with the in-store label it came from (weight or price)
    if any; ``barcodes.BarcodeError`` for a malformed code, ``Http404`` for an unknown one."""
    code = barcodes.scan_to_ean(raw)
    label = barcodes.parse_instore(code) if barcodes.has_embedded_value(code) else None
    item = (
        Item.objects.filter(koperasi=koperasi, is_active=True, barcode=barcodes.base_code(code))
        .select_related("category", "business_unit")
        .first()
    )
    if item is None:
        raise Http404
    return item, label


def list_suppliers(koperasi, *, query: str = "") -> QuerySet[Supplier]:
    qs = Supplier.objects.filter(koperasi=koperasi)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(owner_name__icontains=query))
    return qs.order_by("name")


def get_supplier(koperasi, supplier_id: Any) -> Supplier:
    return _get(Supplier.objects.filter(koperasi=koperasi), supplier_id)


def masked_phone(supplier: Supplier) -> str:
    return masked("phone", supplier.phone)


def get_sale(koperasi, sale_id: Any):
    """One sale of ``koperasi`` (404 for another koperasi's, like a missing one)."""
    from kopdes.store.models import Sale

    return _get(Sale.objects.filter(koperasi=koperasi).select_related("member", "cashier"), sale_id)
