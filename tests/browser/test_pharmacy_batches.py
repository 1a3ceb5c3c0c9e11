"""The apotek's manajer on a phone (360 px) and on a laptop (1280 px): the drug list, the
batches with the expired one to take off the shelf and the near-expiry list (its window
typed and sent with the keyboard), a batch's history, and the SIPNAP page of the month.
No page scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.domain.sale import Payment
from kopdes.pharmacy import services
from kopdes.pharmacy.testing import appoint, make_drug, manajer, receive
from kopdes.platform.core import testing
from kopdes.store import services as store

from .helpers import SIZES, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "size"), SIZES, ids=[s for _v, s in SIZES])
def test_manajer_reads_batches_expiry_and_sipnap(live_server, new_page, screenshot, viewport, size):
    koperasi = testing.make_koperasi("sukamaju", region_code="32.01.26.2001")
    today = koperasi.today()
    appoint(koperasi, name="apt. Rina Marlina", expires_on=today + dt.timedelta(days=20))
    para = make_drug(koperasi, "Parasetamol 500 mg (strip 10)")
    ors = make_drug(koperasi, "Oralit (sachet)", dosage_form="serbuk", strength="200 ml")
    diaz = make_drug(koperasi, "Diazepam 2 mg", drug_class="psikotropika", strength="2 mg")
    receive(koperasi, para, "PCT-NEAR", today + dt.timedelta(days=40), 10)
    receive(koperasi, para, "PCT-FAR", today + dt.timedelta(days=500), 10)
    receive(koperasi, diaz, "DZP1", today + dt.timedelta(days=600), 20)
    services.receive_batch(
        koperasi, actor=manajer(koperasi), item=ors, batch_number="ORS-OLD",
        expires_on=today - dt.timedelta(days=2), quantity=6, cost=6 * 1_000_00,
        date=today - dt.timedelta(days=30), idempotency_key="ors-old",
    )  # fmt: skip
    store.checkout(
        koperasi, actor=testing.make_user("kasir", koperasi),
        lines=[{"item": diaz, "quantity": 2, "prescription_number": "R/2026/0007",
                "prescriber_name": "dr. Asep Saepudin"}],
        payments=[Payment("cash", 10_000_00)], idempotency_key="dz-1",
    )  # fmt: skip
    user = testing.make_user("manajer", koperasi, username="manajer.sukamaju")
    base = live_server.url
    page = new_page(viewport)
    enter_as(page, base, user)
    page.goto(f"{base}/k/sukamaju/toko/apotek/")
    assert "20 hari lagi" in page.inner_text("[data-testid=licence-warning]")
    assert "Diazepam 2 mg" in page.inner_text("[data-testid=drug-table]")
    assert fits(page, viewport["width"])
    page.click("text=Batch dan kedaluwarsa")
    page.wait_for_url("**/toko/apotek/batch/")
    assert "ORS-OLD" in page.inner_text("[data-testid=expired-table]")
    near = page.inner_text("[data-testid=near-table]")
    assert "PCT-NEAR" in near and "PCT-FAR" not in near
    assert fits(page, viewport["width"])
    screenshot(page, f"pharmacy-batches-{size}")
    # A wider window, typed and sent with Enter.
    page.fill("[data-testid=days-form] input[name=hari]", "600")
    page.keyboard.press("Enter")
    page.wait_for_url("**/toko/apotek/batch/?hari=600")
    assert "PCT-FAR" in page.inner_text("[data-testid=near-table]")
    page.click("[data-testid=batch-table] >> text=DZP1")
    page.wait_for_selector("[data-testid=batch-moves]")
    assert "R/2026/0007" in page.inner_text("[data-testid=batch-moves]")
    assert fits(page, viewport["width"])
    page.goto(f"{base}/k/sukamaju/toko/apotek/sipnap/?bulan={today:%m-%Y}")
    table = page.inner_text("[data-testid=sipnap-table]")
    assert "Diazepam 2 mg" in table and "Parasetamol" not in table
    assert page.inner_text("[data-testid=sipnap-closing]") == "18"
    assert fits(page, viewport["width"])
    screenshot(page, f"pharmacy-sipnap-{size}")
    with page.expect_download() as download:
        page.click("[data-testid=sipnap-xlsx]")
    assert download.value.suggested_filename == f"sipnap-sukamaju-{today:%Y-%m}.xlsx"
