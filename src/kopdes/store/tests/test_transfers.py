"""Transfers between business units: the quantity leaves one unit's item at its moving
average and enters the other unit's item at that cost (Persediaan of the target debited,
of the source credited), idempotent, and every refusal (same unit, more than in stock,
another base unit, fractional or zero quantity) in Bahasa Indonesia with nothing written;
``store.stock`` still passes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import testing
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.store import services
from kopdes.store.errors import StoreError
from kopdes.store.models import StockMovement, StockPosition
from kopdes.store.services.transfers import transfer_stock
from kopdes.store.testing import make_item, manajer
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def goods(koperasi):
    """Rice in the gerai sembako (10 kg for Rp125.000) and the same rice sold by the
    hasil-bumi stall (empty), plus oil (pcs) there."""
    actor = manajer(koperasi)
    rice = make_item(koperasi, name="Beras lokal", base_unit="kg", units_per_dus=None)
    services.receive_stock(
        koperasi, actor=actor, item=rice, quantity=10, unit="kg", cost=125_000_00,
        idempotency_key="recv-rice",
    )  # fmt: skip
    stall_rice = make_item(
        koperasi, name="Beras lokal (lapak)", base_unit="kg", units_per_dus=None,
        business_unit="hasil_bumi",
    )  # fmt: skip
    stall_oil = make_item(koperasi, name="Minyak (lapak)", business_unit="hasil_bumi")
    sembako_oil = make_item(koperasi, name="Minyak goreng")
    return {"rice": rice, "stall_rice": stall_rice, "stall_oil": stall_oil, "oil": sembako_oil}


def _position(koperasi, item) -> tuple[int, int]:
    p = StockPosition.objects.filter(koperasi=koperasi, item=item).first()
    return (p.quantity, p.value) if p else (0, 0)


def _written(koperasi) -> tuple:
    return (
        StockMovement.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        tuple(
            StockPosition.objects.filter(koperasi=koperasi)
            .order_by("item_id")
            .values_list("quantity", "value")
        ),
    )


def test_a_transfer_moves_quantity_and_value_between_the_units_books(koperasi, goods):
    done = transfer_stock(
        koperasi, actor=manajer(koperasi), item=goods["rice"], to_item=goods["stall_rice"],
        quantity="2,5", idempotency_key="t1",
    )  # fmt: skip
    assert not done.replayed
    # 2,5 kg of 10 kg worth Rp125.000: Rp31.250 at the average.
    assert (done.out.kind, done.out.quantity, done.out.value) == ("transfer_out", 2500, 31_250_00)
    assert (done.into.kind, done.into.quantity, done.into.value) == ("transfer_in", 2500, 31_250_00)
    assert _position(koperasi, goods["rice"]) == (7500, 93_750_00)
    assert _position(koperasi, goods["stall_rice"]) == (2500, 31_250_00)
    lines = {
        (x.account.code, x.side, x.amount, x.subledger_ref, x.business_unit)
        for x in JournalLine.objects.filter(entry=done.out.entry).select_related("account")
    }
    assert lines == {
        ("1-1501.04", "D", 31_250_00, str(goods["stall_rice"].pk), "sembako"),
        ("1-1501", "C", 31_250_00, str(goods["rice"].pk), "sembako"),
    }
    assert check_stock(koperasi).ok, check_stock(koperasi).problems
    assert all(r.ok for r in verify_books(koperasi))
    event = AuditEvent.objects.get(koperasi=koperasi, action="store.stock.transferred")
    assert event.summary["value"] == 31_250_00


def test_a_retried_transfer_moves_once_and_a_reused_key_is_refused(koperasi, goods):
    args = {"item": goods["rice"], "to_item": goods["stall_rice"], "idempotency_key": "t2"}
    first = transfer_stock(koperasi, actor=manajer(koperasi), quantity="10", **args)
    before = _written(koperasi)
    again = transfer_stock(koperasi, actor=manajer(koperasi), quantity="10", **args)
    assert again.replayed and again.out.pk == first.out.pk
    assert _written(koperasi) == before  # the source is empty now: still the same answer
    with pytest.raises(ConflictError):
        transfer_stock(koperasi, actor=manajer(koperasi), quantity="1", **args)
    assert _written(koperasi) == before


@pytest.mark.parametrize(
    ("to", "quantity", "message"),
    [
        ("oil", "1", "bukan ke unit yang sama"),  # same unit (sembako -> sembako)
        ("stall_rice", "11", "Stok tidak cukup"),  # more than in stock
        ("stall_oil", "1", "satuan dasar yang sama"),  # kg -> pcs
        ("stall_rice", "0", "lebih dari nol"),
        ("stall_rice", "-1", "negatif"),
        ("stall_rice", "0,0001", "angka di belakang koma"),
    ],
)
def test_a_bad_transfer_is_refused_and_nothing_is_written(koperasi, goods, to, quantity, message):
    before = _written(koperasi)
    with pytest.raises(StoreError) as caught:
        transfer_stock(
            koperasi, actor=manajer(koperasi), item=goods["rice"], to_item=goods[to],
            quantity=quantity, idempotency_key=f"bad-{to}-{quantity}",
        )  # fmt: skip
    assert message in caught.value.message
    assert _written(koperasi) == before


def test_a_fraction_of_a_piece_is_refused(koperasi, goods):
    actor = manajer(koperasi)
    services.receive_stock(
        koperasi, actor=actor, item=goods["stall_oil"], quantity=4, cost=60_000_00,
        idempotency_key="recv-oil",
    )  # fmt: skip
    other = make_item(koperasi, name="Minyak goreng sembako")
    before = _written(koperasi)
    with pytest.raises(StoreError, match="harus bilangan bulat"):
        transfer_stock(
            koperasi, actor=actor, item=goods["stall_oil"], to_item=other, quantity="1,5",
            idempotency_key="frac",
        )  # fmt: skip
    assert _written(koperasi) == before


def test_only_officers_who_receive_stock_transfer_it(koperasi, goods):
    before = _written(koperasi)
    with pytest.raises(PermissionDeniedError):
        transfer_stock(
            koperasi, actor=make_user("kasir", koperasi), item=goods["rice"],
            to_item=goods["stall_rice"], quantity="1", idempotency_key="kasir",
        )  # fmt: skip
    assert _written(koperasi) == before


def test_the_transfer_page(koperasi, goods):
    url = reverse("store:transfer", kwargs={"slug": koperasi.slug})
    client = testing.login(Client(), make_user("bendahara", koperasi))
    page = client.get(url).content.decode()
    assert 'data-testid="transfer-form"' in page and "Beras lokal (lapak)" in page
    form = {"item": goods["rice"].pk, "to_item": goods["oil"].pk, "quantity": "1", "key": "p1"}
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "bukan ke unit yang sama" in refused.content.decode()
    assert _position(koperasi, goods["rice"]) == (10000, 125_000_00)
    form.update(to_item=goods["stall_rice"].pk, quantity="1,5", key="p2")
    done = client.post(url, form, follow=True)
    assert "1,5 kg Beras lokal dipindahkan ke" in done.content.decode()
    assert _position(koperasi, goods["stall_rice"]) == (1500, 18_750_00)
    # A kasir sees the list but no form, and cannot post one.
    kasir = testing.login(Client(), make_user("kasir", koperasi))
    assert 'data-testid="transfer-form"' not in kasir.get(url).content.decode()
    form.update(key="p3")
    kasir.post(url, form)
    assert _position(koperasi, goods["stall_rice"]) == (1500, 18_750_00)
