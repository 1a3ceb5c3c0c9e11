"""The demo's purchasing: two suppliers' orders received (one in cash, one on credit in two
deliveries and partly paid), harvest bought from members; idempotent and quick."""

from __future__ import annotations

import random
import time

import pytest

from kopdes.demo import demo_username
from kopdes.ledger import services as ledger_services
from kopdes.ledger.verification import verify_books
from kopdes.platform.core import testing
from kopdes.purchasing import services
from kopdes.purchasing.demo import add_purchasing
from kopdes.purchasing.models import (
    GoodsReceipt,
    HarvestPurchase,
    OrderStatus,
    PurchaseOrder,
    SupplierPayment,
)
from kopdes.savings.testing import active_member
from kopdes.store.demo import add_store
from kopdes.store.models import Supplier

pytestmark = pytest.mark.django_db


def test_demo_purchasing_builds_through_the_services():
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    ledger_services.setup_koperasi_books(koperasi)
    for role in ("manajer", "bendahara"):
        testing.make_user(role, koperasi, username=demo_username("sukamaju", role))
    add_store(koperasi, random.Random(1))
    members = [active_member(koperasi) for _n in range(3)]
    started = time.perf_counter()
    add_purchasing(koperasi, random.Random(1))
    assert time.perf_counter() - started < 3
    orders = list(PurchaseOrder.objects.filter(koperasi=koperasi))
    assert len(orders) == 2 and all(o.status == OrderStatus.RECEIVED for o in orders)
    assert len({o.supplier_id for o in orders}) == 2
    assert GoodsReceipt.objects.filter(koperasi=koperasi, on_credit=True).count() == 2
    assert SupplierPayment.objects.filter(koperasi=koperasi).count() == 1
    umkm = Supplier.objects.get(koperasi=koperasi, is_umkm=True)
    assert services.owed_to(koperasi, umkm) > 0  # partly paid
    assert HarvestPurchase.objects.filter(koperasi=koperasi).count() == len(members)
    assert all(r.ok for r in verify_books(koperasi))
    add_purchasing(koperasi, random.Random(1))  # again: nothing added
    assert PurchaseOrder.objects.filter(koperasi=koperasi).count() == 2
