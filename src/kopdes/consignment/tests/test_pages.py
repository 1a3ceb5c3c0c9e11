"""Titip jual pages: terms and goods through the forms, the settlement page with its PDF and
XLSX read back, the payout through its terbilang confirmation (a resent confirmation pays
once), refusals shown in Bahasa Indonesia with nothing written, who may open what."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kopdes.consignment.models import ConsignmentMovement, ConsignmentPayout, ConsignmentTerms
from kopdes.consignment.testing import consigned_item, make_consignor
from kopdes.domain.sale import Payment
from kopdes.platform.core.testing import login, make_koperasi, make_user
from kopdes.store import services as store
from kopdes.store.models import StockPosition
from kopdes.store.testing import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def koperasi():
    return make_koperasi("titip-halaman")


def _url(name, koperasi, **kwargs):
    return reverse(f"consignment:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def _sold(koperasi, quantity=3):
    item, consignor = consigned_item(koperasi, rate_bp=1_000, received=20)
    store.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        lines=[{"item": item, "quantity": quantity}],
        payments=[Payment("cash", quantity * 15_000_00)],
        idempotency_key=f"sale-{item.pk}",
    )
    return item, consignor


def test_terms_and_goods_through_the_forms(client, koperasi):
    consignor = make_consignor(koperasi, name="UMKM Kopi Bubuk Pak Ujang")
    item = make_item(koperasi, name="Kopi bubuk robusta 200 g", units_per_dus=None)
    login(client, make_user("manajer", koperasi))
    page = client.get(_url("overview", koperasi))
    assert page.status_code == 200 and consignor.name in page.content.decode()
    done = client.post(
        _url("terms-add", koperasi),
        {
            "item": str(item.pk),
            "consignor": str(consignor.pk),
            "kind": "percent",
            "rate": "12,5",
            "valid_from": koperasi.today().strftime("%d-%m-%Y"),
        },
    )
    assert done.status_code == 302
    assert ConsignmentTerms.objects.get(koperasi=koperasi, item=item).rate_bp == 1_250
    form = {
        "direction": "in",
        "item": str(item.pk),
        "quantity": "24",
        "idempotency_key": "masuk-1",
    }
    assert client.post(_url("movement-add", koperasi), form).status_code == 302
    assert client.post(_url("movement-add", koperasi), form).status_code == 302  # resent
    assert ConsignmentMovement.objects.filter(koperasi=koperasi).count() == 1
    assert StockPosition.objects.get(item=item).quantity == 24
    body = client.get(_url("overview", koperasi)).content.decode()
    assert "12,5% dari penjualan" in body and "24 pcs" in body


def test_bad_terms_are_refused_in_indonesian(client, koperasi):
    item = make_item(koperasi, units_per_dus=None)
    wholesaler = make_consignor(koperasi, umkm=False, name="CV Grosir Jaya")
    consignor = make_consignor(koperasi)
    login(client, make_user("manajer", koperasi))
    over = client.post(
        _url("terms-add", koperasi),
        {
            "item": str(item.pk),
            "consignor": str(consignor.pk),
            "kind": "percent",
            "rate": "101",
            "valid_from": koperasi.today().strftime("%d-%m-%Y"),
        },
    )
    assert over.status_code == 400
    assert "Komisi tidak boleh lebih dari 100%." in over.content.decode()
    # A supplier that is not UMKM is not even offered; posted anyway, it is refused.
    other = client.post(
        _url("terms-add", koperasi),
        {
            "item": str(item.pk),
            "consignor": str(wholesaler.pk),
            "kind": "percent",
            "rate": "10",
            "valid_from": koperasi.today().strftime("%d-%m-%Y"),
        },
    )
    assert other.status_code == 400
    assert not ConsignmentTerms.objects.filter(koperasi=koperasi).exists()


def test_settlement_page_pdf_and_xlsx_agree(client, koperasi):
    item, consignor = _sold(koperasi)
    login(client, make_user("pengawas", koperasi))
    url = _url("settlement", koperasi, consignor_id=consignor.pk)
    period = koperasi.today().strftime("%Y-%m")
    body = client.get(f"{url}?periode={period}").content.decode()
    assert "Rp 45.000" in body and "Rp 4.500" in body and "Rp 40.500" in body
    assert "empat puluh ribu lima ratus rupiah" in body.lower()
    assert 'data-testid="payout-form"' not in body  # the pengawas does not pay
    pdf = client.get(f"{url}?periode={period}&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert consignor.name in text and "40.500" in text and "4.500" in text
    xlsx = client.get(f"{url}?periode={period}&format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    # Title, koperasi, consignor, header, the item, the total, paid, due.
    assert rows[4][0] == item.name and rows[4][3] == 3
    assert [float(x) for x in rows[5][6:9]] == [45_000.0, 4_500.0, 40_500.0]
    assert (rows[7][0], float(rows[7][1])) == ("Yang harus dibayar", 40_500.0)
    assert client.get(f"{url}?periode=2026-13").status_code == 404


def test_payout_confirms_in_words_and_pays_once(client, koperasi):
    _item, consignor = _sold(koperasi)
    login(client, make_user("bendahara", koperasi))
    url = _url("payout", koperasi, consignor_id=consignor.pk)
    period = koperasi.today().strftime("%Y-%m")
    form = {"periode": period, "amount": "40.500", "idempotency_key": "bayar-1"}
    check = client.post(url, {**form, "step": "check"})
    body = check.content.decode()
    assert 'data-testid="terbilang"' in body
    assert "empat puluh ribu lima ratus rupiah" in body.lower()
    assert not ConsignmentPayout.objects.filter(koperasi=koperasi).exists()
    done = client.post(url, {**form, "step": "post"})
    assert done.status_code == 302
    assert client.post(url, {**form, "step": "post"}).status_code == 302  # resent
    payout = ConsignmentPayout.objects.get(koperasi=koperasi)
    assert payout.amount == 40_500_00
    page = client.get(done.url).content.decode()
    assert 'data-testid="due">Rp 0' in page


def test_paying_more_than_due_is_refused_on_the_page(client, koperasi):
    _item, consignor = _sold(koperasi)
    login(client, make_user("bendahara", koperasi))
    url = _url("payout", koperasi, consignor_id=consignor.pk)
    form = {"periode": koperasi.today().strftime("%Y-%m"), "amount": "50.000"}
    for step in ("check", "post"):
        answer = client.post(url, {**form, "idempotency_key": f"k-{step}", "step": step})
        assert answer.status_code == 400
        assert "melebihi yang harus dibayar" in answer.content.decode()
    assert not ConsignmentPayout.objects.filter(koperasi=koperasi).exists()


def test_who_may_open_what(client, koperasi):
    _item, consignor = _sold(koperasi)
    kasir = make_user("kasir", koperasi)
    login(client, kasir)
    assert client.get(_url("overview", koperasi)).status_code == 200
    assert client.post(_url("terms-add", koperasi), {}).status_code == 403
    payout = _url("payout", koperasi, consignor_id=consignor.pk)
    assert client.post(payout, {"amount": "1.000", "step": "post"}).status_code == 403
    login(client, make_user("petugas_pinjaman", koperasi))
    assert client.get(_url("overview", koperasi)).status_code == 403
    login(client, make_user("manajer", koperasi))
    nav = client.get(reverse("store:catalog", kwargs={"slug": koperasi.slug})).content.decode()
    assert _url("overview", koperasi) in nav
