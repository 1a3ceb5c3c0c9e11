"""A kasir asks on a phone for a wrong deposit to be corrected (reason, amount in words),
the ketua approves it on the corrections page (the approvals inbox's buttons, back to the
page), and the statement shows the Koreksi row and the original marked."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.platform.core import testing
from kopdes.savings import services
from kopdes.savings.choices import TxnKind
from kopdes.savings.models import Correction, SavingsTransaction

from .conftest import PHONE
from .test_shell import current_code, log_in, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, user, slug):
    log_in(page, base, user.username)
    page.wait_for_url("**/akun/verifikasi/**")
    page.fill("#id_otp_token", current_code(user))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{base}/k/{slug}/")


def test_kasir_asks_ketua_approves_a_correction_on_a_phone(live_server, new_page, screenshot):
    from kopdes.savings.testing import voluntary_account

    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    kasir = testing.make_user("kasir", koperasi, username="kasir.sukamaju")
    ketua = testing.make_user("ketua", koperasi, username="ketua.sukamaju")
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    today = dt.date.today()
    wrong = services.deposit(
        account, actor=kasir, amount=75_500_00, date=today, idempotency_key="salah-1"
    )
    base = live_server.url
    page = new_page(PHONE)
    _sign_in(page, base, kasir, "sukamaju")
    page.goto(f"{base}/k/sukamaju/simpanan/bukti/{wrong.pk}/")
    page.click("[data-testid=correct]")
    page.fill("#id_reason", "Salah anggota, seharusnya ke rekening lain")
    page.click("text=Lanjut")
    words = page.locator("[data-testid=terbilang]").inner_text()
    assert words == "tujuh puluh lima ribu lima ratus rupiah"
    assert no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "savings-correction-confirm-phone-360")
    page.click("[data-testid=post]")
    page.wait_for_url("**/simpanan/koreksi/")
    assert Correction.objects.count() == 1
    approver = new_page(PHONE)
    _sign_in(approver, base, ketua, "sukamaju")
    approver.goto(f"{base}/k/sukamaju/simpanan/koreksi/")
    assert no_horizontal_scroll(approver, PHONE["width"])
    screenshot(approver, "savings-corrections-phone-360")
    # The page's buttons are the approvals inbox's pair; approving comes back here.
    approver.click("[data-testid=correction] [data-testid=approve]")
    approver.wait_for_url(f"{base}/k/sukamaju/simpanan/koreksi/")
    assert "Disetujui: Koreksi simpanan." in approver.inner_text("[data-testid=messages]")
    assert approver.locator("[data-testid=correction]").count() == 0
    approver.goto(f"{base}/k/sukamaju/simpanan/bukti/{wrong.pk}/")
    assert "Dikoreksi" in approver.inner_text("[data-testid=correction-status]")
    assert SavingsTransaction.objects.filter(kind=TxnKind.CORRECTION).count() == 1
    approver.goto(
        f"{base}/k/sukamaju/simpanan/rekening/{account.pk}/"
        f"?date_from={today:%Y-%m-%d}&date_to={today:%Y-%m-%d}"
    )
    table = approver.inner_text("[data-testid=statement]")
    assert "Koreksi" in table and "dikoreksi" in table
    screenshot(approver, "savings-statement-corrected-phone-360")
