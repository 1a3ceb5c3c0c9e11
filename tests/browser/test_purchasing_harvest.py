"""The bendahara buys a member's harvest on a phone (360 px) and on a laptop (1280 px): the
member's number, the gabah, its weight and moisture, the price; "check" shows the
deductions and the amount in words and nothing is paid yet; "confirm" pays and shows her
receipt (58 mm print CSS) with the WhatsApp text. Then the goods of a placed order are
received on credit and show on the payables page. No page scrolls sideways."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing
from kopdes.purchasing import services
from kopdes.purchasing.models import GoodsReceipt, HarvestPurchase
from kopdes.purchasing.testing import bendahara, harvest_item, placed_order
from kopdes.savings.testing import active_member

from .helpers import SIZES, assert_amounts_whole, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_bendahara_buys_a_members_harvest_and_receives_an_order(
    live_server, new_page, screenshot, viewport, size
):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    actor = bendahara(koperasi)
    gabah = harvest_item(koperasi, "Gabah kering panen")
    services.set_harvest_terms(
        koperasi, actor=actor, item=gabah, standard_moisture_bp=1400, refraction_bp=200
    )
    member = active_member(koperasi)
    order = placed_order(koperasi, actor=actor)
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, actor)
    page.goto(f"{base}/k/sukamaju/toko/pembelian/panen/")
    page.click("[data-testid=harvest-new]")
    page.fill("[data-testid=harvest-member]", member.number)
    page.select_option("[data-testid=harvest-item]", str(gabah.pk))
    page.fill("[data-testid=harvest-gross]", "100")
    page.fill("[data-testid=harvest-moisture]", "17")
    page.fill("[data-testid=harvest-price]", "6.500")
    page.click("[data-testid=harvest-check]")
    page.wait_for_selector("[data-testid=harvest-amount]")
    assert page.inner_text("[data-testid=harvest-amount]") == "Rp 614.783"
    words = page.inner_text("[data-testid=harvest-words]").lower()
    assert "enam ratus empat belas ribu tujuh ratus delapan puluh tiga rupiah" in words
    assert not HarvestPurchase.objects.filter(koperasi=koperasi).exists()
    assert fits(page, viewport["width"])
    screenshot(page, f"purchasing-harvest-check-{size}")
    page.click("[data-testid=harvest-confirm]")
    page.wait_for_selector("[data-testid=harvest-receipt]")
    assert page.inner_text("[data-testid=harvest-receipt-amount]") == "Rp 614.783"
    receipt = page.inner_text("[data-testid=harvest-receipt]")
    assert member.full_name in receipt and "SHU" in receipt
    assert "wa.me" in page.get_attribute("[data-testid=harvest-whatsapp]", "href")
    assert fits(page, viewport["width"])
    screenshot(page, f"purchasing-harvest-receipt-{size}")
    assert HarvestPurchase.objects.filter(koperasi=koperasi).count() == 1
    # Goods of the placed order, received on credit.
    page.goto(f"{base}/k/sukamaju/toko/pembelian/pesanan/{order.pk}/")
    page.click("[data-testid=order-receive]")
    page.check("[data-testid=receive-credit]")
    page.click("[data-testid=receive-check]")
    page.wait_for_selector("[data-testid=receive-total]")
    assert page.inner_text("[data-testid=receive-total]") == "Rp 2.675.000"
    assert fits(page, viewport["width"])
    page.click("[data-testid=receive-confirm]")
    page.wait_for_url("**/penerimaan/*/")
    assert GoodsReceipt.objects.get(koperasi=koperasi).on_credit
    page.goto(f"{base}/k/sukamaju/toko/pembelian/utang/")
    assert page.inner_text("[data-testid=payables-total]") == "Rp 2.675.000"
    assert fits(page, viewport["width"])
    assert_amounts_whole(page)
    screenshot(page, f"purchasing-payables-{size}")
