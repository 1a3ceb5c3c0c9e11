"""Stock and the checkout on a real database: goods received, a sale posted as one balanced
entry with its HPP, every refusal writing nothing, idempotent replays, no overselling under
concurrency, and ``kopdes verify`` catching a stock position changed by hand."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.savings.testing import active_member as make_member
from kopdes.store import services
from kopdes.store.models import Sale, SaleLine, SalePayment, StockMovement, StockPosition
from kopdes.store.testing import make_item, manajer
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


def _stocked(koperasi, quantity=10, cost=15_000_00 * 10, **item):
    item = make_item(koperasi, **item)
    services.receive_stock(
        koperasi,
        actor=manajer(koperasi),
        item=item,
        quantity=quantity,
        cost=cost,
        idempotency_key=f"recv-{item.pk}",
    )
    return item


def _counts(koperasi) -> tuple[int, ...]:
    return (
        Sale.objects.filter(koperasi=koperasi).count(),
        SaleLine.objects.filter(koperasi=koperasi).count(),
        SalePayment.objects.filter(koperasi=koperasi).count(),
        StockMovement.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        tuple(
            StockPosition.objects.filter(koperasi=koperasi)
            .order_by("item_id")
            .values_list("quantity", "value")
        ),
    )


def _cash(amount):
    return [Payment("cash", amount)]


def test_receive_stock_posts_inventory_against_kas_or_payable(koperasi):
    item = make_item(koperasi)
    actor = manajer(koperasi)
    got = services.receive_stock(
        koperasi, actor=actor, item=item, quantity=12, cost=12 * 15_000_00, idempotency_key="r1"
    )
    assert not got.replayed
    position = StockPosition.objects.get(koperasi=koperasi, item=item)
    assert (position.quantity, position.value) == (12, 180_000_00)
    lines = {
        (x.account.code, x.side, x.amount, x.business_unit)
        for x in JournalLine.objects.filter(entry=got.movement.entry).select_related("account")
    }
    assert lines == {("1-1501", "D", 180_000_00, "sembako"), ("1-1101", "C", 180_000_00, "sembako")}
    # On credit to the supplier: Utang usaha; the average blends (12 @ 15.000 + 8 @ 16.000).
    supplier = services.create_supplier(
        koperasi, actor=actor, data={"name": "CV Sumber Rejeki", "is_umkm": False}
    )
    credit = services.receive_stock(
        koperasi,
        actor=actor,
        item=item,
        quantity=8,
        cost=8 * 16_000_00,
        supplier=supplier,
        on_credit=True,
        idempotency_key="r2",
    )
    assert {x.account.code for x in JournalLine.objects.filter(entry=credit.movement.entry)} == {
        "1-1501",
        "2-1300",
    }
    position.refresh_from_db()
    assert (position.quantity, position.value) == (20, 308_000_00)
    again = services.receive_stock(
        koperasi,
        actor=actor,
        item=item,
        quantity=8,
        cost=8 * 16_000_00,
        supplier=supplier,
        on_credit=True,
        idempotency_key="r2",
    )
    assert again.replayed and again.movement.pk == credit.movement.pk
    with pytest.raises(ConflictError):
        services.receive_stock(
            koperasi,
            actor=actor,
            item=item,
            quantity=8,
            cost=8 * 17_000_00,
            supplier=supplier,
            on_credit=True,
            idempotency_key="r2",
        )
    position.refresh_from_db()
    assert (position.quantity, position.value) == (20, 308_000_00)
    assert check_stock(koperasi).ok


def test_receive_stock_refusals_write_nothing(koperasi):
    item = make_item(koperasi)
    actor = manajer(koperasi)
    before = _counts(koperasi)
    for kwargs, message in [
        ({"quantity": 0}, "lebih dari nol"),
        ({"quantity": "1,5"}, "bilangan bulat"),
        ({"quantity": 2, "cost": -1}, "cost"),
        ({"quantity": 2, "on_credit": True}, "supplier"),
    ]:
        with pytest.raises(services.StoreError) as caught:
            services.receive_stock(
                koperasi,
                actor=actor,
                item=item,
                idempotency_key="bad",
                **{"cost": 10_000_00, **kwargs},
            )
        assert message in f"{caught.value.field} {caught.value.message}", caught.value.message
    with pytest.raises(PermissionDeniedError):
        services.receive_stock(
            koperasi,
            actor=make_user("kasir", koperasi),
            item=item,
            quantity=1,
            cost=1,
            idempotency_key="k",
        )
    assert _counts(koperasi) == before


def test_checkout_posts_one_balanced_entry_with_cogs(koperasi):
    oil = _stocked(koperasi, 10, 10 * 15_000_00)  # average Rp15.000
    rice = _stocked(
        koperasi,
        50,
        50 * 12_000_00,
        base_unit="kg",
        units_per_dus=None,
        member_price=13_500_00,
        public_price=14_000_00,
        min_stock=0,
    )
    kasir = make_user("kasir", koperasi)
    sale = services.checkout(
        koperasi,
        actor=kasir,
        lines=[{"item": oil, "quantity": 2}, {"item": rice.pk, "quantity": "2,5"}],
        payments=_cash(100_000_00),
        idempotency_key="sale-1",
    )
    # 2 x 18.000 + 2,5 kg x 14.000 = 36.000 + 35.000 (public prices: no member).
    assert (sale.total, sale.cash_tendered, sale.change) == (71_000_00, 100_000_00, 29_000_00)
    assert sale.cost == 2 * 15_000_00 + 30_000_00
    lines = JournalLine.objects.filter(entry=sale.entry).select_related("account")
    debit = sum(x.amount for x in lines if x.side == "D")
    credit = sum(x.amount for x in lines if x.side == "C")
    assert debit == credit == 71_000_00 + 60_000_00
    by = {(x.account.code, x.side): x.amount for x in lines if x.account.code != "1-1501"}
    assert by == {
        ("1-1101", "D"): 71_000_00,
        ("4-1201", "C"): 71_000_00,
        ("5-1201", "D"): 60_000_00,
    }
    assert {x.subledger_ref for x in lines if x.account.code == "1-1501"} == {
        str(oil.pk),
        str(rice.pk),
    }
    assert StockPosition.objects.get(item=oil).quantity == 8
    assert StockPosition.objects.get(item=rice).quantity == 47_500
    assert JournalEntry.objects.filter(koperasi=koperasi, source="store.sale").count() == 1
    assert AuditEvent.objects.filter(koperasi=koperasi, action="store.sale.completed").count() == 1
    assert check_stock(koperasi).ok
    assert all(r.ok for r in verify_books(koperasi))


def test_member_price_and_bon_within_the_limit(koperasi):
    oil = _stocked(koperasi)
    member = make_member(koperasi)
    sale = services.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        member=member,
        lines=[{"item": oil, "quantity": 2}],
        payments=[Payment("bon", 20_000_00), Payment("cash", 20_000_00)],
        idempotency_key="m-1",
    )
    assert sale.total == 35_000_00 and sale.change == 5_000_00
    codes = {
        (x.account.code, x.side): x.amount
        for x in JournalLine.objects.filter(entry=sale.entry).select_related("account")
    }
    assert codes[("1-1400", "D")] == 20_000_00 and codes[("1-1101", "D")] == 15_000_00
    assert codes[("4-1101", "C")] == 35_000_00 and codes[("5-1101", "D")] == 30_000_00
    assert services.current_bon(koperasi, member) == 20_000_00


@pytest.mark.parametrize(
    "case",
    [
        "unknown_item",
        "zero",
        "negative",
        "fraction",
        "more_than_stock",
        "credit_limit",
        "bon_not_member",
        "below_cost",
        "underpaid",
        "unknown_method",
        "empty",
    ],
)
def test_every_bad_checkout_writes_nothing(koperasi, case):
    oil = _stocked(koperasi)
    member = make_member(koperasi)
    kasir = make_user("kasir", koperasi)
    args = {"lines": [{"item": oil, "quantity": 1}], "payments": _cash(18_000_00)}
    expected = {
        "unknown_item": "tidak ditemukan",
        "zero": "lebih dari nol",
        "negative": "negatif",
        "fraction": "bilangan bulat",
        "more_than_stock": "Stok tidak cukup",
        "credit_limit": "melebihi sisa batas bon",
        "bon_not_member": "hanya untuk anggota",
        "below_cost": "di bawah harga pokok",
        "underpaid": "kurang",
        "unknown_method": "tidak dikenal",
        "empty": "belum berisi",
    }[case]
    if case == "unknown_item":
        args["lines"] = [{"item": make_item(make_koperasi()).pk, "quantity": 1}]
    elif case in ("zero", "negative", "fraction"):
        args["lines"] = [
            {"item": oil, "quantity": {"zero": 0, "negative": -1, "fraction": "1,5"}[case]}
        ]
    elif case == "more_than_stock":
        args["lines"] = [{"item": oil, "quantity": 11}]
        args["payments"] = _cash(198_000_00)
    elif case == "credit_limit":
        args["member"] = member
        args["lines"] = [{"item": oil, "quantity": 10}]
        koperasi.adart_settings = {**koperasi.adart_settings, "bon_limit": 100_000_00}
        koperasi.save()
        args["payments"] = [Payment("bon", 175_000_00)]
    elif case == "bon_not_member":
        args["payments"] = [Payment("bon", 18_000_00)]
    elif case == "below_cost":
        args["lines"] = [{"item": oil, "quantity": 1, "price": 14_000_00}]
        args["payments"] = _cash(14_000_00)
    elif case == "underpaid":
        args["payments"] = _cash(10_000_00)
    elif case == "unknown_method":
        args["payments"] = [Payment("emas", 18_000_00)]
    elif case == "empty":
        args["lines"] = []
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.checkout(koperasi, actor=kasir, idempotency_key=f"bad-{case}", **args)
    assert expected in caught.value.message, caught.value.message
    assert _counts(koperasi) == before


def test_below_cost_with_the_permission_is_allowed(koperasi):
    oil = _stocked(koperasi)
    sale = services.checkout(
        koperasi,
        actor=manajer(koperasi),
        lines=[{"item": oil, "quantity": 1, "price": 14_000_00}],
        payments=_cash(14_000_00),
        idempotency_key="bc",
    )
    assert sale.below_cost and sale.total == 14_000_00 and sale.cost == 15_000_00


def test_replay_same_key_same_content_returns_the_same_sale_other_content_conflicts(koperasi):
    oil = _stocked(koperasi)
    kasir = make_user("kasir", koperasi)
    first = services.checkout(
        koperasi,
        actor=kasir,
        lines=[{"item": oil, "quantity": 1}],
        payments=_cash(20_000_00),
        idempotency_key="same",
    )
    before = _counts(koperasi)
    again = services.checkout(
        koperasi,
        actor=kasir,
        lines=[{"item": oil, "quantity": 1}],
        payments=_cash(20_000_00),
        idempotency_key="same",
    )
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert _counts(koperasi) == before
    with pytest.raises(ConflictError) as caught:
        services.checkout(
            koperasi,
            actor=kasir,
            lines=[{"item": oil, "quantity": 2}],
            payments=_cash(40_000_00),
            idempotency_key="same",
        )
    assert caught.value.status == 409
    assert _counts(koperasi) == before


def test_verify_catches_a_tampered_stock_position(koperasi):
    oil = _stocked(koperasi)
    assert check_stock(koperasi).ok
    StockPosition.objects.filter(item=oil).update(value=149_000_00)
    result = check_stock(koperasi)
    assert not result.ok
    assert any("persediaan" in p for p in result.problems)


def test_kopdes_verify_fails_on_a_position_changed_by_hand(koperasi):
    oil = _stocked(koperasi)
    call_command("verify", "--koperasi", koperasi.slug, stdout=StringIO(), stderr=StringIO())
    StockPosition.objects.filter(item=oil).update(quantity=9)
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify", "--koperasi", koperasi.slug, stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "mutasi terakhir" in str(caught.value) + err.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_tills_at_once_never_oversell(db):
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises BEGIN IMMEDIATE)")
    koperasi = make_koperasi()
    oil = _stocked(koperasi, 3, 3 * 15_000_00)
    tills = [make_user("kasir", koperasi) for _ in range(6)]
    barrier = threading.Barrier(6)

    def ring(i):
        try:
            barrier.wait(timeout=30)
            return services.checkout(
                koperasi,
                actor=tills[i],
                lines=[{"item": oil, "quantity": 1}],
                payments=_cash(18_000_00),
                idempotency_key=f"till-{i}",
            )
        except services.StoreError as exc:
            return exc
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(ring, range(6)))
    sold = [r for r in results if isinstance(r, Sale)]
    refused = [r for r in results if isinstance(r, services.StoreError)]
    assert len(sold) == 3 and len(refused) == 3
    assert all("Stok tidak cukup" in r.message for r in refused)
    position = StockPosition.objects.get(item=oil)
    assert (position.quantity, position.value) == (0, 0)
    assert check_stock(koperasi).ok
