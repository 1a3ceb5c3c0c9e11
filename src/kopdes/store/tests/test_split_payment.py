"""Split payment on the POS's payment page: one field per registered payment method (cash,
bon for a member, any method a later app registers), the page shows what is paid, what
remains and the change; confirming posts one sale with one payment row per method.
Refusals (underpaid, non-cash above the total, bon without a member or above the limit,
an amount that is not rupiah) say why in Indonesian and write nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.ledger import chart
from kopdes.ledger.models import JournalEntry
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.tenancy import services as tenancy
from kopdes.savings.testing import active_member
from kopdes.store import payments
from kopdes.store.models import Sale, SalePayment
from kopdes.store.testing import on_shift
from kopdes.store.tests.test_pos_pages import _stocked

pytestmark = pytest.mark.django_db


def _url(name, koperasi, **kwargs):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug, **kwargs})


@pytest.fixture
def transfer():
    """A method another app would register (a bank transfer), removed afterwards."""
    method = payments.register_method(
        payments.PaymentMethod("transfer", "Transfer bank", lambda unit: chart.BANK)
    )
    yield method
    payments.METHODS.pop("transfer", None)


def _cart(client, koperasi, *, member=None, quantity="2"):
    """Two bottles of oil (member price Rp17.500, public Rp18.000) in the cart."""
    oil = _stocked(koperasi)
    login(client, on_shift(koperasi))
    if member is not None:
        client.post(_url("pos", koperasi), {"action": "member", "member": member.number})
    client.post(_url("pos", koperasi), {"action": "add", "code": oil.name, "quantity": quantity})
    return oil


def test_cash_and_bon_in_one_sale(client, koperasi):
    member = active_member(koperasi)
    _cart(client, koperasi, member=member)  # 2 x Rp17.500 = Rp35.000
    page = client.get(_url("pos-pay", koperasi)).content.decode()
    assert 'data-testid="pay-cash"' in page and 'data-testid="pay-bon"' in page
    assert "Rp 500.000" in page  # her bon limit, shown next to the bon field
    review = client.post(
        _url("pos-pay", koperasi), {"action": "review", "bon": "20.000", "cash": "20.000"}
    )
    body = review.content.decode()
    assert 'data-testid="pay-confirm"' in body
    assert 'data-pay-out="remaining">Rp 0<' in body
    assert 'data-pay-out="change">Rp 5.000<' in body  # cash due 15.000, 20.000 given
    assert not Sale.objects.exists()
    done = client.post(
        _url("pos-pay", koperasi), {"action": "confirm", "bon": "20.000", "cash": "20.000"}
    )
    sale = Sale.objects.get(koperasi=koperasi)
    assert done.status_code == 302
    assert (sale.total, sale.cash_tendered, sale.change) == (35_000_00, 20_000_00, 5_000_00)
    rows = dict(SalePayment.objects.filter(sale=sale).values_list("method", "amount"))
    assert rows == {"cash": 15_000_00, "bon": 20_000_00}
    receipt = client.get(done.url).content.decode()  # each method by its name
    assert "Bon anggota: Rp 20.000" in receipt and "Tunai: Rp 15.000" in receipt
    debits = {
        line.account.code: line.amount
        for line in sale.entry.lines.select_related("account")
        if line.side == "D" and line.memo in ("cash", "bon")
    }
    assert debits["1-1400"] == 20_000_00 and sum(debits.values()) == 35_000_00


def test_every_registered_method_is_listed_and_posts_to_its_account(client, koperasi, transfer):
    _cart(client, koperasi)  # no member: 2 x Rp18.000 = Rp36.000
    page = client.get(_url("pos-pay", koperasi)).content.decode()
    assert 'data-testid="pay-transfer"' in page and "Transfer bank" in page
    assert 'data-testid="pay-bon"' not in page  # bon is for members only
    client.post(
        _url("pos-pay", koperasi), {"action": "confirm", "transfer": "30.000", "cash": "10.000"}
    )
    sale = Sale.objects.get(koperasi=koperasi)
    rows = dict(SalePayment.objects.filter(sale=sale).values_list("method", "amount"))
    assert rows == {"cash": 6_000_00, "transfer": 30_000_00}
    assert sale.change == 4_000_00
    bank = [x for x in sale.entry.lines.select_related("account") if x.account.code == chart.BANK]
    assert [(x.side, x.amount) for x in bank] == [("D", 30_000_00)]


def test_the_page_shows_what_remains_and_refuses_an_underpaid_sale(client, koperasi):
    _cart(client, koperasi)
    review = client.post(_url("pos-pay", koperasi), {"action": "review", "cash": "10.000"})
    body = review.content.decode()
    assert 'data-pay-out="remaining">Rp 26.000<' in body
    assert 'data-testid="pay-confirm"' not in body
    refused = client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "10.000"})
    assert "Pembayaran kurang Rp 26.000" in refused.content.decode()
    assert not Sale.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cash": "sepuluh ribu"}, "Tunai"),
        # Bon is not offered without a member: a posted bon is not taken, the sale unpaid.
        ({"bon": "36.000"}, "Pembayaran kurang Rp 36.000"),
        ({"cash": "-40.000"}, "Tunai"),
        ({"transfer": "40.000"}, "melebihi total"),
        ({"transfer": "36.000", "cash": "5.000"}, "kosongkan uang tunai"),
    ],
)
def test_bad_payments_are_refused_and_write_nothing(client, koperasi, transfer, data, message):
    _cart(client, koperasi)
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    response = client.post(_url("pos-pay", koperasi), {"action": "confirm", **data})
    assert message in response.content.decode()
    assert not Sale.objects.exists() and not SalePayment.objects.exists()
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries


def test_bon_above_the_adart_limit_is_refused_on_the_page(client, koperasi):
    member = active_member(koperasi)
    adart = {**koperasi.adart.to_json(), "bon_limit": 20_000_00}
    tenancy.update_adart(koperasi, actor=make_user("ketua", koperasi), adart=adart)
    _cart(client, koperasi, member=member)
    response = client.post(
        _url("pos-pay", koperasi), {"action": "confirm", "bon": "30.000", "cash": "5.000"}
    )
    body = response.content.decode()
    assert "melebihi sisa batas bon anggota Rp 20.000" in body
    assert not Sale.objects.exists()
