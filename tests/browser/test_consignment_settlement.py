"""The bendahara settles a consignor's month on a phone (360 px) and on the office laptop
(1280 px): the statement (received, sold, returned, on hand, sales, commission, share),
the amount typed as rupiah, the confirmation in words, paid once; no page scrolls
sideways and no amount breaks across lines."""

from __future__ import annotations

import pytest

from kopdes.consignment.models import ConsignmentPayout
from kopdes.consignment.testing import consigned_item
from kopdes.domain.sale import Payment
from kopdes.platform.core import testing
from kopdes.store import services as store

from .helpers import SIZES, assert_amounts_whole, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_bendahara_pays_a_consignor(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    item, consignor = consigned_item(
        koperasi, name="Keripik singkong balado 200 g", rate_bp=1_500, received=40
    )
    store.checkout(
        koperasi,
        actor=testing.make_user("kasir", koperasi),
        lines=[{"item": item, "quantity": 4}],
        payments=[Payment("cash", 60_000_00)],
        idempotency_key="browser-sale",
    )  # 4 x 15.000 = 60.000: commission 9.000, share 51.000
    bendahara = testing.make_user("bendahara", koperasi, username="bendahara.sukamaju")
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, bendahara)
    page.goto(f"{base}/k/sukamaju/toko/titip/")
    assert fits(page, viewport["width"])
    screenshot(page, f"consignment-overview-{size}")
    page.click("[data-testid=settlement-link]")
    page.wait_for_url("**/toko/titip/penitip/**")
    statement = page.inner_text("[data-testid=statement]")
    assert "Keripik singkong balado 200 g" in statement
    assert "Rp 60.000" in statement and "Rp 9.000" in statement and "Rp 51.000" in statement
    assert "36 pcs" in statement  # on hand at the month's end
    assert assert_amounts_whole(page, "td.num") >= 3
    assert fits(page, viewport["width"])
    screenshot(page, f"consignment-settlement-{size}")
    page.fill("#id_amount", "51.000")
    page.click("[data-testid=check]")
    page.wait_for_selector("[data-testid=terbilang]")
    assert "lima puluh satu ribu rupiah" in page.inner_text("[data-testid=terbilang]").lower()
    assert not ConsignmentPayout.objects.filter(koperasi=koperasi).exists()
    assert fits(page, viewport["width"])
    screenshot(page, f"consignment-confirm-{size}")
    page.click("[data-testid=post]")
    page.wait_for_selector("[data-testid=payouts]")
    assert page.inner_text("[data-testid=due]") == "Rp 0"
    assert ConsignmentPayout.objects.get(koperasi=koperasi).amount == 51_000_00
    assert consignor.pk == ConsignmentPayout.objects.get(koperasi=koperasi).consignor_id
    assert fits(page, viewport["width"])
