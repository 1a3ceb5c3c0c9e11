"""The batches follow the store's other stock movements (``store.hooks.MovementRule``): a
void or return of an apotek sale puts the quantity back into the batches its line took
(latest-expiring first, an expired batch too), a stock count's shortage takes the expired
batches first then the first-expiring; a count's surplus and a transfer of batch-kept
goods are refused with nothing written. Afterwards the batches and ``kopdes verify``
agree."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry
from kopdes.pharmacy import services
from kopdes.pharmacy.models import Batch, BatchMovement
from kopdes.pharmacy.testing import make_drug, manajer, receive
from kopdes.pharmacy.verification import check_batches
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.testing import make_user
from kopdes.store import services as store
from kopdes.store.models import StockCount, StockCountLine, StockMovement, StockPosition
from kopdes.store.services import stock_count as counts
from kopdes.store.services.transfers import transfer_stock
from kopdes.store.testing import make_item, running_unit
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


def _days(koperasi, n: int) -> dt.date:
    return koperasi.today() + dt.timedelta(days=n)


def _batches(koperasi) -> dict[str, int]:
    return dict(Batch.objects.filter(koperasi=koperasi).values_list("batch_number", "quantity"))


def _agree(koperasi) -> None:
    """The batches add up to the store's positions and to their own movements."""
    result = check_batches(koperasi)
    assert result.ok, result.problems
    assert check_stock(koperasi).ok


def _written(koperasi) -> tuple:
    return (
        StockMovement.objects.filter(koperasi=koperasi).count(),
        BatchMovement.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        sorted(_batches(koperasi).items()),
        sorted(StockPosition.objects.filter(koperasi=koperasi).values_list("item_id", "quantity")),
        sorted(StockCount.objects.filter(koperasi=koperasi).values_list("pk", "submitted_at")),
    )


def _sell(koperasi, item, quantity, *, key="s-1", date=None):
    return store.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        lines=[{"item": item, "quantity": quantity}],
        payments=[Payment("cash", 1_000_000_00)],
        idempotency_key=key,
        date=date,
    )


# --- voids and returns -------------------------------------------------------------------------


def test_returns_go_back_into_the_batches_the_line_took_latest_expiring_first(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "LATE", _days(koperasi, 400), 10)
    receive(koperasi, para, "SOON", _days(koperasi, 30), 4)
    receive(koperasi, para, "OTHER", _days(koperasi, 500), 5)  # not taken by the sale
    kasir, checker = make_user("kasir", koperasi), make_user("bendahara", koperasi)
    sale = _sell(koperasi, para, 6)  # SOON 4, LATE 2
    assert _batches(koperasi) == {"SOON": 0, "LATE": 8, "OTHER": 5}
    line = sale.lines.get()
    first = store.propose_return(sale, actor=kasir, quantities={line.pk: "3"}, reason="Salah beli")
    store.approve_sale_return(first, actor=checker)
    # The latest-expiring batch the line took first (LATE: 2), then SOON; never OTHER.
    assert _batches(koperasi) == {"SOON": 1, "LATE": 10, "OTHER": 5}
    _agree(koperasi)
    second = store.propose_return(sale, actor=kasir, quantities={line.pk: "3"}, reason="Sisa")
    store.approve_sale_return(second, actor=checker)
    assert _batches(koperasi) == {"SOON": 4, "LATE": 10, "OTHER": 5}
    back = sorted(
        BatchMovement.objects.filter(kind="return").values_list("batch__batch_number", "quantity")
    )
    assert back == [("LATE", 2), ("SOON", 1), ("SOON", 3)]
    assert all(m.sale_line_id == line.pk for m in BatchMovement.objects.filter(kind="return"))
    assert all(m.stock_movement_id for m in BatchMovement.objects.filter(kind="return"))
    assert AuditEvent.objects.filter(action="pharmacy.batch.moved").count() == 2
    assert StockPosition.objects.get(item=para).quantity == 19
    _agree(koperasi)


def test_a_void_puts_every_batch_back(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "A", _days(koperasi, 60), 2)
    receive(koperasi, para, "B", _days(koperasi, 90), 5)
    sale = _sell(koperasi, para, 4)
    assert _batches(koperasi) == {"A": 0, "B": 3}
    proposal = store.propose_void(sale, actor=make_user("kasir", koperasi), reason="Batal")
    store.approve_sale_return(proposal, actor=make_user("bendahara", koperasi))
    assert _batches(koperasi) == {"A": 2, "B": 5}
    _agree(koperasi)


def test_a_return_into_a_batch_expired_since_stays_blocked_for_sale(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive_day = _days(koperasi, -10)
    services.receive_batch(
        koperasi, actor=manajer(koperasi), item=para, batch_number="OLD",
        expires_on=_days(koperasi, -2), quantity=3, cost=9_000_00, date=receive_day,
        idempotency_key="old",
    )  # fmt: skip
    sale = _sell(koperasi, para, 2, date=_days(koperasi, -5))  # OLD was good then
    line = sale.lines.get()
    proposal = store.propose_return(
        sale, actor=make_user("kasir", koperasi), quantities={line.pk: "2"}, reason="Kembali"
    )
    store.approve_sale_return(proposal, actor=make_user("bendahara", koperasi))
    assert _batches(koperasi) == {"OLD": 3}
    _agree(koperasi)
    with pytest.raises(DomainError, match="kedaluwarsa"):
        _sell(koperasi, para, 1, key="s-2")


def test_a_sembako_return_leaves_the_batches_alone(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "A", _days(koperasi, 60), 2)
    oil = make_item(koperasi, name="Minyak goreng")
    store.receive_stock(
        koperasi, actor=manajer(koperasi), item=oil, quantity=5, cost=75_000_00,
        idempotency_key="oil",
    )  # fmt: skip
    sale = _sell(koperasi, oil, 2)
    proposal = store.propose_void(sale, actor=make_user("kasir", koperasi), reason="Batal")
    store.approve_sale_return(proposal, actor=make_user("bendahara", koperasi))
    assert BatchMovement.objects.filter(kind="return").count() == 0
    assert _batches(koperasi) == {"A": 2}
    _agree(koperasi)


# --- stock opname ------------------------------------------------------------------------------


def _count(koperasi, typed: dict):
    unit = running_unit(koperasi, "apotek")
    counter = make_user("kasir", koperasi)
    count = counts.start_count(koperasi, actor=counter, business_unit=unit)
    lines = {line.item.name: line for line in count.lines.select_related("item")}
    counts.save_counts(
        count, actor=counter, counts={str(lines[name].pk): text for name, text in typed.items()}
    )
    return count


def test_a_shortage_takes_the_expired_batches_first_then_the_first_expiring(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    services.receive_batch(
        koperasi, actor=manajer(koperasi), item=para, batch_number="OLD",
        expires_on=_days(koperasi, -1), quantity=2, cost=6_000_00, date=_days(koperasi, -20),
        idempotency_key="old",
    )  # fmt: skip
    receive(koperasi, para, "LATE", _days(koperasi, 400), 10)
    receive(koperasi, para, "SOON", _days(koperasi, 30), 4)
    count = _count(koperasi, {"Parasetamol 500 mg": "11"})  # 16 on hand: 5 short
    counts.submit_count(count, actor=make_user("manajer", koperasi))
    counts.approve_count(count, actor=make_user("bendahara", koperasi))
    assert _batches(koperasi) == {"OLD": 0, "SOON": 1, "LATE": 10}
    taken = sorted(
        BatchMovement.objects.filter(kind="adjustment").values_list(
            "batch__batch_number", "quantity"
        )
    )
    assert taken == [("OLD", 2), ("SOON", 3)]
    movement = StockCountLine.objects.get(count=count).movement
    assert all(m.stock_movement_id == movement.pk for m in BatchMovement.objects.filter(
        kind="adjustment"))  # fmt: skip
    assert StockPosition.objects.get(item=para).quantity == 11
    _agree(koperasi)


def test_a_surplus_of_a_drug_is_refused_when_submitted_and_nothing_is_written(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "A", _days(koperasi, 60), 4)
    count = _count(koperasi, {"Parasetamol 500 mg": "6"})
    before = _written(koperasi)
    with pytest.raises(DomainError) as refused:
        counts.submit_count(count, actor=make_user("manajer", koperasi))
    assert refused.value.message == (
        "Parasetamol 500 mg: kelebihan obat harus diterima sebagai batch lewat halaman "
        "penerimaan apotek, bukan lewat stok opname."
    )
    assert _written(koperasi) == before
    count.refresh_from_db()
    assert count.submitted_at is None
    _agree(koperasi)


def test_a_surplus_submitted_before_the_rule_is_refused_at_approval(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "A", _days(koperasi, 60), 4)
    count = _count(koperasi, {"Parasetamol 500 mg": "6"})
    # As if submitted before the apotek refused surpluses (the submission's check skipped).
    StockCount.objects.filter(pk=count.pk).update(submitted_at=count.proposed_at)
    count.refresh_from_db()
    before = _written(koperasi)
    with pytest.raises(DomainError, match="halaman penerimaan apotek"):
        counts.approve_count(count, actor=make_user("bendahara", koperasi))
    assert _written(koperasi) == before
    count.refresh_from_db()
    assert count.state == "pending"
    _agree(koperasi)


# --- transfers -------------------------------------------------------------------------------


def test_a_transfer_of_batch_kept_goods_is_refused_both_ways(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "A", _days(koperasi, 60), 4)
    other = make_item(koperasi, name="Parasetamol (gerai)", units_per_dus=None)
    store.receive_stock(
        koperasi, actor=manajer(koperasi), item=other, quantity=3, cost=9_000_00,
        idempotency_key="other",
    )  # fmt: skip
    before = _written(koperasi)
    for source, target in ((para, other), (other, para)):
        with pytest.raises(DomainError) as refused:
            transfer_stock(
                koperasi, actor=manajer(koperasi), item=source, to_item=target, quantity="1",
                idempotency_key=f"t-{source.pk}",
            )  # fmt: skip
        assert refused.value.message == (
            "Parasetamol 500 mg dicatat per batch di apotek: stoknya belum bisa dipindahkan "
            "antar unit pada versi ini."
        )
    assert _written(koperasi) == before
    _agree(koperasi)
