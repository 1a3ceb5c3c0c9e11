"""The kasir registers an LPG buyer at the counter, on a phone (360 px) and on a laptop
(1280 px): the NIK goes in as typed, the page shows it masked and nothing scrolls sideways
(nor does the manajer's settings page)."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing
from kopdes.subsidy.models import Buyer

from .helpers import SIZES, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "width"), SIZES)
def test_kasir_registers_a_buyer(live_server, new_page, screenshot, viewport, width):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    kasir = testing.make_user("kasir", koperasi)
    page = new_page(viewport)
    enter_as(page, live_server.url, kasir)
    page.goto(f"{live_server.url}/k/sukamaju/toko/subsidi/pembeli/")
    assert fits(page, viewport["width"])
    page.click("[data-testid=register-buyer]")
    page.fill("#id_name", "Siti Aminah")
    page.fill("#id_nik", "1234")  # too short: refused, nothing saved
    page.click("[data-testid=buyer-form] button[type=submit]")
    assert "NIK harus 16 angka, yang diisi 4 angka." in page.content()
    assert not Buyer.objects.exists()
    page.fill("#id_nik", "3201 2612 0585 0001")
    page.select_option("#id_kind", "household")
    page.click("[data-testid=buyer-form] button[type=submit]")
    page.wait_for_selector("[data-testid=buyer-nik]")
    assert page.inner_text("[data-testid=buyer-nik]") == "3201********0001"
    assert "3201261205850001" not in page.content()
    assert fits(page, viewport["width"])
    screenshot(page, f"subsidy-buyer-{width}")
    assert Buyer.objects.get(koperasi=koperasi).nik == "3201261205850001"
    # The manajer's page of the channels (settings forms, tables) fits the same screen.
    enter_as(page, live_server.url, testing.make_user("manajer", koperasi))
    page.goto(f"{live_server.url}/k/sukamaju/toko/subsidi/")
    page.wait_for_selector("[data-testid=het-form]")
    assert fits(page, viewport["width"])
    screenshot(page, f"subsidy-overview-{width}")
