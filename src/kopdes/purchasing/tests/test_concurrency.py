"""Two officers paying the same supplier at once never pay more than is owed: each payment
reads what is owed under the koperasi's ledger lock (PostgreSQL; SQLite serialises writers
with BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.purchasing import services
from kopdes.purchasing.models import SupplierPayment
from kopdes.purchasing.testing import bendahara, placed_order
from kopdes.purchasing.verification import check_payables


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_payments_at_once_never_pay_more_than_owed(db):
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises BEGIN IMMEDIATE)")
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    order = placed_order(koperasi, actor=actor)
    line = order.lines.get(position=1)
    services.receive_order(
        koperasi, actor=actor, order=order, quantities={str(line.pk): 5}, on_credit=True,
        idempotency_key="gr",
    )  # fmt: skip
    owed = services.owed_to(koperasi, order.supplier)
    payers = [bendahara(koperasi), make_user("manajer", koperasi)]
    barrier = threading.Barrier(2)

    def pay(i):
        try:
            barrier.wait(timeout=30)
            return services.pay_supplier(
                koperasi, actor=payers[i], supplier=order.supplier, amount=owed * 6 // 10,
                idempotency_key=f"pay-{i}",
            )  # fmt: skip
        except services.PurchasingError as exc:
            return exc
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(pay, range(2)))
    paid = [r for r in results if isinstance(r, SupplierPayment)]
    refused = [r for r in results if isinstance(r, services.PurchasingError)]
    assert len(paid) == 1 and len(refused) == 1
    assert "melebihi utang" in refused[0].message
    assert services.owed_to(koperasi, order.supplier) == owed - owed * 6 // 10
    assert check_payables(koperasi).ok
