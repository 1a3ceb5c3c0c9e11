"""Issue 15 benchmark in a real browser: the kasir rings up a 20-item sale with a USB
scanner (each EAN typed as keystrokes, then Enter) at the laptop's 1280 px, and the time
from the last scan to the receipt on screen is printed (the figure goes to
bench/RESULTS.md; nothing here asserts a time). From the last scan: its Enter (the page
reloads with the 20th line), Enter on the empty scan field (the payment page), the cash
typed and Enter (the check: total in words, change), Enter (the confirmation posts the
sale through ``checkout``) and the receipt. Run it with ``-s`` to see the figures."""

from __future__ import annotations

import time

import pytest

from kopdes.domain.barcode import with_check_digit
from kopdes.platform.core import testing
from kopdes.store import services
from kopdes.store.models import Sale
from kopdes.store.testing import make_item, manajer, on_shift

from .conftest import DESKTOP
from .helpers import enter_as

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ITEMS = 20
ROWS = "[data-testid=pos-cart] tbody tr td form"  # a cart line's remove button


def test_twenty_scans_then_the_receipt(live_server, new_page, capsys):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    codes = []
    for n in range(ITEMS):
        code = with_check_digit(f"899{700 + n:09d}")
        item = make_item(
            koperasi,
            name=f"Barang toko {n + 1:02d}",
            barcode=code,
            member_price=(5_000 + 500 * n) * 100,
            public_price=(5_500 + 500 * n) * 100,
        )
        services.receive_stock(
            koperasi, actor=manajer(koperasi), item=item, quantity=10,
            cost=10 * 4_000_00, idempotency_key=f"r-{n}",
        )  # fmt: skip
        codes.append(code)
    kasir = on_shift(koperasi, testing.make_user("kasir", koperasi, username="kasir.sukamaju"))
    base = live_server.url
    page = new_page(DESKTOP)
    enter_as(page, base, kasir)
    page.goto(f"{base}/k/sukamaju/toko/kasir/")
    first = time.perf_counter()
    for n, code in enumerate(codes, start=1):
        page.keyboard.type(code)  # the scanner's keystrokes into the focused scan field
        last_scan = time.perf_counter()
        page.keyboard.press("Enter")
        page.locator(ROWS).nth(n - 1).wait_for(state="attached")  # the page with line n
    scanned = time.perf_counter()
    page.keyboard.press("Enter")  # empty scan field: to the payment
    page.wait_for_url("**/toko/kasir/bayar/")
    page.keyboard.type("500.000")
    page.keyboard.press("Enter")  # check: the total in words and the change
    page.wait_for_selector("[data-testid=pay-change]")
    page.keyboard.press("Enter")  # confirm
    page.wait_for_url("**/toko/kasir/struk/*/")
    page.wait_for_selector("[data-testid=receipt-total]")
    done = time.perf_counter()
    sale = Sale.objects.get(koperasi=koperasi)
    assert sale.lines.count() == ITEMS
    total = sum(5_500 + 500 * n for n in range(ITEMS)) * 100  # public prices, one each
    assert sale.total == total and sale.change == 500_000_00 - total
    with capsys.disabled():
        print(
            f"\nPOS 20-item sale (1280 px, Chromium): last scan to receipt "
            f"{(done - last_scan) * 1000:.0f} ms (of which the last scan's page "
            f"{(scanned - last_scan) * 1000:.0f} ms; payment, check, confirm, receipt "
            f"{(done - scanned) * 1000:.0f} ms); 20 scans {(scanned - first) * 1000:.0f} ms, "
            f"{(scanned - first) * 1000 / ITEMS:.0f} ms a scan"
        )
