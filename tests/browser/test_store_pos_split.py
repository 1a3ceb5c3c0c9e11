"""The kasir at 360 px and 1280 px, keyboard only: (1) a member's sale split over cash and
bon — the item scanned, her card scanned into the same field, Enter to the payment, cash
and bon typed (the page shows paid, remaining and change as she types), checked, confirmed;
(2) an LPG 3 kg sale: the cylinder scanned, the buyer's NIK typed on the payment page, the
sale posted with its register row. No page scrolls sideways."""

from __future__ import annotations

import pytest

from kopdes.members.services import member_card_payload
from kopdes.platform.core import testing
from kopdes.savings.testing import active_member
from kopdes.store import services
from kopdes.store.models import Sale, SalePayment
from kopdes.store.testing import make_item, manajer, on_shift
from kopdes.subsidy.models import SubsidisedSale
from kopdes.subsidy.testing import buyer, lpg_het, nik

from .helpers import SIZES, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stock(koperasi, **kwargs):
    item = make_item(koperasi, **kwargs)
    services.receive_stock(
        koperasi,
        actor=manajer(koperasi),
        item=item,
        quantity=20,
        cost=20 * 15_000_00,
        idempotency_key=f"r-{item.pk}",
    )
    return item


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_member_sale_split_over_cash_and_bon(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    _stock(koperasi, name="Minyak goreng 1 liter", barcode="8992761111113")
    member = active_member(koperasi)
    kasir = on_shift(koperasi, testing.make_user("kasir", koperasi, username="kasir.split"))
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, kasir)
    page.goto(f"{base}/k/sukamaju/toko/kasir/")
    page.keyboard.type("8992761111113")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Minyak goreng 1 liter")
    # Her card, scanned into the scan field (the scanner types the payload and Enter).
    page.keyboard.type(member_card_payload(member))
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=pos-member-name]")
    assert page.inner_text("[data-testid=pos-total]") == "Rp 35.000"  # 2 x member price
    assert fits(page, viewport["width"])
    page.keyboard.press("Enter")  # the empty scan field: on to the payment
    page.wait_for_url("**/toko/kasir/bayar/")
    assert page.evaluate("document.activeElement.name") == "cash"
    page.keyboard.type("20.000")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "bon"
    page.keyboard.type("20.000")
    # Typed, not yet sent: the page already shows what remains and the change.
    assert page.inner_text("[data-pay-out=remaining]") == "Rp 0"
    assert page.inner_text("[data-pay-out=change]") == "Rp 5.000"
    page.keyboard.press("Enter")  # check
    page.wait_for_selector("[data-testid=pay-confirm]")
    assert page.inner_text("[data-testid=pay-change]") == "Rp 5.000"
    assert page.inner_text("[data-testid=pay-remaining]") == "Rp 0"
    assert fits(page, viewport["width"])
    screenshot(page, f"store-pos-split-{size}")
    page.keyboard.press("Enter")  # confirm (the focus is back in the cash field)
    page.wait_for_url("**/toko/kasir/struk/*/")
    sale = Sale.objects.get(koperasi=koperasi)
    rows = dict(SalePayment.objects.filter(sale=sale).values_list("method", "amount"))
    assert rows == {"cash": 15_000_00, "bon": 20_000_00}
    assert services.current_bon(koperasi, member) == 20_000_00


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_lpg_sale_with_the_buyers_nik(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    lpg_het(koperasi)  # Rp19.000 per cylinder
    buyer(koperasi, serial=1)
    _stock(
        koperasi,
        name="LPG 3 kg",
        barcode="8999990000010",
        business_unit="lpg",
        category="LPG",
        units_per_dus=None,
        member_price=19_000_00,
        public_price=19_000_00,
        min_stock=0,
    )
    kasir = on_shift(koperasi, testing.make_user("kasir", koperasi, username="kasir.lpg"))
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, kasir)
    page.goto(f"{base}/k/sukamaju/toko/kasir/")
    page.keyboard.type("8999990000010")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=LPG 3 kg")
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/kasir/bayar/")
    assert page.is_visible("[data-testid=pay-nik]")
    page.keyboard.type("40.000")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "nik"
    page.keyboard.type("1234")  # a wrong NIK first: refused, nothing posted
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=pay-error]")
    assert "NIK" in page.inner_text("[data-testid=pay-error]")
    assert not Sale.objects.filter(koperasi=koperasi).exists()
    assert page.evaluate("document.activeElement.name") == "nik"  # the focus is back there
    page.keyboard.press("Control+A")
    page.keyboard.type(nik(1))
    page.keyboard.press("Enter")  # check
    page.wait_for_selector("[data-testid=pay-confirm]")
    assert page.inner_text("[data-testid=pay-change]") == "Rp 2.000"
    assert fits(page, viewport["width"])
    screenshot(page, f"store-pos-lpg-{size}")
    page.keyboard.press("Enter")  # confirm
    page.wait_for_url("**/toko/kasir/struk/*/")
    sale = Sale.objects.get(koperasi=koperasi)
    row = SubsidisedSale.objects.get(koperasi=koperasi)
    assert row.store_sale_id == sale.pk and row.quantity == 2 and row.nik == nik(1)
