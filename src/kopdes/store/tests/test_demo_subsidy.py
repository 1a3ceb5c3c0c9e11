"""The demo's subsidised channels: LPG, SPHP and pupuk sold through the store's checkout
with the buyer's NIK, within quota, HET and the RDKK allocation; ``kopdes verify`` clean."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from kopdes.demo import demo_username
from kopdes.domain import subsidy as rules
from kopdes.ledger import services as ledger_services
from kopdes.platform.core import testing
from kopdes.store import demo as store_demo
from kopdes.store import demo_subsidy as subsidy_demo
from kopdes.store.models import Sale
from kopdes.subsidy.models import Allocation, SubsidisedSale

pytestmark = pytest.mark.django_db


def test_demo_channels_sell_within_the_rules_through_the_checkout(monkeypatch):
    monkeypatch.setattr(store_demo, "DAYS", 60)
    monkeypatch.setattr(subsidy_demo, "FARMERS", 3)
    koperasi = testing.make_koperasi(
        "sukamaju", region_code="32.01.26.2001", business_units=["kantor", "sembako"]
    )
    ledger_services.setup_koperasi_books(koperasi)
    for role in ("manajer", "kasir", "sekretaris"):
        testing.make_user(role, koperasi, username=demo_username("sukamaju", role))
    subsidy_demo.add_subsidised_channels(koperasi, random.Random(3))
    sold = SubsidisedSale.objects.filter(koperasi=koperasi)
    assert set(sold.values_list("channel", flat=True)) == {"lpg", "sphp", "pupuk"}
    # Every subsidised sale is a store sale of the same day.
    stores = {s.pk: s for s in Sale.objects.filter(koperasi=koperasi)}
    assert all(stores[s.store_sale_id].date == s.sold_on for s in sold)
    for s in sold:
        assert s.unit_price <= s.het_price
    # LPG within 15 cylinders a month per NIK; SPHP 10 kg a day; pupuk within allocation.
    per_month: dict = {}
    for s in sold.filter(channel="lpg"):
        key = (s.nik_index, s.sold_on.replace(day=1))
        per_month[key] = per_month.get(key, 0) + s.quantity
    assert per_month and max(per_month.values()) <= rules.DEFAULT_LPG_QUOTA
    assert max(sold.filter(channel="sphp").values_list("quantity", flat=True)) <= 10_000
    for allocation in Allocation.objects.filter(koperasi=koperasi):
        redeemed = sold.filter(allocation=allocation).aggregate(g=Sum("quantity"))["g"] or 0
        assert redeemed <= allocation.grams
    call_command("verify", "--koperasi", koperasi.slug, stdout=StringIO(), stderr=StringIO())
    count = sold.count()
    subsidy_demo.add_subsidised_channels(koperasi, random.Random(3))  # again: nothing added
    assert sold.count() == count


def test_only_the_pangkalan_koperasi_runs_the_channels():
    koperasi = testing.make_koperasi(
        "cirahab", region_code="33.02.01.2001", business_units=["kantor", "sembako"]
    )
    subsidy_demo.add_subsidised_channels(koperasi, random.Random(3))
    assert not SubsidisedSale.objects.filter(koperasi=koperasi).exists()
