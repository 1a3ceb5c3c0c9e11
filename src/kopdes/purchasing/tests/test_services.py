"""Purchasing's services on a real database: orders, goods received on cash and on credit
through the store's stock receipt, payables and supplier payments, members' harvest; every
refusal writes nothing; replays return the first result, other content is a 409."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.ledger import chart
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.purchasing import selectors, services
from kopdes.purchasing.models import (
    GoodsReceipt,
    HarvestPurchase,
    OrderStatus,
    PaymentAllocation,
    PurchaseOrder,
    SupplierPayment,
)
from kopdes.purchasing.testing import (
    bendahara,
    harvest_item,
    key,
    make_supplier,
    placed_order,
)
from kopdes.savings.testing import active_member
from kopdes.store.models import StockMovement, StockPosition
from kopdes.store.testing import make_item
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def _counts(koperasi) -> tuple[int, ...]:
    return (
        PurchaseOrder.objects.filter(koperasi=koperasi).count(),
        GoodsReceipt.objects.filter(koperasi=koperasi).count(),
        SupplierPayment.objects.filter(koperasi=koperasi).count(),
        PaymentAllocation.objects.filter(koperasi=koperasi).count(),
        HarvestPurchase.objects.filter(koperasi=koperasi).count(),
        StockMovement.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        tuple(GoodsReceipt.objects.filter(koperasi=koperasi).values_list("paid", flat=True)),
    )


def _balance(koperasi, code: str) -> int:
    """Credit minus debit of ``code`` (a liability's balance)."""
    total = 0
    for side, amount in JournalLine.objects.filter(
        koperasi=koperasi, account__code=code
    ).values_list("side", "amount"):
        total += amount if side == "C" else -amount
    return total


def _lines(order):
    return {line.position: line for line in order.lines.all()}


# --- orders ------------------------------------------------------------------------------------


def test_an_order_is_drafted_with_its_agreed_cost_then_placed():
    koperasi = make_koperasi()
    order = placed_order(koperasi)
    assert order.status == OrderStatus.ORDERED
    lines = _lines(order)
    assert lines[1].quantity == 120  # 10 dus of 12 pcs
    assert lines[1].amount == 2_000_000_00
    assert lines[2].quantity == 25_000  # grams
    assert lines[2].amount == 675_000_00
    assert order.total == 2_675_000_00
    assert str(order) == "PO-00001"
    assert AuditEvent.objects.filter(koperasi=koperasi, action="purchasing.order.placed").exists()


@pytest.mark.parametrize(
    ("quantity", "unit", "price", "needle"),
    [
        (0, "pcs", 10_000_00, "lebih dari nol"),
        (-2, "pcs", 10_000_00, ""),
        ("1,5", "pcs", 10_000_00, ""),
        ("abc", "pcs", 10_000_00, "bukan angka"),
        (2, "pak", 10_000_00, "pak"),
        (2, "pcs", 0, "lebih dari nol"),
        (2, "pcs", -5, "lebih dari nol"),
    ],
)
def test_a_bad_order_line_is_refused_in_indonesian_and_nothing_is_written(
    quantity, unit, price, needle
):
    koperasi = make_koperasi()
    supplier = make_supplier(koperasi)
    item = make_item(koperasi)
    before = _counts(koperasi)
    with pytest.raises(services.PurchasingError) as exc:
        services.create_order(
            koperasi, actor=bendahara(koperasi), supplier=supplier,
            lines=[{"item": item, "quantity": quantity, "unit": unit, "price": price}],
            idempotency_key=key(),
        )  # fmt: skip
    assert needle in exc.value.message
    assert exc.value.errors[0][0].startswith("lines-0-")
    assert _counts(koperasi) == before


def test_an_order_to_an_unknown_or_another_koperasis_supplier_is_refused():
    koperasi, other = make_koperasi(), make_koperasi()
    theirs = make_supplier(other)
    item = make_item(koperasi)
    before = _counts(koperasi)
    for supplier in (theirs, str(theirs.pk), "not-a-uuid", ""):
        with pytest.raises(services.PurchasingError) as exc:
            services.create_order(
                koperasi, actor=bendahara(koperasi), supplier=supplier,
                lines=[{"item": item, "quantity": 1, "unit": "pcs", "price": 100_00}],
                idempotency_key=key(),
            )  # fmt: skip
        assert exc.value.message == "Pemasok tidak ditemukan."
    theirs_item = make_item(other)
    with pytest.raises(services.PurchasingError, match="tidak ditemukan"):
        services.create_order(
            koperasi, actor=bendahara(koperasi), supplier=make_supplier(koperasi),
            lines=[{"item": theirs_item, "quantity": 1, "unit": "pcs", "price": 100_00}],
            idempotency_key=key(),
        )  # fmt: skip
    assert _counts(koperasi)[0] == before[0]


def test_an_order_replayed_returns_the_first_and_other_content_is_a_conflict():
    koperasi = make_koperasi()
    supplier = make_supplier(koperasi)
    item = make_item(koperasi)
    actor = bendahara(koperasi)
    line = {"item": item, "quantity": 3, "unit": "dus", "price": 150_000_00}
    first = services.create_order(
        koperasi, actor=actor, supplier=supplier, lines=[line], idempotency_key="po-1"
    )
    again = services.create_order(
        koperasi, actor=actor, supplier=supplier, lines=[dict(line)], idempotency_key="po-1"
    )
    assert again.pk == first.pk
    before = _counts(koperasi)
    with pytest.raises(ConflictError):
        services.create_order(
            koperasi, actor=actor, supplier=supplier, lines=[{**line, "quantity": 4}],
            idempotency_key="po-1",
        )  # fmt: skip
    assert _counts(koperasi) == before


def test_only_the_permitted_roles_order_receive_and_pay():
    koperasi = make_koperasi()
    supplier = make_supplier(koperasi)
    item = make_item(koperasi)
    for role in ("kasir", "pengawas", "ketua"):
        with pytest.raises(PermissionDeniedError):
            services.create_order(
                koperasi, actor=make_user(role, koperasi), supplier=supplier,
                lines=[{"item": item, "quantity": 1, "unit": "pcs", "price": 100_00}],
                idempotency_key=key(),
            )  # fmt: skip
        with pytest.raises(PermissionDeniedError):
            services.pay_supplier(
                koperasi, actor=make_user(role, koperasi), supplier=supplier, amount=100,
                idempotency_key=key(),
            )  # fmt: skip


def test_a_draft_is_cancelled_with_a_reason_but_not_after_goods_arrived():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    order = placed_order(koperasi, actor=actor)
    with pytest.raises(services.PurchasingError, match="alasan"):
        services.cancel_order(koperasi, actor=actor, order=order, reason="  ")
    line = _lines(order)[1]
    services.receive_order(
        koperasi, actor=actor, order=order, quantities={str(line.pk): 2}, on_credit=False,
        idempotency_key=key(),
    )  # fmt: skip
    with pytest.raises(services.PurchasingError, match="sudah diterima"):
        services.cancel_order(koperasi, actor=actor, order=order, reason="Pemasok batal")
    other = placed_order(koperasi, actor=actor)
    done = services.cancel_order(koperasi, actor=actor, order=other, reason="Harga naik")
    assert done.status == OrderStatus.CANCELLED
    with pytest.raises(services.PurchasingError):
        services.place_order(koperasi, actor=actor, order=other)


# --- goods received ----------------------------------------------------------------------------


def test_goods_received_in_two_parts_on_credit_then_cash_add_up_to_the_agreed_cost():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    order = placed_order(koperasi, actor=actor)
    oil, eggs = _lines(order)[1], _lines(order)[2]
    first = services.receive_order(
        koperasi, actor=actor, order=order,
        quantities={str(oil.pk): 3, str(eggs.pk): "10,5"},
        on_credit=True, date=DAY, idempotency_key="gr-1",
    )  # fmt: skip
    assert first.on_credit and first.due_date == DAY + dt.timedelta(days=30)
    # 3 of 10 dus: Rp600.000; 10,5 of 25 kg: Rp283.500.
    assert first.total == 600_000_00 + 283_500_00
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
    oil_position = StockPosition.objects.get(koperasi=koperasi, item=oil.item)
    assert (oil_position.quantity, oil_position.value) == (36, 600_000_00)
    assert _balance(koperasi, chart.TRADE_PAYABLE) == first.total
    assert services.owed_to(koperasi, order.supplier) == first.total
    second = services.receive_order(
        koperasi, actor=actor, order=order,
        quantities={str(oil.pk): 7, str(eggs.pk): "14,5"},
        on_credit=False, date=DAY, idempotency_key="gr-2",
    )  # fmt: skip
    assert first.total + second.total == order.total
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert _balance(koperasi, chart.TRADE_PAYABLE) == first.total  # cash did not add to it
    assert all(r.ok for r in verify_books(koperasi))
    assert check_stock(koperasi).problems == []
    assert (
        AuditEvent.objects.filter(koperasi=koperasi, action="purchasing.goods.received").count()
        == 2
    )
    # A received order takes nothing more.
    with pytest.raises(services.PurchasingError, match="berstatus diterima"):
        services.receive_order(
            koperasi, actor=actor, order=order, quantities={str(oil.pk): 1}, on_credit=False,
            idempotency_key=key(),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("which", "quantity", "needle"),
    [
        (1, 0, "lebih dari nol"),
        (1, -1, ""),
        (1, "0,5", ""),
        (1, 11, "melebihi sisa pesanan"),
        (2, "25,001", "melebihi sisa pesanan"),
        (2, "x", "bukan angka"),
    ],
)
def test_a_bad_receipt_is_refused_and_nothing_is_written(which, quantity, needle):
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    order = placed_order(koperasi, actor=actor)
    line = _lines(order)[which]
    before = _counts(koperasi)
    with pytest.raises(services.PurchasingError) as exc:
        services.receive_order(
            koperasi, actor=actor, order=order, quantities={str(line.pk): quantity},
            on_credit=True, idempotency_key=key(),
        )  # fmt: skip
    assert needle in exc.value.message
    assert _counts(koperasi) == before
    assert not StockPosition.objects.filter(koperasi=koperasi).exists()


def test_a_draft_takes_no_goods_and_a_due_date_before_arrival_is_refused():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    order = services.create_order(
        koperasi, actor=actor, supplier=make_supplier(koperasi),
        lines=[{"item": make_item(koperasi), "quantity": 1, "unit": "dus", "price": 10_000_00}],
        idempotency_key=key(),
    )  # fmt: skip
    line = order.lines.get()
    with pytest.raises(services.PurchasingError, match="draf"):
        services.receive_order(
            koperasi, actor=actor, order=order, quantities={str(line.pk): 1}, on_credit=False,
            idempotency_key=key(),
        )  # fmt: skip
    with pytest.raises(services.PurchasingError, match="jatuh tempo"):
        services.receive_order(
            koperasi, actor=actor, order=order, quantities={str(line.pk): 1}, on_credit=True,
            date=DAY, due_date=DAY - dt.timedelta(days=1), idempotency_key=key(),
        )  # fmt: skip


def test_a_receipt_replayed_posts_once_and_other_content_is_a_conflict():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    order = placed_order(koperasi, actor=actor)
    line = _lines(order)[1]
    first = services.receive_order(
        koperasi, actor=actor, order=order, quantities={str(line.pk): 2}, on_credit=True,
        date=DAY, idempotency_key="gr-same",
    )  # fmt: skip
    before = _counts(koperasi)
    again = services.receive_order(
        koperasi, actor=actor, order=order, quantities={str(line.pk): "2"}, on_credit=True,
        date=DAY, idempotency_key="gr-same",
    )  # fmt: skip
    assert again.pk == first.pk
    assert _counts(koperasi) == before
    with pytest.raises(ConflictError):
        services.receive_order(
            koperasi, actor=actor, order=order, quantities={str(line.pk): 3}, on_credit=True,
            date=DAY, idempotency_key="gr-same",
        )  # fmt: skip
    assert _counts(koperasi) == before


# --- payables and payments ---------------------------------------------------------------------


def _owing(koperasi, actor, *, days=(DAY,)):
    """A supplier owed by one credit receipt per day in ``days``."""
    supplier = make_supplier(koperasi)
    receipts = []
    for day in days:
        order = placed_order(koperasi, supplier=supplier, actor=actor)
        line = _lines(order)[1]
        receipts.append(
            services.receive_order(
                koperasi,
                actor=actor,
                order=order,
                quantities={str(line.pk): 5},
                on_credit=True,
                date=day,
                idempotency_key=key(),
            )
        )
    return supplier, receipts


def test_a_payment_settles_the_oldest_receipts_first_and_posts_payable_against_kas():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    supplier, (old, new) = _owing(koperasi, actor, days=(DAY, DAY + dt.timedelta(days=5)))
    assert old.total == new.total == 1_000_000_00
    payment = services.pay_supplier(
        koperasi, actor=actor, supplier=supplier, amount=1_200_000_00, date=DAY,
        idempotency_key="pay-1",
    )  # fmt: skip
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.paid, new.paid) == (1_000_000_00, 200_000_00)
    assert services.owed_to(koperasi, supplier) == 800_000_00
    assert _balance(koperasi, chart.TRADE_PAYABLE) == 800_000_00
    lines = {(x.account.code, x.side): x.amount for x in payment.entry.lines.all()}
    assert lines == {
        (chart.TRADE_PAYABLE, "D"): 1_200_000_00,
        (payment.business_unit.cash_account, "C"): 1_200_000_00,
    }
    assert all(r.ok for r in verify_books(koperasi))
    row = selectors.payables(koperasi, today=DAY + dt.timedelta(days=40))[0]
    assert row["supplier"] == supplier and row["owed"] == 800_000_00
    # Old one paid; the newer one is due at DAY+35: 5 days late at DAY+40.
    assert row["buckets"]["1-30"] == 800_000_00


def test_paying_more_than_owed_zero_or_an_unknown_supplier_is_refused():
    koperasi, other = make_koperasi(), make_koperasi()
    actor = bendahara(koperasi)
    supplier, _receipts = _owing(koperasi, actor)
    before = _counts(koperasi)
    with pytest.raises(services.PurchasingError) as exc:
        services.pay_supplier(
            koperasi, actor=actor, supplier=supplier, amount=1_000_000_01, idempotency_key=key()
        )
    assert "melebihi utang" in exc.value.message and "Rp 1.000.000" in exc.value.message
    for amount in (0, -100, 1.5):
        with pytest.raises(services.PurchasingError, match="lebih dari nol"):
            services.pay_supplier(
                koperasi, actor=actor, supplier=supplier, amount=amount, idempotency_key=key()
            )
    with pytest.raises(services.PurchasingError, match="Pemasok tidak ditemukan"):
        services.pay_supplier(
            koperasi, actor=actor, supplier=make_supplier(other), amount=100,
            idempotency_key=key(),
        )  # fmt: skip
    assert _counts(koperasi) == before


def test_a_payment_replayed_posts_once_and_other_content_is_a_conflict():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    supplier, _receipts = _owing(koperasi, actor)
    first = services.pay_supplier(
        koperasi, actor=actor, supplier=supplier, amount=300_000_00, date=DAY,
        idempotency_key="pay-x",
    )  # fmt: skip
    before = _counts(koperasi)
    again = services.pay_supplier(
        koperasi, actor=actor, supplier=supplier, amount=300_000_00, date=DAY,
        idempotency_key="pay-x",
    )  # fmt: skip
    assert again.pk == first.pk and _counts(koperasi) == before
    with pytest.raises(ConflictError):
        services.pay_supplier(
            koperasi, actor=actor, supplier=supplier, amount=400_000_00, date=DAY,
            idempotency_key="pay-x",
        )  # fmt: skip
    assert _counts(koperasi) == before


# --- members' harvest --------------------------------------------------------------------------


def test_a_members_harvest_is_bought_into_stock_for_cash_and_counts_for_her_shu():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi)
    services.set_harvest_terms(
        koperasi, actor=actor, item=gabah, standard_moisture_bp=1400, refraction_bp=200
    )
    member = active_member(koperasi)
    bought = services.buy_harvest(
        koperasi, actor=actor, member=member, item=gabah, gross_kg="1000",
        price_per_kg=6_500_00, moisture_bp=1700, date=DAY, idempotency_key="hv-1",
    )  # fmt: skip
    # 1.000 kg at 17% to 14%: 965,116 kg; rafaksi 2%: 19,302 kg; net 945,814 kg.
    assert (bought.moisture_grams, bought.refraction_grams, bought.net_grams) == (
        34_884, 19_302, 945_814,
    )  # fmt: skip
    assert bought.amount == 6_147_791_00
    position = StockPosition.objects.get(koperasi=koperasi, item=gabah)
    assert (position.quantity, position.value) == (945_814, bought.amount)
    lines = {(x.account.code, x.side): x.amount for x in bought.movement.entry.lines.all()}
    unit = gabah.business_unit
    assert lines == {
        (unit.inventory_account, "D"): bought.amount,
        (unit.cash_account, "C"): bought.amount,
    }
    assert unit.inventory_account.endswith(".04")
    other = services.buy_harvest(
        koperasi, actor=actor, member=member, item=gabah, gross_kg="50,5",
        price_per_kg=6_000_00, moisture_bp=1300, date=DAY, idempotency_key="hv-2",
    )  # fmt: skip
    assert other.net_grams == 49_490  # no moisture deduction below the standard; 2% rafaksi
    assert selectors.harvest_participation(koperasi, year=2026) == {
        member.pk: bought.amount + other.amount
    }
    assert selectors.harvest_participation(koperasi, year=2025) == {}
    assert all(r.ok for r in verify_books(koperasi)) and check_stock(koperasi).problems == []


@pytest.mark.parametrize(
    ("gross", "price", "moisture", "needle"),
    [
        ("0", 6_500_00, 1500, "lebih dari nol"),
        ("-3", 6_500_00, 1500, "lebih dari nol"),
        ("abc", 6_500_00, 1500, "bukan angka"),
        ("1,0005", 6_500_00, 1500, "gram"),
        ("10", 0, 1500, "lebih dari nol"),
        ("10", -1, 1500, "lebih dari nol"),
        ("10", 6_500_00, None, "kadar air"),
        ("10", 6_500_00, 10_000, "Kadar air"),
    ],
)
def test_a_bad_harvest_purchase_is_refused_and_nothing_is_written(gross, price, moisture, needle):
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi)
    services.set_harvest_terms(
        koperasi, actor=actor, item=gabah, standard_moisture_bp=1400, refraction_bp=0
    )
    member = active_member(koperasi)
    before = _counts(koperasi)
    with pytest.raises(services.PurchasingError) as exc:
        services.buy_harvest(
            koperasi, actor=actor, member=member, item=gabah, gross_kg=gross,
            price_per_kg=price, moisture_bp=moisture, idempotency_key=key(),
        )  # fmt: skip
    assert needle in exc.value.message
    assert _counts(koperasi) == before


def test_harvest_only_from_a_member_of_this_koperasi_and_of_the_hasil_bumi_unit():
    koperasi, other = make_koperasi(), make_koperasi()
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi)
    member = active_member(koperasi)
    stranger = active_member(other)
    sembako_item = make_item(koperasi)
    their_item = harvest_item(other, "Jagung")
    before = _counts(koperasi)
    with pytest.raises(services.PurchasingError, match="Anggota tidak ditemukan"):
        services.buy_harvest(
            koperasi, actor=actor, member=stranger, item=gabah, gross_kg="5",
            price_per_kg=5_000_00, idempotency_key=key(),
        )  # fmt: skip
    with pytest.raises(services.PurchasingError, match="hasil bumi"):
        services.buy_harvest(
            koperasi, actor=actor, member=member, item=sembako_item, gross_kg="5",
            price_per_kg=5_000_00, idempotency_key=key(),
        )  # fmt: skip
    with pytest.raises(services.PurchasingError, match="tidak ditemukan"):
        services.buy_harvest(
            koperasi, actor=actor, member=member, item=their_item,
            gross_kg="5", price_per_kg=5_000_00, idempotency_key=key(),
        )  # fmt: skip
    assert _counts(koperasi) == before


def test_a_harvest_purchase_replayed_pays_once_and_other_content_is_a_conflict():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi, "Cabai rawit")
    member = active_member(koperasi)
    first = services.buy_harvest(
        koperasi, actor=actor, member=member, item=gabah, gross_kg="12",
        price_per_kg=40_000_00, date=DAY, idempotency_key="hv-same",
    )  # fmt: skip
    before = _counts(koperasi)
    again = services.buy_harvest(
        koperasi, actor=actor, member=member, item=gabah, gross_kg="12,000",
        price_per_kg=40_000_00, date=DAY, idempotency_key="hv-same",
    )  # fmt: skip
    assert again.pk == first.pk and _counts(koperasi) == before
    with pytest.raises(ConflictError):
        services.buy_harvest(
            koperasi, actor=actor, member=member, item=gabah, gross_kg="13",
            price_per_kg=40_000_00, date=DAY, idempotency_key="hv-same",
        )  # fmt: skip
    assert _counts(koperasi) == before


def test_verify_finds_payables_that_disagree_with_the_books():
    from kopdes.purchasing.verification import check_payables

    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    supplier, (receipt,) = _owing(koperasi, actor)
    payment = services.pay_supplier(
        koperasi, actor=actor, supplier=supplier, amount=100_000_00, idempotency_key=key()
    )
    result = check_payables(koperasi)
    assert result.ok and result.checked == 2
    GoodsReceipt.objects.filter(pk=receipt.pk).update(total=receipt.total + 1)
    SupplierPayment.objects.filter(pk=payment.pk).update(amount=payment.amount - 1)
    problems = check_payables(koperasi).problems
    assert any(p.startswith("BPB-00001: total") for p in problems)
    assert any(p.startswith("PB-00001: jumlah") for p in problems)


def test_a_note_or_reason_with_a_refused_character_is_refused_and_nothing_is_written():
    koperasi = make_koperasi()
    actor = bendahara(koperasi)
    supplier, _receipts = _owing(koperasi, actor)
    order = placed_order(koperasi, actor=actor)
    before = _counts(koperasi)
    line = {"item": make_item(koperasi), "quantity": 1, "unit": "pcs", "price": 100_00}
    after_item = _counts(koperasi)
    with pytest.raises(services.PurchasingError, match="tidak diizinkan"):
        services.create_order(
            koperasi, actor=actor, supplier=supplier, lines=[line], note="Stok\x00",
            idempotency_key=key(),
        )  # fmt: skip
    with pytest.raises(services.PurchasingError, match="tidak diizinkan"):
        services.cancel_order(koperasi, actor=actor, order=order, reason="Batal \u202e")
    with pytest.raises(services.PurchasingError, match="tidak diizinkan"):
        services.pay_supplier(
            koperasi, actor=actor, supplier=supplier, amount=100, note="\x07",
            idempotency_key=key(),
        )  # fmt: skip
    assert _counts(koperasi) == after_item
    assert before[:5] == after_item[:5]
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
