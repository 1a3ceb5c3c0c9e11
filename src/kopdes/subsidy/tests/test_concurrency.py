"""Real threads on PostgreSQL: tills racing on one NIK's quota never sell past it, and a
retried sale (one key) is recorded once. SQLite serialises writers with BEGIN IMMEDIATE
(the same code path)."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.subsidy import services
from kopdes.subsidy.errors import SubsidyRefused
from kopdes.subsidy.models import SubsidisedSale
from kopdes.subsidy.testing import NOW, buyer, lpg_het, nik

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def pangkalan():
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises writers)")
    koperasi = make_koperasi()
    lpg_het(koperasi)
    buyer(koperasi, serial=1)
    return koperasi, make_user("kasir", koperasi)


def run_concurrently(n, func):
    barrier = threading.Barrier(n)

    def task(i):
        try:
            barrier.wait(timeout=30)
            return ("ok", func(i))
        except Exception as exc:  # collected and asserted on below
            return ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(task, range(n)))


def _sell(koperasi, kasir, key, quantity=2):
    return services.check_and_record_subsidised_sale(
        koperasi,
        actor=kasir,
        channel="lpg",
        nik=nik(1),
        quantity=quantity,
        unit_price=19_000_00,
        sold_on=DAY,
        idempotency_key=key,
        at=NOW,
    ).pk


def test_tills_racing_on_one_quota_never_sell_past_it(pangkalan):
    koperasi, kasir = pangkalan
    results = run_concurrently(12, lambda i: _sell(koperasi, kasir, f"till-{i}"))
    sold = [r for kind, r in results if kind == "ok"]
    refused = [r for kind, r in results if kind == "error"]
    assert len(sold) == 7  # 7 x 2 = 14 of 15 cylinders
    assert all(isinstance(e, SubsidyRefused) and e.code == "quota" for e in refused)
    assert sum(SubsidisedSale.objects.values_list("quantity", flat=True)) == 14


def test_a_retried_sale_is_recorded_once(pangkalan):
    koperasi, kasir = pangkalan
    results = run_concurrently(10, lambda i: _sell(koperasi, kasir, "same-key"))
    assert [r for kind, r in results if kind == "error"] == []
    assert len({pk for _kind, pk in results}) == 1
    assert SubsidisedSale.objects.count() == 1
    assert AuditEvent.objects.filter(action="subsidy.sale.recorded").count() == 1
