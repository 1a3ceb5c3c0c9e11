"""Logging in, the dashboard on a phone and a laptop, the language switch, the lockout."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.platform.core import testing

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(user) -> str:
    """The code the officer's phone shows now, from the device's own secret."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{value:0{device.digits}d}"


def log_in(page, base_url: str, username: str, password: str = testing.TEST_PASSWORD) -> None:
    page.goto(f"{base_url}/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def sukamaju(transactional_db):
    return testing.make_koperasi(
        "sukamaju",
        region_code="32.01.26.2001",
        name="Koperasi Desa Merah Putih Sukamaju",
        address="Jl. Raya Puncak Km. 78 No. 12, Desa Sukamaju, Kec. Megamendung, Kab. Bogor",
    )


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone-360"), (DESKTOP, "desktop-1280")])
def test_treasurer_logs_in_with_totp_and_sees_the_dashboard(
    live_server, new_page, screenshot, sukamaju, viewport, name
):
    treasurer = testing.make_user("bendahara", sukamaju, username="bendahara.sukamaju")
    page = new_page(viewport)
    log_in(page, live_server.url, "bendahara.sukamaju")
    page.wait_for_url("**/akun/verifikasi/**")
    assert no_horizontal_scroll(page, viewport["width"])
    page.fill("#id_otp_token", current_code(treasurer))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/k/sukamaju/")
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "Beranda"
    assert "Koperasi Desa Merah Putih Sukamaju" in page.locator("[data-testid=brand]").inner_text()
    assert page.locator("[data-testid=modules] a").count() >= 2
    assert no_horizontal_scroll(page, viewport["width"]), "the page scrolls sideways"
    # Big touch targets: every module button is at least 48 px high.
    heights = page.eval_on_selector_all(
        "[data-testid=modules] a", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert min(heights) >= 48
    screenshot(page, f"dashboard-{name}")


def test_language_switch_changes_the_words_and_keeps_the_page(live_server, new_page, sukamaju):
    officer = testing.make_user("ketua", sukamaju, username="ketua.sukamaju")
    page = new_page(PHONE)
    log_in(page, live_server.url, "ketua.sukamaju")
    page.fill("#id_otp_token", current_code(officer))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/k/sukamaju/")
    title = page.locator("[data-testid=dashboard-title]")
    assert title.inner_text() == "Beranda"
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("[data-testid=lang-id]")
    assert page.url == f"{live_server.url}/k/sukamaju/"
    assert title.inner_text() == "Home"
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("[data-testid=lang-id]")
    page.wait_for_selector("[data-testid=lang-en]")
    assert page.url == f"{live_server.url}/k/sukamaju/"
    assert title.inner_text() == "Beranda"
    assert no_horizontal_scroll(page, PHONE["width"])


def test_five_wrong_passwords_lock_the_account(live_server, new_page, sukamaju):
    testing.make_user("kasir", sukamaju, username="kasir.sukamaju")
    page = new_page(PHONE)
    for _attempt in range(5):
        log_in(page, live_server.url, "kasir.sukamaju", password="salah-sandi-123")
    # The right password is refused now: the lockout page, not the TOTP step.
    log_in(page, live_server.url, "kasir.sukamaju")
    locked = page.locator("[data-testid=locked-out]")
    locked.wait_for()
    assert "/akun/verifikasi/" not in page.url
    assert "dikunci" in page.locator("h1").inner_text().lower()
    assert no_horizontal_scroll(page, PHONE["width"])


def test_officer_without_totp_is_sent_to_set_it_up(live_server, new_page, screenshot, sukamaju):
    testing.make_user("sekretaris", sukamaju, username="sekretaris.sukamaju", with_totp=False)
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/k/sukamaju/")
    page.wait_for_url("**/akun/masuk/**")
    page.fill("#id_username", "sekretaris.sukamaju")
    page.fill("#id_password", testing.TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/akun/verifikasi/**")
    page.locator("[data-testid=totp-setup-form]").wait_for()
    assert page.locator("[data-testid=totp-qr]").is_visible()
    assert no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "totp-setup-phone-360")
    # The dashboard stays closed until the authenticator is confirmed.
    page.goto(f"{live_server.url}/k/sukamaju/")
    assert "/akun/verifikasi/" in page.url


def test_ministry_picks_a_koperasi_on_a_phone(live_server, new_page, screenshot, sukamaju):
    cirahab = testing.make_koperasi(
        "cirahab", region_code="33.02.01.2001", name="Koperasi Desa Merah Putih Cirahab"
    )
    official = testing.make_user("kementerian", username="kementerian")
    page = new_page(PHONE)
    log_in(page, live_server.url, "kementerian")
    page.fill("#id_otp_token", current_code(official))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("[data-testid^=pick-]").count() == 2
    assert no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "picker-phone-360")
    page.click(f"[data-testid=pick-{cirahab.slug}]")
    page.wait_for_url(f"{live_server.url}/k/cirahab/")
    assert "Cirahab" in page.locator("[data-testid=brand]").inner_text()


def test_printing_hides_the_menu_and_buttons(live_server, new_page, sukamaju):
    officer = testing.make_user("bendahara", sukamaju, username="bendahara.sukamaju")
    page = new_page(DESKTOP)
    log_in(page, live_server.url, "bendahara.sukamaju")
    page.fill("#id_otp_token", current_code(officer))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/k/sukamaju/")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".mainnav").is_visible()
    assert page.locator("[data-testid=dashboard-title]").is_visible()
