"""The ketua reads the store's sales reports on a phone (360 px) and on a laptop (1280 px):
from the dashboard tile of today's sales to the reports index, the daily sales for a range
typed as dd-mm-yyyy, the tabs to the members / non-members split (agreeing with the
ledger), a bad range answered in Indonesian, the Excel download; no page scrolls sideways
and no amount breaks across lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kopdes.platform.core import testing
from kopdes.store.tests.test_reports import Shop

from .helpers import SIZES, assert_amounts_whole, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_ketua_reads_the_sales_reports(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    shop = Shop(koperasi)
    ketua = testing.make_user("ketua", koperasi, username="ketua.sukamaju")
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, ketua)
    page.goto(f"{base}/k/sukamaju/")
    tiles = page.inner_text("[data-testid=tiles]")
    assert "penjualan hari ini (1 transaksi)" in tiles and "Rp 19.000" in tiles
    page.goto(f"{base}/k/sukamaju/toko/laporan/")
    assert fits(page, viewport["width"])
    screenshot(page, f"store-reports-index-{size}")
    page.click("[data-testid='report-link-store.sales.harian']")
    page.wait_for_url("**/toko/laporan/penjualan/")
    page.fill("#id_dari", shop.d1.strftime("%d-%m-%Y"))
    page.fill("#id_sampai", shop.today.strftime("%d-%m-%Y"))
    page.click("[data-testid=report-show]")
    page.wait_for_url("**/toko/laporan/penjualan/?*")
    total = page.inner_text("[data-testid=report-total]")
    assert "Rp 103.000" in total and "Rp 40.000" in total and "38,8%" in total
    assert assert_amounts_whole(page, "td.num") >= 20
    assert fits(page, viewport["width"])
    screenshot(page, f"store-report-daily-{size}")
    with page.expect_download() as download:
        page.click("[data-testid=download-xlsx]")
    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert any(row[0] == "Total" for row in ws.iter_rows(values_only=True))
    # The tabs keep the range: members and non-members, agreeing with the ledger.
    page.click("[data-testid=report-tabs] >> text=Anggota / non-anggota")
    page.wait_for_url("**/toko/laporan/penjualan/anggota/?*")
    body = page.inner_text("main")
    assert "Angka toko sesuai dengan buku besar." in body and "Rp 25.500" in body
    assert fits(page, viewport["width"])
    screenshot(page, f"store-report-members-{size}")
    # A range that ends before it starts: the message, no table.
    page.fill("#id_dari", shop.today.strftime("%d-%m-%Y"))
    page.fill("#id_sampai", shop.d1.strftime("%d-%m-%Y"))
    page.click("[data-testid=report-show]")
    assert "Tanggal awal jatuh setelah tanggal akhir." in page.inner_text(
        "[data-testid=report-error]"
    )
    assert page.locator("[data-testid=report-table]").count() == 0
    assert fits(page, viewport["width"])
