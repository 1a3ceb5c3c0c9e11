"""The sekretaris picks the koperasi's village by name: typing fills the list from the
official Kemendagri data (htmx into a <datalist>), and the choice is saved as the code."""

from __future__ import annotations

import pytest

from kopdes.platform.core import testing

from .conftest import PHONE
from .test_shell import current_code, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sekretaris_picks_the_village_by_name_on_a_phone(live_server, new_page, screenshot):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    secretary = testing.make_user("sekretaris", koperasi, username="sekretaris.sukamaju")
    page = new_page(PHONE)
    log_in(page, live_server.url, "sekretaris.sukamaju")
    page.wait_for_url("**/akun/verifikasi/**")
    page.fill("#id_otp_token", current_code(secretary))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/k/sukamaju/")
    page.goto(f"{live_server.url}/k/sukamaju/koperasi/ubah/")
    field = page.locator("#id_region_code")
    assert field.input_value().startswith("Sukamaju, Megamendung, Kabupaten Bogor")
    field.fill("")
    field.press_sequentially("Cirahab", delay=30)
    option = page.locator("#id_region_code-villages option").first
    option.wait_for(state="attached")
    label = option.get_attribute("value")
    assert label == "Cirahab, Lumbir, Kabupaten Banyumas, Jawa Tengah (33.02.01.2001)"
    screenshot(page, "village-picker-phone-360")
    field.fill(label)
    page.click("[data-testid=profile-submit]")
    page.wait_for_url(f"{live_server.url}/k/sukamaju/koperasi/")
    koperasi.refresh_from_db()
    assert koperasi.region_code == "33.02.01.2001"
