"""The member portal on a 360 px phone: activate with the kasir's code, log in, see own data."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kopdes.members import services
from kopdes.members.testing import make_member
from kopdes.platform.core import testing

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_activates_portal_and_sees_own_masked_profile_on_a_phone(
    live_server, new_page, screenshot
):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    member = make_member(koperasi, serial=5, full_name="Euis Maryani", sex="P")
    code = services.issue_portal_code(member, actor=None, at=timezone.now())
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/portal/aktivasi/")
    page.fill("#id_slug", "sukamaju")
    page.fill("#id_number", member.number)
    page.fill("#id_code", code)
    page.fill("#id_password", "Rahasia-Anggota-77")
    page.click("[data-testid=portal-activate] button[type=submit]")
    page.wait_for_url("**/portal/masuk/**")
    page.fill("#id_number", member.number)
    page.fill("#id_password", "Rahasia-Anggota-77")
    page.click("[data-testid=portal-login] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/sukamaju/")
    text = page.locator("main").inner_text()
    assert "Euis Maryani" in text and member.nik not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "member-portal-phone-360")
