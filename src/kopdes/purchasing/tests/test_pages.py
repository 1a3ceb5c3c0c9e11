"""Purchasing's pages: an order drafted, placed and received (check shows the cost in
words, confirm receives once even when resent), what is owed with its aging, a payment
checked in words then posted (never more than owed), a member's harvest bought with her
receipt and WhatsApp text; bad input answered in Indonesian with nothing written; who may
open what; the menu entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kopdes.platform.core.testing import login, make_user
from kopdes.purchasing import services
from kopdes.purchasing.models import (
    GoodsReceipt,
    HarvestPurchase,
    OrderStatus,
    PurchaseOrder,
    SupplierPayment,
)
from kopdes.purchasing.testing import bendahara, harvest_item, make_supplier, placed_order
from kopdes.savings.testing import active_member
from kopdes.store.testing import make_item

pytestmark = pytest.mark.django_db


def _url(name, koperasi, **kwargs):
    return reverse(f"purchasing:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def test_an_order_is_drafted_placed_and_received_on_the_pages(client, koperasi):
    supplier = make_supplier(koperasi, "CV Sumber Pangan")
    oil = make_item(koperasi, name="Minyak goreng 1 liter")
    login(client, bendahara(koperasi))
    assert client.get(_url("order-list", koperasi)).status_code == 200
    form = client.get(_url("order-create", koperasi)).content.decode()
    key = form.split('name="key" value="')[1].split('"')[0]
    data = {
        "key": key, "supplier": str(supplier.pk), "item-0": str(oil.pk), "quantity-0": "5",
        "unit-0": "dus", "price-0": "Rp 200.000", "note": "Stok Lebaran",
    }  # fmt: skip
    done = client.post(_url("order-create", koperasi), data)
    order = PurchaseOrder.objects.get(koperasi=koperasi)
    assert done.status_code == 302 and order.total == 1_000_000_00
    client.post(_url("order-create", koperasi), data)  # resent: the same order
    assert PurchaseOrder.objects.filter(koperasi=koperasi).count() == 1
    client.post(_url("order-place", koperasi, order_id=order.pk))
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
    line = order.lines.get()
    receive = _url("order-receive", koperasi, order_id=order.pk)
    page = client.get(receive).content.decode()
    assert f'name="line-{line.pk}" value="5"' in page  # what is still ordered, filled in
    check = client.post(
        receive, {"key": "gr-1", "action": "check", f"line-{line.pk}": "2", "on_credit": "1"}
    )
    body = check.content.decode()
    assert "empat ratus ribu rupiah" in body.lower()
    assert not GoodsReceipt.objects.filter(koperasi=koperasi).exists()
    confirm = {"key": "gr-1", "action": "confirm", f"line-{line.pk}": "2", "on_credit": "1"}
    assert client.post(receive, confirm).status_code == 302
    client.post(receive, confirm)  # a resent confirmation
    receipt = GoodsReceipt.objects.get(koperasi=koperasi)
    assert receipt.on_credit and receipt.total == 400_000_00
    detail = client.get(_url("receipt-detail", koperasi, receipt_id=receipt.pk))
    assert "Rp 400.000" in detail.content.decode() and "2 dus" in detail.content.decode()
    page = client.get(_url("order-detail", koperasi, order_id=order.pk)).content.decode()
    assert "5 dus" in page and "2 dus" in page  # ordered, received so far


@pytest.mark.parametrize(
    ("typed", "needle"),
    [("0", "lebih dari nol"), ("-1", ""), ("1,5", ""), ("11", "melebihi sisa pesanan")],
)
def test_a_bad_quantity_received_is_refused_on_the_page(client, koperasi, typed, needle):
    order = placed_order(koperasi)
    line = order.lines.get(position=1)
    login(client, bendahara(koperasi))
    response = client.post(
        _url("order-receive", koperasi, order_id=order.pk),
        {"key": "k", "action": "confirm", f"line-{line.pk}": typed},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tidak ada yang disimpan" in body and needle in body
    assert not GoodsReceipt.objects.filter(koperasi=koperasi).exists()


def test_the_receipt_dates_are_typed_dd_mm_yyyy_never_the_browsers_picker(client, koperasi):
    order = placed_order(koperasi)
    line = order.lines.get(position=1)
    login(client, bendahara(koperasi))
    receive = _url("order-receive", koperasi, order_id=order.pk)
    page = client.get(receive).content.decode()
    assert 'type="date"' not in page and 'name="due_date"' in page
    bad = client.post(
        receive, {"key": "d", "action": "confirm", f"line-{line.pk}": "1", "date": "31-02-2026"}
    )
    assert bad.status_code == 400 and "hh-bb-tttt" in bad.content.decode()
    assert not GoodsReceipt.objects.filter(koperasi=koperasi).exists()
    day = koperasi.today() - dt.timedelta(days=2)
    done = client.post(
        receive,
        {
            "key": "d2", "action": "confirm", f"line-{line.pk}": "1", "on_credit": "1",
            "date": day.strftime("%d-%m-%Y"),
            "due_date": (day + dt.timedelta(days=14)).strftime("%d-%m-%Y"),
        },
    )  # fmt: skip
    assert done.status_code == 302
    receipt = GoodsReceipt.objects.get(koperasi=koperasi)
    assert receipt.date == day and receipt.due_date == day + dt.timedelta(days=14)


def test_a_bad_order_is_refused_on_the_page(client, koperasi):
    supplier = make_supplier(koperasi)
    oil = make_item(koperasi)
    login(client, bendahara(koperasi))
    base = {"key": "po-x", "supplier": str(supplier.pk), "item-0": str(oil.pk), "unit-0": "pcs"}
    for quantity, price, needle in (
        ("0", "1.000", "lebih dari nol"),
        ("2", "0", "lebih dari nol"),
        ("2", "seribu", "Baris 1"),
    ):
        response = client.post(
            _url("order-create", koperasi), {**base, "quantity-0": quantity, "price-0": price}
        )
        assert response.status_code == 400 and needle in response.content.decode()
    unknown = {**base, "supplier": "00000000-0000-0000-0000-000000000000", "quantity-0": "1",
               "price-0": "1.000"}  # fmt: skip
    other = client.post(_url("order-create", koperasi), unknown)
    assert other.status_code == 400 and "Pemasok tidak ditemukan" in other.content.decode()
    assert not PurchaseOrder.objects.filter(koperasi=koperasi).exists()


def test_payables_age_by_due_date_and_a_payment_is_checked_in_words_then_posted(client, koperasi):
    actor = bendahara(koperasi)
    order = placed_order(koperasi, actor=actor)
    line = order.lines.get(position=1)
    today = koperasi.today()
    services.receive_order(
        koperasi, actor=actor, order=order, quantities={str(line.pk): 5}, on_credit=True,
        date=today - dt.timedelta(days=50), due_date=today - dt.timedelta(days=20),
        idempotency_key="gr-old",
    )  # fmt: skip
    login(client, actor)
    page = client.get(_url("payables", koperasi)).content.decode()
    assert order.supplier.name in page and "Rp 1.000.000" in page
    assert "Lewat 1-30 hari" in page
    pay = _url("supplier-pay", koperasi, supplier_id=order.supplier.pk)
    assert client.get(pay).status_code == 200
    too_much = client.post(pay, {"key": "p1", "action": "confirm", "amount": "1.000.001"})
    assert too_much.status_code == 400 and "melebihi utang" in too_much.content.decode()
    zero = client.post(pay, {"key": "p1", "action": "check", "amount": "0"})
    assert zero.status_code == 400 and "lebih dari nol" in zero.content.decode()
    check = client.post(pay, {"key": "p1", "action": "check", "amount": "250.000"})
    assert "dua ratus lima puluh ribu rupiah" in check.content.decode().lower()
    assert not SupplierPayment.objects.filter(koperasi=koperasi).exists()
    data = {"key": "p1", "action": "confirm", "amount": "250.000", "business_unit": "sembako"}
    assert client.post(pay, data).status_code == 302
    client.post(pay, data)  # resent
    payment = SupplierPayment.objects.get(koperasi=koperasi)
    assert payment.amount == 250_000_00
    assert services.owed_to(koperasi, order.supplier) == 750_000_00


def test_a_members_harvest_is_bought_on_the_page_with_a_receipt_she_can_read(client, koperasi):
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi)
    services.set_harvest_terms(
        koperasi, actor=actor, item=gabah, standard_moisture_bp=1400, refraction_bp=200
    )
    member = active_member(koperasi)
    login(client, actor)
    assert client.get(_url("harvest-list", koperasi)).status_code == 200
    buy = _url("harvest-buy", koperasi)
    data = {"key": "hv-1", "member": member.number, "item": str(gabah.pk), "gross": "100",
            "moisture": "17", "price": "6.500"}  # fmt: skip
    check = client.post(buy, {**data, "action": "check"}).content.decode()
    assert "Rp 614.783" in check  # 94,582 kg x Rp6.500
    assert "enam ratus empat belas ribu" in check.lower()
    assert "94,582 kg" in check and "3,488 kg" in check
    assert not HarvestPurchase.objects.filter(koperasi=koperasi).exists()
    done = client.post(buy, {**data, "action": "confirm"})
    client.post(buy, {**data, "action": "confirm"})  # resent
    purchase = HarvestPurchase.objects.get(koperasi=koperasi)
    assert done.url == _url("harvest-receipt", koperasi, purchase_id=purchase.pk)
    receipt = client.get(done.url).content.decode()
    assert member.full_name in receipt and "Rp 614.783" in receipt
    assert "Potongan kadar air" in receipt and "3,488 kg" in receipt
    assert ">100 kg<" in receipt and "- 1,93 kg" in receipt and "94,582 kg" in receipt
    assert "dihitung untuk SHU" in receipt and "wa.me" in receipt
    assert "store/receipt.css" in receipt


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("member", "99999", "Anggota tidak ditemukan"),
        ("gross", "0", "lebih dari nol"),
        ("gross", "-5", "lebih dari nol"),
        ("price", "0", "lebih dari nol"),
        ("moisture", "", "kadar air"),
    ],
)
def test_a_bad_harvest_purchase_is_refused_on_the_page(client, koperasi, field, value, needle):
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi)
    services.set_harvest_terms(
        koperasi, actor=actor, item=gabah, standard_moisture_bp=1400, refraction_bp=0
    )
    member = active_member(koperasi)
    login(client, actor)
    data = {"key": "hv", "action": "confirm", "member": member.number, "item": str(gabah.pk),
            "gross": "10", "moisture": "15", "price": "6.000", field: value}  # fmt: skip
    response = client.post(_url("harvest-buy", koperasi), data)
    assert response.status_code == 400 and needle in response.content.decode()
    assert not HarvestPurchase.objects.filter(koperasi=koperasi).exists()


def test_harvest_terms_are_set_on_the_page(client, koperasi):
    gabah = harvest_item(koperasi)
    login(client, bendahara(koperasi))
    client.post(
        _url("harvest-terms", koperasi),
        {"item": str(gabah.pk), "standard_moisture": "14", "refraction": "1,5"},
    )
    terms = services.terms_for(koperasi, gabah)
    assert (terms.standard_moisture_bp, terms.refraction_bp) == (1400, 150)


def test_who_may_open_what(client, koperasi):
    order = placed_order(koperasi)
    pengawas = make_user("pengawas", koperasi)
    login(client, pengawas)
    assert client.get(_url("order-list", koperasi)).status_code == 200
    assert client.get(_url("order-detail", koperasi, order_id=order.pk)).status_code == 200
    assert client.get(_url("payables", koperasi)).status_code == 200
    for name, kwargs in (
        ("order-create", {}),
        ("order-receive", {"order_id": order.pk}),
        ("supplier-pay", {"supplier_id": order.supplier.pk}),
        ("harvest-buy", {}),
    ):
        assert client.get(_url(name, koperasi, **kwargs)).status_code == 403
    client.logout()
    login(client, make_user("kasir", koperasi))
    assert client.get(_url("order-list", koperasi)).status_code == 403


def test_the_menu_shows_purchasing_to_the_roles_that_may_see_it(client, koperasi):
    login(client, bendahara(koperasi))
    home = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content.decode()
    assert _url("order-list", koperasi) in home
    client.logout()
    login(client, make_user("kasir", koperasi))
    home = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content.decode()
    assert _url("order-list", koperasi) not in home
