"""The stock valuation per unit (quantity, moving average, value; the total is the unit's
Persediaan balance) as a page, an XLSX and a PDF read back, after receipts, a sale, an
approved opname and a transfer; and the low-stock list with its link to buy again."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kopdes.domain.sale import Payment
from kopdes.platform.core import testing
from kopdes.platform.core.testing import make_user
from kopdes.store import services
from kopdes.store.models import StockCountLine
from kopdes.store.services import stock_count
from kopdes.store.services.transfers import transfer_stock
from kopdes.store.testing import make_item, manajer
from kopdes.store.valuation import inventory_balance, low_stock, valuation
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(koperasi):
    """Oil 12 pcs for Rp180.000 (min 24: low), rice 7 kg for Rp87.500 (min 5: fine) after
    a sale of 3 oil, an opname that found 1 oil missing and 0,5 kg of rice transferred to
    the hasil-bumi stall; sugar never received (min 20: low)."""
    actor = manajer(koperasi)
    oil = make_item(koperasi, name="Minyak goreng 1 liter", min_stock=24)
    rice = make_item(koperasi, name="Beras lokal", base_unit="kg", units_per_dus=None, min_stock=5)
    sugar = make_item(koperasi, name="Gula pasir 1 kg", min_stock=20)
    services.receive_stock(
        koperasi, actor=actor, item=oil, quantity=16, cost=240_000_00, idempotency_key="r-oil"
    )
    services.receive_stock(
        koperasi, actor=actor, item=rice, quantity="7,5", unit="kg", cost=93_750_00,
        idempotency_key="r-rice",
    )  # fmt: skip
    services.checkout(
        koperasi, actor=make_user("kasir", koperasi), lines=[{"item": oil, "quantity": 3}],
        payments=[Payment("cash", 54_000_00)], idempotency_key="sale",
    )  # fmt: skip
    kasir = make_user("kasir", koperasi)
    count = stock_count.start_count(koperasi, actor=kasir, business_unit=oil.business_unit)
    typed = {oil.pk: "12", rice.pk: "7,5", sugar.pk: "0"}
    lines = StockCountLine.objects.filter(count=count)
    stock_count.save_counts(
        count, actor=kasir, counts={str(line.pk): typed[line.item_id] for line in lines}
    )
    stock_count.submit_count(count, actor=kasir)
    stock_count.approve_count(count, actor=make_user("ketua", koperasi))
    stall = make_item(
        koperasi, name="Beras lokal (lapak)", base_unit="kg", units_per_dus=None,
        business_unit="hasil_bumi", min_stock=0,
    )  # fmt: skip
    transfer_stock(
        koperasi, actor=actor, item=rice, to_item=stall, quantity="0,5", idempotency_key="t"
    )
    return {"oil": oil, "rice": rice, "sugar": sugar, "stall": stall}


def test_the_valuation_equals_the_inventory_account(koperasi, stocked):
    v = valuation(stocked["oil"].business_unit)
    rows = {r.item.name: r for r in v.rows}
    assert set(rows) == {"Minyak goreng 1 liter", "Beras lokal"}  # sugar holds nothing
    assert (rows["Minyak goreng 1 liter"].quantity, rows["Minyak goreng 1 liter"].value) == (
        12,
        180_000_00,
    )
    assert rows["Minyak goreng 1 liter"].average == 15_000_00
    assert (rows["Beras lokal"].quantity, rows["Beras lokal"].average) == (Decimal(7), 12_500_00)
    assert v.total == 180_000_00 + 87_500_00
    assert v.book_balance == v.total == inventory_balance(stocked["oil"].business_unit)
    assert v.reconciles
    stall = valuation(stocked["stall"].business_unit)
    assert stall.total == stall.book_balance == 6_250_00
    assert check_stock(koperasi).ok


def _client(koperasi, role="pengawas") -> Client:
    return testing.login(Client(), make_user(role, koperasi))


def _url(koperasi, **query) -> str:
    url = reverse("store:stock-valuation", kwargs={"slug": koperasi.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_valuation_page_xlsx_and_pdf_agree_with_the_books(koperasi, stocked):
    client = _client(koperasi)
    page = client.get(_url(koperasi, unit="sembako")).content.decode()
    assert 'data-testid="valuation-total">Rp 267.500<' in page
    assert 'data-testid="valuation-books">Rp 267.500<' in page
    assert 'data-testid="valuation-mismatch"' not in page
    assert "Rp 12.500" in page  # rice's average per kg
    response = client.get(_url(koperasi, unit="sembako", format="xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "nilai-stok-sukamaju-sembako" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    body = {r[0]: r for r in rows if r[0] in ("Minyak goreng 1 liter", "Beras lokal")}
    assert body["Minyak goreng 1 liter"][3:] == [12, Decimal("15000.00"), Decimal("180000.00")]
    assert body["Beras lokal"][3] == 7
    total = next(r for r in rows if r[0] == "Total")
    books = next(r for r in rows if str(r[0]).startswith("Saldo akun Persediaan 1-1501"))
    assert total[5] == books[5] == Decimal("267500.00")
    pdf = client.get(_url(koperasi, unit="sembako", format="pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Nilai persediaan" in text and "Gerai sembako" in text
    assert text.count("Rp 267.500") == 2  # the total and the Persediaan balance
    assert "Minyak goreng 1 liter" in text
    # Another unit by its kind; an unknown one shows the first unit.
    stall = client.get(_url(koperasi, unit="hasil_bumi")).content.decode()
    assert 'data-testid="valuation-total">Rp 6.250<' in stall
    unknown = client.get(_url(koperasi, unit="bukan-unit"))
    assert unknown.status_code == 200


def test_a_mismatch_with_the_books_shows_on_the_page(koperasi, stocked):
    from kopdes.store.models import StockPosition

    StockPosition.objects.filter(koperasi=koperasi, item=stocked["oil"]).update(value=1)
    page = _client(koperasi).get(_url(koperasi, unit="sembako")).content.decode()
    assert 'data-testid="valuation-mismatch"' in page


def test_the_low_stock_list_and_its_link_to_buy_again(koperasi, stocked):
    rows = low_stock(stocked["oil"].business_unit)
    assert [(r.item.name, r.on_hand, r.minimum) for r in rows] == [
        ("Gula pasir 1 kg", 0, 20),
        ("Minyak goreng 1 liter", 12, 24),
    ]
    page = (
        _client(koperasi, "manajer")
        .get(reverse("store:low-stock", kwargs={"slug": koperasi.slug}), {"unit": "sembako"})
        .content.decode()
    )
    assert page.count('data-testid="low-stock-row"') == 2
    assert "Beras lokal" not in page
    order = reverse("purchasing:order-create", kwargs={"slug": koperasi.slug})
    assert f'href="{order}?barang={stocked["sugar"].pk}"' in page


def test_the_stock_pages_of_a_koperasi_without_goods_units(koperasi):
    client = _client(koperasi)
    page = client.get(_url(koperasi)).content.decode()
    assert "Belum ada unit usaha berjalan yang menjual barang." in page
    low = client.get(reverse("store:low-stock", kwargs={"slug": koperasi.slug}))
    assert low.status_code == 200
