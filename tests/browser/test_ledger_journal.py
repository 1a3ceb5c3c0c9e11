"""The bendahara records a manual journal entry on a phone: live balance check (HTMX),
confirmation with the amount in words, one entry even after pressing the button twice;
the statements page on a phone."""

from __future__ import annotations

import pytest

from kopdes.ledger import services
from kopdes.ledger.models import JournalEntry
from kopdes.platform.core import testing

from .conftest import PHONE
from .test_shell import current_code, log_in, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bendahara_records_a_balanced_entry_on_a_phone(live_server, new_page, screenshot):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    services.setup_koperasi_books(koperasi)
    treasurer = testing.make_user("bendahara", koperasi, username="bendahara.sukamaju")
    page = new_page(PHONE)
    log_in(page, live_server.url, "bendahara.sukamaju")
    page.wait_for_url("**/akun/verifikasi/**")
    page.fill("#id_otp_token", current_code(treasurer))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/k/sukamaju/")
    page.goto(f"{live_server.url}/k/sukamaju/buku/jurnal/baru/")
    page.fill("#id_memo", "Beli alat tulis kantor")
    page.select_option("#id_lines-0-account", label="5-2100 Beban usaha")
    page.fill("[name=lines-0-debit]", "125.500")
    page.select_option("#id_lines-1-account", label="1-1100 Kas")
    page.fill("[name=lines-1-credit]", "100.000")
    page.locator("[data-testid=unbalanced]").wait_for()
    page.fill("[name=lines-1-credit]", "125.500")
    page.locator("[data-testid=balanced]").wait_for()
    assert no_horizontal_scroll(page, PHONE["width"]) or page.locator(".table-wrap").count()
    screenshot(page, "ledger-entry-phone-360")
    page.click("[data-testid=review]")
    words = page.locator("[data-testid=terbilang]").inner_text()
    assert words == "seratus dua puluh lima ribu lima ratus rupiah"
    screenshot(page, "ledger-entry-confirm-phone-360")
    # The confirmation as the browser would send it again: authenticated pages are
    # no-store, so "back" after posting asks to resend this very form.
    sent = page.evaluate(
        """() => { const form = document.querySelector('[data-testid=post]').form;
                   return {action: form.action, data: Object.fromEntries(new FormData(form))}; }"""
    )
    page.click("[data-testid=post]")
    page.wait_for_url("**/buku/jurnal/*/")
    again = page.request.post(sent["action"], form=sent["data"], headers={"Referer": page.url})
    assert again.ok  # a second press of the same confirmation: still one entry
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == 1
    page.goto(f"{live_server.url}/k/sukamaju/buku/laporan/neraca/")
    assert "Laporan Posisi Keuangan" in page.inner_text("h1")
    assert no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "ledger-neraca-phone-360")


def test_the_ketua_approves_a_reversal_on_the_entry_page_and_stays_there(
    live_server, new_page, screenshot
):
    """The entry page's buttons are the approvals include: they post to the inbox's one
    view pair and come back to the entry, which now shows its reversal."""
    from django.urls import reverse

    from kopdes.ledger.testing import post_simple

    from .helpers import enter_as, fits

    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    services.setup_koperasi_books(koperasi)
    bendahara = testing.make_user("bendahara", koperasi)
    ketua = testing.make_user("ketua", koperasi)
    entry = post_simple(koperasi, 75_000_00, actor=bendahara, memo="Beli ATK salah akun")
    proposal = services.propose_reversal(entry, actor=bendahara, reason="Salah akun")
    page_url = reverse("ledger:entry-detail", kwargs={"slug": "sukamaju", "entry_id": entry.pk})

    # The maker sees the proposal waiting, without buttons.
    page = new_page(PHONE)
    enter_as(page, live_server.url, bendahara)
    page.goto(f"{live_server.url}{page_url}")
    assert page.locator("[data-testid=proposal] [data-testid=decide]").count() == 0

    page = new_page(PHONE)
    enter_as(page, live_server.url, ketua)
    page.goto(f"{live_server.url}{page_url}")
    decide = page.locator("[data-testid=proposal] [data-testid=decide]")
    assert decide.count() == 1
    assert fits(page, PHONE["width"]), "the entry page scrolls sideways"
    screenshot(page, "ledger-reversal-decide-phone-360")
    decide.locator("[data-testid=approve]").click()
    page.wait_for_url(f"{live_server.url}{page_url}")
    assert "Disetujui: Pembatalan jurnal." in page.locator("[data-testid=messages]").inner_text()
    assert page.locator("[data-testid=reversed]").count() == 1
    assert page.locator("[data-testid=decide]").count() == 0
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.decided_by_id == ketua.pk
    assert JournalEntry.objects.filter(koperasi=koperasi, reverses=entry).count() == 1
