"""Stock opname in a real browser, on a phone (360 px) and on a laptop (1280 px): the kasir
starts a count, finds an item by scanning its barcode into the search box (keyboard input
ending in Enter), types counts into big numeric fields, saves part of the sheet, comes
back to the items not counted yet, submits; the ketua approves the differences from the
count's page. No page scrolls sideways."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing
from kopdes.store import services
from kopdes.store.models import StockCount, StockPosition
from kopdes.store.testing import make_item, manajer

from .helpers import SIZES, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_kasir_counts_the_shelves_and_the_ketua_approves(
    live_server, new_page, screenshot, viewport, size
):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    oil = make_item(koperasi, name="Minyak goreng 1 liter", barcode="8992761111113")
    rice = make_item(koperasi, name="Beras curah", base_unit="kg", units_per_dus=None)
    for n, (item, quantity, cost) in enumerate(((oil, 10, 150_000_00), (rice, 5, 60_000_00))):
        services.receive_stock(
            koperasi, actor=manajer(koperasi), item=item, quantity=quantity, cost=cost,
            idempotency_key=f"recv-{n}",
        )  # fmt: skip
    kasir = testing.make_user("kasir", koperasi, username="kasir.sukamaju")
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, kasir)
    page.goto(f"{base}/k/sukamaju/toko/opname/")
    assert fits(page, viewport["width"])
    page.click("[data-testid=start-count] button")
    page.wait_for_url("**/toko/opname/*/")
    assert "0 dari 2 barang sudah dihitung" in page.inner_text("[data-testid=count-progress]")
    field = page.locator("[data-testid=count-input]").first
    assert field.get_attribute("inputmode") == "decimal"
    assert field.bounding_box()["height"] >= 44  # a thumb can hit it
    assert fits(page, viewport["width"])
    screenshot(page, f"store-count-sheet-{size}")
    # A scanner types the oil's code and Enter into the search: only the oil is left,
    # and its field has the focus.
    page.click("[data-testid=count-search]")
    page.keyboard.type("8992761111113")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=8992761111113*")
    assert page.locator("[data-testid=count-line]").count() == 1
    assert page.evaluate("document.activeElement.dataset.testid") == "count-input"
    page.keyboard.type("8")
    page.click("[data-testid=count-save]")
    page.wait_for_load_state()
    assert "1 dari 2 barang sudah dihitung" in page.inner_text("[data-testid=count-progress]")
    # Back to what is left; a bad count is shown on its line, nothing saved.
    page.goto(page.url.split("?")[0] + "?belum=1")
    assert page.locator("[data-testid=count-line]").count() == 1
    page.fill("[data-testid=count-input]", "-5")
    page.click("[data-testid=count-save]")
    page.wait_for_selector("[data-testid=count-error]")
    assert "Jumlah tidak boleh negatif." in page.inner_text("[data-testid=count-error]")
    assert fits(page, viewport["width"])
    page.fill("[data-testid=count-input]", "5,5")
    page.click("[data-testid=count-save]")
    page.wait_for_load_state()
    assert "2 dari 2 barang sudah dihitung" in page.inner_text("[data-testid=count-progress]")
    page.click("[data-testid=count-submit]")
    page.wait_for_selector("[data-testid=count-differences]")
    count = StockCount.objects.get(koperasi=koperasi)
    assert count.submitted_at is not None
    assert (count.shortage_value, count.surplus_value) == (30_000_00, 6_000_00)
    assert fits(page, viewport["width"])
    screenshot(page, f"store-count-submitted-{size}")
    # The ketua approves from the count's page.
    ketua = testing.make_user("ketua", koperasi, username="ketua.sukamaju")
    checker = new_page(viewport)
    enter_as(checker, base, ketua)
    checker.goto(page.url)
    table = checker.inner_text("[data-testid=count-differences]")
    assert "Rp 30.000" in table and "Rp 6.000" in table
    assert fits(checker, viewport["width"])
    checker.click("[data-testid=approve]")
    checker.wait_for_selector("[data-testid=count-state]")
    assert "Disetujui" in checker.inner_text("[data-testid=count-state]")
    position = StockPosition.objects.get(koperasi=koperasi, item=oil)
    assert (position.quantity, position.value) == (8, 120_000_00)
    screenshot(checker, f"store-count-approved-{size}")
    for path in ("stok/nilai/", "stok/menipis/", "stok/pindah/"):
        checker.goto(f"{base}/k/sukamaju/toko/{path}")
        assert fits(checker, viewport["width"]), path
