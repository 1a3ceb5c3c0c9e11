"""The kasir's cash shift on a phone (360 px) and on the counter's laptop (1280 px): the
point of sale sends her to open a shift first, she types the float, sells with the
scanner, closes the shift with the counted cash (checked in words with the difference
before it is posted), and the pengawas sees the shift with its difference. The kasir then
proposes a return from the receipt. No page scrolls sideways."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing
from kopdes.store import services
from kopdes.store.models import CashShift, Sale, SaleReturn
from kopdes.store.testing import make_item, manajer

from .helpers import SIZES, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_kasir_opens_sells_and_closes_her_shift(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    oil = make_item(koperasi, name="Minyak goreng 1 liter", barcode="8992761111113")
    services.receive_stock(
        koperasi, actor=manajer(koperasi), item=oil, quantity=20, cost=20 * 15_000_00,
        idempotency_key="r-oil",
    )  # fmt: skip
    kasir = testing.make_user("kasir", koperasi, username="kasir.shift")
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, kasir)
    page.goto(f"{base}/k/sukamaju/toko/kasir/")
    # No shift yet: the shift page, the float field focused.
    page.wait_for_url("**/toko/shift/")
    assert "Buka shift kasir Anda dulu" in page.inner_text("body")
    page.keyboard.type("200.000")
    assert fits(page, viewport["width"])
    screenshot(page, f"store-shift-open-{size}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/kasir/")
    assert "Shift terbuka di Kasir 1" in page.inner_text("[data-testid=pos-shift]")
    # Sell two bottles with the scanner, cash Rp50.000 (change Rp14.000).
    page.keyboard.type("8992761111113")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Minyak goreng 1 liter")
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/kasir/bayar/")
    page.keyboard.type("50.000")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=pay-change]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/kasir/struk/*/")
    sale = Sale.objects.get(koperasi=koperasi)
    shift = CashShift.objects.get(koperasi=koperasi)
    assert sale.shift_id == shift.pk
    # From the receipt, propose a return of one bottle.
    page.click("[data-testid=receipt-returns]")
    page.wait_for_selector("[data-testid=return-form]")
    page.fill("[data-testid=return-qty]", "1")
    page.fill("[data-testid=return-reason]", "Kemasan bocor")
    assert fits(page, viewport["width"])
    screenshot(page, f"store-sale-return-{size}")
    page.click("[data-testid=return-submit]")
    page.wait_for_selector("[data-testid=sale-return]")
    assert "Menunggu persetujuan" in page.inner_text("[data-testid=return-state]")
    assert SaleReturn.objects.get(sale=sale).state == "pending"
    # Close the shift: Rp236.000 expected; she counts Rp235.000.
    page.goto(f"{base}/k/sukamaju/toko/shift/")
    page.click("[data-testid=shift-close]")
    page.wait_for_selector("[data-testid=close-counted]")
    assert page.inner_text("[data-testid=close-expected]") == "Rp 236.000"
    page.keyboard.type("235.000")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=close-review]")
    words = page.inner_text("[data-testid=close-words]").lower()
    assert "dua ratus tiga puluh lima ribu rupiah" in words
    assert page.inner_text("[data-testid=close-difference]") == "-Rp 1.000"
    assert CashShift.objects.get(pk=shift.pk).state == "open"
    assert fits(page, viewport["width"])
    screenshot(page, f"store-shift-close-{size}")
    page.click("[data-testid=close-confirm]")
    page.wait_for_url("**/toko/shift/")
    assert "Shift ditutup" in page.inner_text("body")
    shift.refresh_from_db()
    assert (shift.state, shift.difference) == ("closed", -1_000_00)
    # The pengawas sees it with its difference.
    pengawas = testing.make_user("pengawas", koperasi, username="pengawas.shift")
    page.context.clear_cookies()
    enter_as(page, base, pengawas)
    page.goto(f"{base}/k/sukamaju/toko/shift/daftar/")
    row = page.inner_text("[data-testid=shift-row]")
    assert "Kasir 1" in row and "-Rp 1.000" in row and "kas kurang" in row
    assert fits(page, viewport["width"])
    screenshot(page, f"store-shift-list-{size}")
