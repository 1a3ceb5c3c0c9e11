"""The demo store: units, a catalog with valid barcodes and scale labels, two suppliers."""

from __future__ import annotations

import random

import pytest

from kopdes.demo import demo_username
from kopdes.domain.barcode import has_embedded_value, is_valid_ean
from kopdes.ledger import services as ledger_services
from kopdes.platform.core import testing
from kopdes.store.demo import APOTEK, SEMBAKO, add_store
from kopdes.store.models import BusinessUnit, Item, Supplier

pytestmark = pytest.mark.django_db


def test_demo_store_builds_through_the_services():
    koperasi = testing.make_koperasi(
        "sukamaju", region_code="32.01.26.2001", business_units=["kantor", "sembako", "apotek"]
    )
    ledger_services.setup_koperasi_books(koperasi)
    testing.make_user("manajer", koperasi, username=demo_username("sukamaju", "manajer"))
    add_store(koperasi, random.Random(1))
    kinds = set(BusinessUnit.objects.filter(koperasi=koperasi).values_list("kind", flat=True))
    assert kinds == {"sembako", "apotek"}
    items = list(Item.objects.filter(koperasi=koperasi))
    assert len(items) == len(SEMBAKO) + len(APOTEK)
    assert all(is_valid_ean(i.barcode) for i in items)
    eggs = next(i for i in items if i.name == "Telur ayam negeri")
    assert eggs.base_unit == "kg" and eggs.barcode.startswith("21")
    assert not has_embedded_value(next(i for i in items if i.base_unit == "pcs").barcode)
    assert Supplier.objects.filter(koperasi=koperasi, is_umkm=True).count() == 1
    add_store(koperasi, random.Random(1))  # again: nothing added
    assert Item.objects.filter(koperasi=koperasi).count() == len(items)


def test_a_short_year_of_sales_goes_through_checkout_and_restocks_and_verifies(monkeypatch):
    """The year of the gerai (two weeks here): every sale a checkout, every restock a
    receipt, stock never short, the Persediaan account equal to the positions."""
    from io import StringIO

    from django.core.management import call_command

    from kopdes.store import demo as store_demo
    from kopdes.store.models import Sale, StockMovement, StockPosition

    monkeypatch.setattr(store_demo, "DAYS", 14)
    koperasi = testing.make_koperasi(
        "sukamaju", region_code="32.01.26.2001", business_units=["kantor", "sembako"]
    )
    ledger_services.setup_koperasi_books(koperasi)
    for role in ("manajer", "kasir"):
        testing.make_user(role, koperasi, username=demo_username("sukamaju", role))
    add_store(koperasi, random.Random(1))
    store_demo.add_sembako_year(koperasi, random.Random(2))
    sales = Sale.objects.filter(koperasi=koperasi)
    days = store_demo.sale_days(koperasi)
    assert len(days) == 14 and days[-1] == koperasi.today()
    assert 10 <= sales.count() <= 40  # about ten a week
    assert all(days[0] <= s.date <= days[-1] for s in sales)
    assert not sales.filter(member__isnull=False).exists()  # no active member in this koperasi
    receipts = StockMovement.objects.filter(koperasi=koperasi, kind="receipt")
    assert receipts.exists() and not receipts.filter(entry__isnull=True).exists()
    assert not StockPosition.objects.filter(koperasi=koperasi, quantity__lt=0).exists()
    call_command("verify", "--koperasi", koperasi.slug, stdout=StringIO(), stderr=StringIO())
    count = sales.count()
    store_demo.add_sembako_year(koperasi, random.Random(2))  # again: nothing added
    assert sales.count() == count
