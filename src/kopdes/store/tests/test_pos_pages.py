"""The point of sale's pages: a scan adds a line, the member's number sets member prices,
the confirmation shows the total in words and the change, confirming posts one sale (a
resent confirmation never a second), the receipt with its WhatsApp text; who may open them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.platform.core.testing import login, make_user
from kopdes.savings.testing import active_member
from kopdes.store import services
from kopdes.store.models import Sale, StockPosition
from kopdes.store.testing import make_item, manajer, on_shift

pytestmark = pytest.mark.django_db
EAN = "8992761111113"


def _url(name, koperasi, **kwargs):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def _stocked(koperasi, **kwargs):
    item = make_item(koperasi, **kwargs)
    services.receive_stock(
        koperasi,
        actor=manajer(koperasi),
        item=item,
        quantity=10,
        cost=10 * 15_000_00,
        idempotency_key=f"r-{item.pk}",
    )
    return item


def test_kasir_scans_pays_in_cash_and_gets_a_receipt(client, koperasi):
    oil = _stocked(koperasi, barcode=EAN)
    login(client, on_shift(koperasi))
    assert client.get(_url("pos", koperasi)).status_code == 200
    # The scanner types the code and Enter: the form posts the code with quantity 1.
    client.post(_url("pos", koperasi), {"action": "add", "code": EAN + "\r", "quantity": "2"})
    page = client.get(_url("pos", koperasi)).content.decode()
    assert oil.name in page and "Rp 36.000" in page
    review = client.post(_url("pos-pay", koperasi), {"action": "review", "cash": "50.000"})
    body = review.content.decode()
    assert "tiga puluh enam ribu rupiah" in body.lower()
    assert "Rp 14.000" in body  # the change
    assert not Sale.objects.filter(koperasi=koperasi).exists()  # nothing before confirming
    done = client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "50.000"})
    sale = Sale.objects.get(koperasi=koperasi)
    assert done.status_code == 302 and done.url == _url("receipt", koperasi, sale_id=sale.pk)
    assert (sale.total, sale.change) == (36_000_00, 14_000_00)
    assert StockPosition.objects.get(item=oil).quantity == 8
    receipt = client.get(done.url).content.decode()
    assert "https://wa.me/?text=" in receipt and "Rp 36.000" in receipt


def test_a_member_number_gives_the_member_price(client, koperasi):
    oil = _stocked(koperasi)
    member = active_member(koperasi)
    login(client, on_shift(koperasi))
    client.post(_url("pos", koperasi), {"action": "member", "member": member.number})
    client.post(_url("pos", koperasi), {"action": "add", "code": oil.name, "quantity": "1"})
    client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "17.500"})
    sale = Sale.objects.get(koperasi=koperasi)
    assert sale.member == member and sale.total == 17_500_00


def test_bad_input_on_the_pages_is_refused_in_indonesian(client, koperasi):
    _stocked(koperasi, barcode=EAN)
    login(client, on_shift(koperasi))
    response = client.post(
        _url("pos", koperasi), {"action": "add", "code": EAN, "quantity": "1,5"}, follow=True
    )
    assert "harus bilangan bulat" in response.content.decode()
    response = client.post(_url("pos", koperasi), {"action": "add", "code": "zzz"}, follow=True)
    assert "Tidak ada barang" in response.content.decode()
    client.post(_url("pos", koperasi), {"action": "add", "code": EAN, "quantity": "11"})
    response = client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "500.000"})
    assert "Stok tidak cukup" in response.content.decode()
    response = client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "1.000"})
    assert not Sale.objects.filter(koperasi=koperasi).exists()


def test_a_resent_confirmation_posts_one_sale(client, koperasi):
    _stocked(koperasi, barcode=EAN)
    login(client, on_shift(koperasi))
    client.post(_url("pos", koperasi), {"action": "add", "code": EAN})
    session_key = f"pos:{koperasi.pk}"
    cart = dict(client.session[session_key])
    client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "18.000"})
    # The connection dropped before the receipt: the till resends the same cart.
    session = client.session
    session[session_key] = cart
    session.save()
    again = client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "18.000"})
    assert again.status_code == 302
    assert Sale.objects.filter(koperasi=koperasi).count() == 1


@pytest.mark.parametrize(
    "role,status",
    [("kasir", 200), ("manajer", 200), ("ketua", 403), ("pengawas", 403), ("bendahara", 403)],
)
def test_who_may_open_the_point_of_sale(client, koperasi, role, status):
    make_item(koperasi)
    user = make_user(role, koperasi)
    login(client, on_shift(koperasi, user) if status == 200 else user)
    assert client.get(_url("pos", koperasi)).status_code == status


def test_the_menu_leads_the_kasir_to_the_point_of_sale(client, koperasi):
    make_item(koperasi)
    login(client, on_shift(koperasi))
    page = client.get(_url("catalog", koperasi)).content.decode()
    assert _url("pos", koperasi) in page and "Kasir" in page
    login(client, make_user("pengawas", koperasi))
    assert _url("pos", koperasi) not in client.get(_url("catalog", koperasi)).content.decode()
