"""The manajer adds items to the store's catalog on a phone (360 px) and on the counter's
laptop (1280 px): the barcode comes from a scanner (keyboard input ending in Enter, which
must not submit the half-filled form), prices typed as rupiah; the catalog then finds the
item by a scan, and no page (catalog, item form, units, supplier form) scrolls sideways."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing
from kopdes.store.models import Item
from kopdes.store.testing import running_unit

from .helpers import SIZES, assert_amounts_whole, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = {"360": "8992761111113", "1280": "96385074"}


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_manajer_adds_an_item_with_a_scanner(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    running_unit(koperasi)
    manajer = testing.make_user("manajer", koperasi, username="manajer.sukamaju")
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, manajer)
    page.goto(f"{base}/k/sukamaju/toko/")
    page.click("[data-testid=add-item]")
    page.wait_for_url("**/toko/barang/baru/")
    page.fill("#id_name", f"Minyak goreng 2 liter ({size})")
    # The scanner types the digits and presses Enter: focus moves on, nothing is sent.
    page.click("#id_barcode")
    page.keyboard.type(CODES[size])
    page.keyboard.press("Enter")
    assert page.url.endswith("/toko/barang/baru/")
    assert page.evaluate("document.activeElement.id") == "id_business_unit"
    assert not Item.objects.filter(koperasi=koperasi).exists()
    page.fill("#id_category", "Minyak")
    page.fill("#id_units_per_dus", "6")
    page.fill("#id_member_price", "35.000")
    page.fill("#id_public_price", "36.500")
    page.fill("#id_min_stock", "12")
    assert fits(page, viewport["width"])
    screenshot(page, f"store-item-form-{size}")
    page.click("[data-testid=save]")
    page.wait_for_url(f"{base}/k/sukamaju/toko/")
    item = Item.objects.get(koperasi=koperasi)
    assert item.barcode == CODES[size]
    assert (item.member_price, item.public_price) == (35_000_00, 36_500_00)
    # At the counter the catalog finds it by a scan in the search box.
    page.fill("[data-testid=search]", CODES[size])
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/?q=*")
    table = page.inner_text("[data-testid=catalog-table]")
    assert f"Minyak goreng 2 liter ({size})" in table and "Rp 36.500" in table
    assert assert_amounts_whole(page, "td.num") >= 2
    assert fits(page, viewport["width"])
    screenshot(page, f"store-catalog-{size}")
    # The other store pages the manajer uses fit too.
    for path, name in (("unit/", "units"), ("pemasok/baru/", "supplier-form")):
        page.goto(f"{base}/k/sukamaju/toko/{path}")
        assert fits(page, viewport["width"]), path
        screenshot(page, f"store-{name}-{size}")
