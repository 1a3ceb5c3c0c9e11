"""Titip jual through the services: consigned stock outside Persediaan, a sale posting the
consignor's share to Utang konsinyasi (gross margin = commission), the statement, the
payout, and every refusal writing nothing."""

from __future__ import annotations

import pytest

from kopdes.consignment import services
from kopdes.consignment.errors import ConsignmentError
from kopdes.consignment.models import ConsignmentMovement, ConsignmentPayout, ConsignmentTerms
from kopdes.consignment.testing import consigned_item, make_consignor, manajer
from kopdes.domain.sale import Payment
from kopdes.ledger import chart
from kopdes.ledger.models import Account, JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.store import services as store
from kopdes.store.errors import StoreError
from kopdes.store.models import StockMovement, StockPosition
from kopdes.store.testing import make_item
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def koperasi():
    return make_koperasi("titip")


def _sell(koperasi, item, quantity, *, key, price_total=None, **line):
    return store.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        lines=[{"item": item, "quantity": quantity, **line}],
        payments=[Payment("cash", price_total or 10_000_000_00)],
        idempotency_key=key,
    )


def _lines(entry):
    return sorted(
        (x.account.code, x.side, x.amount, x.subledger_kind, x.subledger_ref)
        for x in JournalLine.objects.filter(entry=entry).select_related("account")
    )


def _counts(koperasi):
    return (
        ConsignmentTerms.objects.filter(koperasi=koperasi).count(),
        ConsignmentMovement.objects.filter(koperasi=koperasi).count(),
        ConsignmentPayout.objects.filter(koperasi=koperasi).count(),
        StockMovement.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        tuple(StockPosition.objects.filter(koperasi=koperasi).values_list("quantity", "value")),
    )


def test_consigned_goods_are_counted_but_never_in_persediaan(koperasi):
    item, consignor = consigned_item(koperasi, received=20)
    position = StockPosition.objects.get(koperasi=koperasi, item=item)
    assert (position.quantity, position.value) == (20, 0)
    movement = StockMovement.objects.get(koperasi=koperasi, item=item)
    assert (movement.kind, movement.value, movement.entry_id, movement.supplier_id) == (
        "consignment_in",
        0,
        None,
        consignor.pk,
    )
    assert not JournalEntry.objects.filter(koperasi=koperasi, source="store.receipt").exists()
    assert check_stock(koperasi).problems == []
    account = Account.objects.get(koperasi=koperasi, code=chart.CONSIGNMENT_PAYABLE)
    assert account.subledger_kind == "consignment"
    assert account.parent.code == chart.TRADE_PAYABLE


def test_a_consigned_sale_owes_the_share_and_earns_the_commission(koperasi):
    item, consignor = consigned_item(koperasi, rate_bp=1_000, received=20)
    sale = _sell(koperasi, item, 3, key="sale-1", price_total=45_000_00)
    unit = item.business_unit
    assert sale.total == 45_000_00 and sale.cost == 40_500_00
    assert _lines(sale.entry) == sorted(
        [
            (unit.cash_account, "D", 45_000_00, "", ""),
            (unit.revenue_public_account, "C", 45_000_00, "", ""),
            (unit.cost_public_account, "D", 40_500_00, "", ""),
            (chart.CONSIGNMENT_PAYABLE, "C", 40_500_00, "consignment", str(consignor.pk)),
        ]
    )
    assert StockPosition.objects.get(koperasi=koperasi, item=item).quantity == 17
    assert services.owed(koperasi, consignor) == 40_500_00
    assert check_stock(koperasi).problems == []
    assert all(not r.problems for r in verify_books(koperasi))


def test_fixed_margin_and_consignor_price_terms(koperasi):
    margin_item, _c = consigned_item(
        koperasi, kind="fixed_margin", rate_bp=0, margin=1_500_00, received=10
    )
    sale = _sell(koperasi, margin_item, 2, key="sale-margin")
    assert sale.total == 30_000_00 and sale.cost == 27_000_00  # 2 x (15.000 - 1.500)
    price_item, _c = consigned_item(
        koperasi, kind="consignor_price", rate_bp=0, consignor_price=12_000_00, received=10
    )
    sale = _sell(koperasi, price_item, 4, key="sale-price")
    assert sale.total == 60_000_00 and sale.cost == 48_000_00  # 4 x 12.000


def test_statement_and_payout(koperasi):
    item, consignor = consigned_item(koperasi, rate_bp=1_000, received=20)
    services.return_goods(
        koperasi, actor=manajer(koperasi), item=item, quantity=2, idempotency_key="back-1"
    )
    _sell(koperasi, item, 3, key="sale-1")
    today = koperasi.today()
    stated = services.statement(koperasi, consignor, today.year, today.month)
    (line,) = stated.lines
    assert (line.received, line.sold, line.returned, line.on_hand) == (20, 3, 2, 15)
    assert (line.sales, line.commission, line.share) == (45_000_00, 4_500_00, 40_500_00)
    assert stated.due == 40_500_00

    bendahara = make_user("bendahara", koperasi)
    paid = services.pay_consignor(
        koperasi,
        actor=bendahara,
        consignor=consignor,
        year=today.year,
        month=today.month,
        amount=40_000_00,
        idempotency_key="pay-1",
    )
    assert not paid.replayed
    assert _lines(paid.payout.entry) == sorted(
        [
            (chart.CONSIGNMENT_PAYABLE, "D", 40_000_00, "consignment", str(consignor.pk)),
            (item.business_unit.cash_account, "C", 40_000_00, "", ""),
        ]
    )
    again = services.pay_consignor(
        koperasi,
        actor=bendahara,
        consignor=consignor,
        year=today.year,
        month=today.month,
        amount=40_000_00,
        idempotency_key="pay-1",
    )
    assert again.replayed and again.payout.pk == paid.payout.pk
    stated = services.statement(koperasi, consignor, today.year, today.month)
    assert (stated.paid, stated.due) == (40_000_00, 500_00)
    assert services.owed(koperasi, consignor) == 500_00
    event = AuditEvent.objects.get(koperasi=koperasi, action="consignment.payout.recorded")
    assert event.summary["amount"] == 40_000_00


def test_paying_more_than_due_or_replaying_other_content_writes_nothing(koperasi):
    item, consignor = consigned_item(koperasi, received=5)
    _sell(koperasi, item, 1, key="sale-1")  # due 13.500
    today = koperasi.today()
    bendahara = make_user("bendahara", koperasi)

    def pay(amount, key):
        return services.pay_consignor(
            koperasi,
            actor=bendahara,
            consignor=consignor,
            year=today.year,
            month=today.month,
            amount=amount,
            idempotency_key=key,
        )

    before = _counts(koperasi)
    with pytest.raises(ConsignmentError) as exc:
        pay(13_501_00, "pay-x")
    assert "melebihi yang harus dibayar" in exc.value.message
    assert "Rp 13.500" in exc.value.message
    assert _counts(koperasi) == before
    pay(10_000_00, "pay-1")
    before = _counts(koperasi)
    with pytest.raises(ConflictError) as exc:
        pay(3_000_00, "pay-1")
    assert "Tidak ada yang dicatat" in exc.value.message
    with pytest.raises(ConsignmentError):
        pay(3_500_01, "pay-2")  # 3.500 left
    with pytest.raises(ConsignmentError):
        pay(0, "pay-3")
    with pytest.raises(PermissionDeniedError):
        services.pay_consignor(
            koperasi,
            actor=make_user("kasir", koperasi),
            consignor=consignor,
            year=today.year,
            month=today.month,
            amount=1_000_00,
            idempotency_key="pay-4",
        )
    assert _counts(koperasi) == before


def _terms(koperasi, item, consignor, **kw):
    data = {"kind": "percent", "rate_bp": 1_000, "valid_from": koperasi.today()}
    data.update(kw)
    return services.set_terms(
        koperasi, actor=manajer(koperasi), item=item, consignor=consignor, **data
    )


def test_terms_refusals_write_nothing(koperasi):
    consignor = make_consignor(koperasi)
    item = make_item(koperasi, units_per_dus=None)
    before = _counts(koperasi)
    with pytest.raises(ConsignmentError) as exc:
        _terms(koperasi, item, consignor, rate_bp=10_001)
    assert exc.value.message == "Komisi tidak boleh lebih dari 100%."
    with pytest.raises(ConsignmentError) as exc:
        _terms(koperasi, item, consignor, rate_bp=-1)
    assert "negatif" in exc.value.message
    with pytest.raises(ConsignmentError) as exc:
        _terms(koperasi, item, make_consignor(koperasi, umkm=False, name="CV Grosir"))
    assert "UMKM" in exc.value.message
    with pytest.raises(ConsignmentError):
        _terms(koperasi, item, consignor, kind="consignor_price", rate_bp=0)
    with pytest.raises(ConsignmentError):
        _terms(koperasi, item, consignor, kind="barter")
    assert _counts(koperasi)[:2] == before[:2]


def test_an_item_with_own_stock_cannot_be_consigned(koperasi):
    item = make_item(koperasi, units_per_dus=None)
    store.receive_stock(
        koperasi, actor=manajer(koperasi), item=item, quantity=5, cost=50_000_00,
        idempotency_key="own-1",
    )  # fmt: skip
    before = _counts(koperasi)
    with pytest.raises(ConsignmentError) as exc:
        _terms(koperasi, item, make_consignor(koperasi))
    assert "stok atau penjualan milik koperasi" in exc.value.message
    assert _counts(koperasi)[:2] == before[:2]


def test_one_consignor_per_item_and_one_terms_per_date(koperasi):
    item, consignor = consigned_item(koperasi)
    with pytest.raises(ConsignmentError) as exc:
        _terms(koperasi, item, make_consignor(koperasi), valid_from=koperasi.today())
    assert consignor.name in exc.value.message
    with pytest.raises(ConsignmentError):
        _terms(koperasi, item, consignor, valid_from=koperasi.today().replace(day=1))


def test_goods_movement_refusals(koperasi):
    item, _consignor = consigned_item(koperasi, received=3)
    plain = make_item(koperasi, units_per_dus=None)
    actor = manajer(koperasi)
    before = _counts(koperasi)
    with pytest.raises(ConsignmentError) as exc:
        services.return_goods(koperasi, actor=actor, item=item, quantity=4, idempotency_key="b1")
    assert "melebihi" in exc.value.message or "tidak cukup" in exc.value.message.lower()
    with pytest.raises(ConsignmentError):
        services.receive_goods(koperasi, actor=actor, item=plain, quantity=1, idempotency_key="b2")
    with pytest.raises(StoreError):
        services.receive_goods(koperasi, actor=actor, item=item, quantity=0, idempotency_key="b3")
    with pytest.raises(StoreError):
        services.receive_goods(
            koperasi, actor=actor, item=item, quantity="1,5", idempotency_key="b4"
        )
    assert _counts(koperasi) == before
    services.receive_goods(koperasi, actor=actor, item=item, quantity=2, idempotency_key="k")
    again = services.receive_goods(
        koperasi, actor=actor, item=item, quantity=2, idempotency_key="k"
    )
    assert again.replayed
    before = _counts(koperasi)
    with pytest.raises(ConflictError) as exc:
        services.receive_goods(koperasi, actor=actor, item=item, quantity=7, idempotency_key="k")
    assert "Tidak ada yang dicatat" in exc.value.message
    assert _counts(koperasi) == before


def test_a_sale_before_the_terms_is_refused(koperasi):
    import datetime as dt

    today = koperasi.today()
    item, _consignor = consigned_item(koperasi, received=3)
    before = _counts(koperasi)
    with pytest.raises(StoreError) as exc:
        store.checkout(
            koperasi,
            actor=make_user("kasir", koperasi),
            lines=[{"item": item, "quantity": 1}],
            payments=[Payment("cash", 15_000_00)],
            idempotency_key="early",
            date=today.replace(day=1) - dt.timedelta(days=1),
        )
    assert "syarat titip jual" in exc.value.message
    assert _counts(koperasi) == before


def test_own_stock_is_never_received_into_a_consigned_item(koperasi):
    item, consignor = consigned_item(koperasi, received=5)
    before = _counts(koperasi)
    with pytest.raises(StoreError) as exc:
        store.receive_stock(
            koperasi, actor=manajer(koperasi), item=item, quantity=5, cost=50_000_00,
            idempotency_key="own-into-consigned",
        )  # fmt: skip
    assert consignor.name in exc.value.message and "titip" in exc.value.message
    assert _counts(koperasi) == before


def test_voids_and_returns_give_the_share_back_to_the_consignor(koperasi):
    """A void mirrors the sale (Utang konsinyasi debited back); a customer's return takes
    the returned share back off it; the goods come back at value 0; the statement counts
    the sale less what came back; the books and the stock still reconcile."""
    item, consignor = consigned_item(koperasi, received=5)
    kasir, ketua = make_user("kasir", koperasi), make_user("ketua", koperasi)
    voided = _sell(koperasi, item, 1, key="sale-void")
    store.approve_sale_return(
        store.propose_void(voided, actor=kasir, reason="Pembeli batal"), actor=ketua
    )
    assert services.owed(koperasi, consignor) == 0
    sale = _sell(koperasi, item, 2, key="sale-two")  # share 2 x 13.500
    line = sale.lines.get()
    done = store.approve_sale_return(
        store.propose_return(sale, actor=kasir, quantities={line.pk: 1}, reason="Rusak"),
        actor=ketua,
    )
    assert (chart.CONSIGNMENT_PAYABLE, "D", 13_500_00, "consignment", str(consignor.pk)) in (
        _lines(done.entry)
    )
    assert services.owed(koperasi, consignor) == 13_500_00
    position = StockPosition.objects.get(koperasi=koperasi, item=item)
    assert (position.quantity, position.value) == (4, 0)
    today = koperasi.today()
    stated = services.statement(koperasi, consignor, today.year, today.month)
    (row,) = stated.lines
    assert (row.sold, row.on_hand, row.sales, row.share) == (1, 4, 15_000_00, 13_500_00)
    assert stated.due == 13_500_00
    assert check_stock(koperasi).problems == []
    assert all(not r.problems for r in verify_books(koperasi))
    before = _counts(koperasi)
    with pytest.raises(ConsignmentError):
        services.pay_consignor(
            koperasi,
            actor=make_user("bendahara", koperasi),
            consignor=consignor,
            year=today.year,
            month=today.month,
            amount=13_500_01,
            idempotency_key="pay-after-returns",
        )
    assert _counts(koperasi) == before
