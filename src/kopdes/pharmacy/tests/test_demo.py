"""The demo apotek: a pharmacist with her history, ten drugs, batches with one near expiry
and one expired, sales first-expiring-first with their prescriptions; stock and batches
agree (kopdes verify)."""

from __future__ import annotations

import random

import pytest

from kopdes.demo import demo_username
from kopdes.ledger import services as ledger_services
from kopdes.pharmacy import selectors
from kopdes.pharmacy.demo import DRUGS, SALES, add_apotek
from kopdes.pharmacy.models import Batch, DrugInfo, Pharmacist, Prescription
from kopdes.pharmacy.reports import sipnap_report
from kopdes.pharmacy.verification import check_batches
from kopdes.platform.core import testing
from kopdes.store.demo import add_store
from kopdes.store.models import Sale
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


def test_demo_apotek_builds_through_the_services():
    koperasi = testing.make_koperasi(
        "sukamaju", region_code="32.01.26.2001", business_units=["kantor", "sembako", "apotek"]
    )
    ledger_services.setup_koperasi_books(koperasi)
    for role in ("manajer", "kasir"):
        testing.make_user(role, koperasi, username=demo_username("sukamaju", role))
    add_store(koperasi, random.Random(1))
    add_apotek(koperasi, random.Random(1))
    assert DrugInfo.objects.filter(koperasi=koperasi).count() == len(DRUGS) == 10
    assert Pharmacist.objects.filter(koperasi=koperasi).count() == 2
    assert selectors.licence_warning(koperasi) is None
    today = koperasi.today()
    near, expired = selectors.expiry_lists(koperasi, today=today, within_days=90)
    assert [r.batch.batch_number for r in near] == ["PCT24K118"]
    assert [r.batch.batch_number for r in expired] == ["ORS24H031"]
    assert Sale.objects.filter(koperasi=koperasi).count() == len(SALES)
    assert Prescription.objects.filter(koperasi=koperasi).count() == 4
    # The first paracetamol sold came from the batch that expires first.
    assert Batch.objects.get(batch_number="PCT24K118").quantity == 30 - 2 - 3
    month = sipnap_report(koperasi, year=today.year, month=today.month)
    assert [r.item_name for r in month.rows] == ["Diazepam 2 mg (strip 10)"]
    assert check_batches(koperasi).ok and check_stock(koperasi).ok
    add_apotek(koperasi, random.Random(1))  # again: nothing added
    assert Sale.objects.filter(koperasi=koperasi).count() == len(SALES)
