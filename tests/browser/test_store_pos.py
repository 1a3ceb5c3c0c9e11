"""The kasir rings up a sale at the point of sale on a phone (360 px) and on the counter's
laptop (1280 px) with the keyboard only: a USB scanner types each code and Enter, a
quantity is typed in the next field, a name search finds a loose item, Enter on the empty
scan field goes to the payment, the cash typed, checked (total in words, change), confirmed;
the receipt shows and the next sale starts. No page scrolls sideways."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing
from kopdes.store import services
from kopdes.store.models import Sale, StockPosition
from kopdes.store.testing import make_item, manajer, on_shift

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
def test_kasir_rings_up_a_sale_with_a_scanner(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    oil = _stock(koperasi, name="Minyak goreng 1 liter", barcode="8992761111113")
    sugar = _stock(
        koperasi,
        name="Gula pasir 1 kg",
        barcode="96385074",
        member_price=16_000_00,
        public_price=17_000_00,
    )
    kasir = on_shift(koperasi, testing.make_user("kasir", koperasi, username="kasir.sukamaju"))
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, kasir)
    page.goto(f"{base}/k/sukamaju/toko/kasir/")
    # Scan the oil (the scan field has the focus), then 3 bags of sugar: code, Tab, 3, Enter.
    page.keyboard.type("8992761111113")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Minyak goreng 1 liter")
    assert page.evaluate("document.activeElement.name") == "code"
    page.keyboard.type("96385074")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Gula pasir 1 kg")
    total = page.inner_text("[data-testid=pos-total]")
    assert total == "Rp 69.000"  # 18.000 + 3 x 17.000
    assert fits(page, viewport["width"])
    screenshot(page, f"store-pos-{size}")
    # Enter on the empty scan field: the payment page, the cash field focused.
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/kasir/bayar/")
    page.keyboard.type("100.000")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=pay-change]")
    assert page.inner_text("[data-testid=pay-change]") == "Rp 31.000"
    assert "enam puluh sembilan ribu rupiah" in page.inner_text("[data-testid=pay-words]").lower()
    assert not Sale.objects.filter(koperasi=koperasi).exists()
    assert fits(page, viewport["width"])
    screenshot(page, f"store-pos-pay-{size}")
    page.keyboard.press("Enter")  # confirm
    page.wait_for_url("**/toko/kasir/struk/*/")
    assert page.inner_text("[data-testid=receipt-total]") == "Rp 69.000"
    assert "wa.me" in page.get_attribute("[data-testid=receipt-whatsapp]", "href")
    assert fits(page, viewport["width"])
    screenshot(page, f"store-receipt-{size}")
    sale = Sale.objects.get(koperasi=koperasi)
    assert (sale.total, sale.change) == (69_000_00, 31_000_00)
    assert StockPosition.objects.get(item=oil).quantity == 19
    assert StockPosition.objects.get(item=sugar).quantity == 17
    page.keyboard.press("Enter")  # the next sale
    page.wait_for_url("**/toko/kasir/")
    assert page.inner_text("[data-testid=pos-total]") == "Rp 0"
