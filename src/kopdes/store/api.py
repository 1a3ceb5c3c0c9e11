"""The catalog over the JSON API: list/search items, get one by barcode (a scan).

Thin: the tenant check (``tenancy.access.api_koperasi``), one selector, the shape of the
answer. Prices are integer sen. A malformed barcode is a 400 JSON error with its
Indonesian message; an unknown one (or another koperasi's) a 404.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from kopdes.domain import barcode as barcodes
from kopdes.domain.units import tidy
from kopdes.platform.tenancy.access import api_koperasi
from kopdes.store import selectors
from kopdes.store.errors import StoreError

router = Router(tags=["store"])


class ItemOut(Schema):
    id: uuid.UUID
    name: str
    barcode: str
    category: str
    business_unit: str
    base_unit: str
    units_per_pak: int | None
    units_per_dus: int | None
    member_price: int
    public_price: int
    min_stock: str
    # Stock is counted in whole stock units; a price is for price_per of them (kg: gram, 1000).
    stock_unit: str
    price_per: int
    is_service: bool
    is_active: bool


class ScanOut(Schema):
    item: ItemOut
    # From an in-store label (``domain.barcode``): the weight or the price printed on it.
    label_grams: int | None = None
    label_price: int | None = None


def _out(item) -> dict:
    units = item.units()
    return {
        "id": item.pk,
        "name": item.name,
        "barcode": item.barcode,
        "category": item.category.name if item.category_id else "",
        "business_unit": item.business_unit.kind,
        "base_unit": item.base_unit,
        "units_per_pak": item.units_per_pak,
        "units_per_dus": item.units_per_dus,
        "member_price": item.member_price,
        "public_price": item.public_price,
        "min_stock": str(tidy(item.min_stock)),
        "stock_unit": units.stock_unit.value,
        "price_per": units.price_per,
        "is_service": item.is_service,
        "is_active": item.is_active,
    }


@router.get("store/items", response=list[ItemOut], url_name="store-items")
def list_items(
    request: HttpRequest,
    slug: str = Path(...),
    q: str = Query(""),
    unit: str = Query(""),
    limit: int = 50,
    offset: int = 0,
):
    """Items of the catalog, searched by part of the name or by barcode."""
    koperasi = api_koperasi(request, slug, "store.view")
    limit = max(1, min(limit, 200))
    offset = max(offset, 0)
    items = selectors.list_items(koperasi, query=q[:100], unit=unit[:20])[offset : offset + limit]
    return [_out(i) for i in items]


@router.get("store/items/barcode/{barcode}", response=ScanOut, url_name="store-item-barcode")
def item_by_barcode(request: HttpRequest, barcode: str, slug: str = Path(...)):
    """The active item a scanned barcode names (an in-store label also gives its weight or
    price). 400 for a malformed code, 404 for one not in this koperasi's catalog."""
    koperasi = api_koperasi(request, slug, "store.view")
    try:
        item, label = selectors.find_by_barcode(koperasi, barcode[:64])
    except barcodes.BarcodeError as exc:
        raise StoreError(str(exc), field="barcode") from None
    return {
        "item": _out(item),
        "label_grams": label.grams if label else None,
        "label_price": label.price_sen if label else None,
    }
