"""The demo's titip jual: two UMKM consignors, their goods received, sales through the
checkout, last month settled and paid; the books and the stock still reconcile."""

from __future__ import annotations

import random

import pytest

from kopdes.consignment import services
from kopdes.consignment.demo import add_consignment
from kopdes.consignment.models import ConsignmentPayout
from kopdes.demo import demo_username
from kopdes.ledger import services as ledger_services
from kopdes.ledger.verification import verify_books
from kopdes.platform.core import testing
from kopdes.store.demo import add_store
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


def test_demo_consignment_builds_through_the_services():
    koperasi = testing.make_koperasi(
        "sukamaju", region_code="32.01.26.2001", business_units=["kantor", "sembako"]
    )
    ledger_services.setup_koperasi_books(koperasi)
    for role in ("manajer", "kasir", "bendahara"):
        testing.make_user(role, koperasi, username=demo_username("sukamaju", role))
    add_store(koperasi, random.Random(1))
    add_consignment(koperasi, random.Random(1))
    consignors = {row.consignor for row in services.item_rows(koperasi)}
    assert len(consignors) == 2 and all(c.is_umkm for c in consignors)
    payouts = ConsignmentPayout.objects.filter(koperasi=koperasi)
    assert payouts.count() == 2
    for payout in payouts:
        year, month = divmod(payout.period, 100)
        stated = services.statement(koperasi, payout.consignor, year, month)
        assert stated.sales > stated.share > 0 and stated.due == 0
    assert check_stock(koperasi).problems == []
    assert all(not r.problems for r in verify_books(koperasi))
    add_consignment(koperasi, random.Random(1))  # again: nothing added
    assert ConsignmentPayout.objects.filter(koperasi=koperasi).count() == 2
