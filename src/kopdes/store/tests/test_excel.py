"""The catalog's Excel round trip: export read back with openpyxl, import of a changed file,
and files refused (wrong columns, bad rows: nothing written, every row listed)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kopdes.platform.core.testing import login, make_user
from kopdes.platform.documents.xlsx import workbook_bytes
from kopdes.store import catalog_xlsx, services
from kopdes.store.models import Item
from kopdes.store.testing import make_item, manajer, running_unit

pytestmark = pytest.mark.django_db


def _url(name, koperasi):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug})


def _upload(client, koperasi, content: bytes):
    upload = SimpleUploadedFile("katalog.xlsx", content)
    return client.post(_url("catalog-import", koperasi), {"file": upload})


def _problems(response) -> str:
    body = response.content.decode()
    start = body.find("<main")
    return body[start : start + 3000]


def _catalog(client, koperasi):
    response = client.get(_url("catalog-export", koperasi))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_export_reads_back_with_every_field(client, koperasi):
    make_item(koperasi, name="Susu UHT 1 liter", barcode="0012345678905", units_per_pak=6,
              units_per_dus=12, member_price=19_500_00, public_price=20_000_00)  # fmt: skip
    make_item(koperasi, name="=HYPERLINK(\"x\")", barcode="", units_per_dus=None,
              base_unit="kg", min_stock=Decimal("2.5"), category="")  # fmt: skip
    login(client, make_user("kasir", koperasi))
    ws = _catalog(client, koperasi)["Katalog"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [h for _k, h in catalog_xlsx.COLUMNS]
    assert len(rows) == 3 and all(r[0] for r in rows)  # no empty row under the header
    by_name = {r[0]: r for r in rows[1:]}
    milk = by_name["Susu UHT 1 liter"]
    assert milk[1] == "0012345678905"  # text: the leading zeros stay
    assert milk[2:7] == ("Minyak", "sembako", "pcs", 6, 12)
    assert Decimal(str(milk[7])) == Decimal("19500") and Decimal(str(milk[8])) == Decimal("20000")
    assert milk[9:] == (24, "tidak")
    # A name Excel would run as a formula is written as text, and min stock keeps its place.
    formula = by_name['\'=HYPERLINK("x")']
    assert formula[4] == "kg" and Decimal(str(formula[9])) == Decimal("2.5")


def test_round_trip_changed_file_updates_and_adds(client, koperasi):
    make_item(koperasi, name="Minyak goreng 2 liter", barcode="8992761111113")
    login(client, make_user("manajer", koperasi))
    wb = _catalog(client, koperasi)
    ws = wb["Katalog"]
    ws.cell(row=2, column=9).value = 36000  # the public price, in rupiah
    ws.cell(row=2, column=8).value = 35000
    ws.append(["Tepung terigu 1 kg", "96385074", "Tepung", "sembako", "pcs", None, 10,
               12000, 12500, 5, "tidak"])  # fmt: skip
    response = _upload(client, koperasi, workbook_bytes(wb))
    assert response.status_code == 302, _problems(response)
    oil = Item.objects.get(koperasi=koperasi, name="Minyak goreng 2 liter")
    assert (oil.member_price, oil.public_price) == (35_000_00, 36_000_00)
    flour = Item.objects.get(koperasi=koperasi, name="Tepung terigu 1 kg")
    assert flour.barcode == "96385074" and flour.units_per_dus == 10
    assert flour.min_stock == 5 and flour.category.name == "Tepung"
    # Exported again, the file reads back as the catalog now is.
    again = {r[0]: r for r in _catalog(client, koperasi)["Katalog"].iter_rows(values_only=True)}
    assert Decimal(str(again["Minyak goreng 2 liter"][8])) == Decimal("36000")


def test_the_template_is_the_export_layout_and_imports(client, koperasi):
    running_unit(koperasi)
    login(client, make_user("manajer", koperasi))
    response = client.get(_url("catalog-template", koperasi))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Katalog", "Petunjuk"]
    assert "sembako = " in " ".join(str(c.value) for c in wb["Petunjuk"]["A"])
    wb["Katalog"].append(["Garam", "", "", "sembako", "pcs", "", "", "3.000", "3.500", "", ""])
    assert _upload(client, koperasi, workbook_bytes(wb)).status_code == 302
    assert Item.objects.get(koperasi=koperasi, name="Garam").public_price == 3_500_00


def _file(rows, header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Katalog"
    ws.append(header or [h for _k, h in catalog_xlsx.COLUMNS])
    for row in rows:
        ws.append(row)
    return workbook_bytes(wb)


def test_a_bad_file_is_refused_with_every_row_and_nothing_written(client, koperasi):
    make_item(koperasi, name="Beras 5 kg")
    login(client, make_user("manajer", koperasi))
    content = _file(
        [
            ["Kopi", "8992761111112", "", "sembako", "pcs", "", "", 5000, 5500, "", ""],
            ["Teh", "", "", "sembako", "pcs", "", "", -100, 5500, "", ""],
            ["Telur", "", "", "sembako", "pcs", "", "", 2000, 2500, "1,5", ""],
            ["Sabun", "", "", "apotek", "lusin", "", "", 2000, 2500, "", ""],
            ["Beras 5 kg", "", "", "sembako", "pcs", "", "", 70000, 60000, "", ""],
        ]
    )
    before = Item.objects.filter(koperasi=koperasi).count()
    response = _upload(client, koperasi, content)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "tidak ada yang disimpan" in body
    for text in ("seharusnya 3", "tidak boleh negatif", "harus bilangan bulat", "tidak dikenal",
                 "tidak boleh lebih tinggi"):  # fmt: skip
        assert text in body, text
    for row in ("<td>2</td>", "<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert row in body
    assert Item.objects.filter(koperasi=koperasi).count() == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["Nama", "Harga"], "tidak ada: "),
        ([h for _k, h in catalog_xlsx.COLUMNS] + ["Catatan"], "tidak ada di templat: catatan"),
        ([h for _k, h in reversed(catalog_xlsx.COLUMNS)], "urutan kolomnya berbeda"),
    ],
)
def test_wrong_columns_are_refused_before_any_row(client, koperasi, header, message):
    running_unit(koperasi)
    login(client, make_user("manajer", koperasi))
    content = _file([["Garam"] + [""] * (len(header) - 1)], header=header)
    response = _upload(client, koperasi, content)
    body = response.content.decode()
    assert "Kolom berkas tidak sesuai templat" in body and message in body
    assert not Item.objects.filter(koperasi=koperasi).exists()


def test_not_an_excel_file_or_no_katalog_sheet(koperasi):
    with pytest.raises(services.ImportErrors) as caught:
        catalog_xlsx.read_rows(b"PK\x03\x04 not really")
    assert "bukan berkas Excel" in caught.value.errors[0][2]
    wb = Workbook()
    wb.active.title = "Lain"
    with pytest.raises(services.ImportErrors) as caught:
        catalog_xlsx.read_rows(workbook_bytes(wb))
    assert "Katalog" in caught.value.errors[0][2]


def test_a_control_character_in_a_cell_is_reported_with_its_row(koperasi):
    running_unit(koperasi)
    content = _file([["Gula\u202epasir", "", "", "sembako", "pcs", "", "", 1000, 1200, "", ""]])
    with pytest.raises(services.ImportErrors) as caught:
        catalog_xlsx.read_rows(content)
    assert caught.value.errors[0][:2] == (2, "name")


def test_numbers_typed_as_numbers_are_read_exactly(koperasi):
    running_unit(koperasi)
    content = _file([["Gula", 8992761111113, "", "sembako", "kg", "", 25.0, 14999.5, 15000,
                      1.125, ""]])  # fmt: skip
    rows = catalog_xlsx.read_rows(content)
    assert rows[0]["barcode"] == 8992761111113
    assert rows[0]["member_price"] == 1_499_950 and rows[0]["units_per_dus"] == 25
    assert rows[0]["min_stock"] == Decimal("1.125")  # not 1125: no thousands dots in a number
    result = services.import_catalog(koperasi, actor=manajer(koperasi), rows=rows)
    assert result["created"] == 1
    gula = Item.objects.get(koperasi=koperasi, name="Gula")
    assert gula.barcode == "8992761111113" and gula.min_stock == Decimal("1.125")
