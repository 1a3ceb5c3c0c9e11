"""The catalog as an Excel file: export, the blank template, and reading a filled one.

Export and template share one layout (sheet ``Katalog``, the columns of ``COLUMNS``), so an
exported catalog can be changed and imported again. Writing goes through
``platform.documents.xlsx`` (formula-injection safe, Rupiah formats); reading only turns
cells into rows: ``services.import_catalog`` checks every row and writes all or nothing.
A file whose header is not the template's is refused before any row is read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kopdes.domain import units
from kopdes.platform.core import spreadsheets
from kopdes.platform.documents.xlsx import new_workbook, set_widths, write_header, write_row
from kopdes.store.choices import UnitKind
from kopdes.store.errors import ImportErrors

SHEET = "Katalog"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# (key, header) in column order. Headers are Indonesian: the file is for the officers.
COLUMNS = [
    ("name", "Nama barang"),
    ("barcode", "Barcode (EAN-13/EAN-8)"),
    ("category", "Kategori"),
    ("business_unit", "Unit usaha (kode)"),
    ("base_unit", "Satuan dasar"),
    ("units_per_pak", "Isi per pak"),
    ("units_per_dus", "Isi per dus"),
    ("member_price", "Harga anggota (Rp)"),
    ("public_price", "Harga umum (Rp)"),
    ("min_stock", "Stok minimum"),
    ("is_service", "Jasa (ya/tidak)"),
]
MONEY = (7, 8)
MONEY_KEYS = {COLUMNS[i][0] for i in MONEY}
WIDTHS = [36, 18, 18, 16, 12, 10, 10, 16, 16, 12, 12]
INSTRUCTIONS = [
    "Petunjuk pengisian katalog barang",
    "",
    "1. Satu barang per baris di lembar 'Katalog', mulai baris 2. Jangan ubah judul kolom.",
    "2. Nama barang wajib dan tidak boleh sama. Baris yang namanya sudah ada di katalog "
    "mengubah barang itu; nama baru menambah barang.",
    "3. Barcode boleh kosong. Jika diisi: 13 angka (EAN-13) atau 8 angka (EAN-8), angka "
    "terakhir diperiksa. Kolom berformat teks agar angka 0 di depan tidak hilang.",
    "4. Unit usaha: kode unit yang sudah diaktifkan (lihat daftar di bawah).",
    "5. Satuan dasar: pcs, kg, gram, liter atau ml. Harga dan stok minimum per satuan dasar.",
    "6. Isi per pak / isi per dus: berapa satuan dasar dalam satu pak / dus (angka bulat), "
    "boleh kosong.",
    "7. Harga dalam rupiah, misalnya 15000 atau 15.000. Harga anggota tidak boleh lebih "
    "tinggi dari harga umum.",
    "8. Jasa: isi 'ya' untuk layanan (periksa klinik, sewa cold storage, antar barang).",
    "9. Semua baris diperiksa; jika ada satu kesalahan saja, tidak ada yang disimpan dan "
    "semua kesalahan ditampilkan dengan nomor barisnya.",
]


def _catalog_sheet(wb):
    """The ``Katalog`` sheet with its header."""
    ws = wb.active
    ws.title = SHEET
    write_header(ws, [h for _k, h in COLUMNS])
    set_widths(ws, WIDTHS)
    ws.column_dimensions["B"].number_format = "@"
    return ws


def _instructions(wb, koperasi, business_units) -> None:
    info = wb.create_sheet("Petunjuk")
    for line in INSTRUCTIONS:
        write_row(info, [line], bold=line == INSTRUCTIONS[0])
    info.append([])
    write_row(info, [f"Unit usaha {koperasi.name}:"], bold=True)
    for unit in business_units:
        write_row(info, [f"{unit.kind} = {unit.name}"])
    if not business_units:
        write_row(info, ["(belum ada unit usaha yang aktif: aktifkan dulu di halaman Unit usaha)"])
    info.append([])
    write_row(info, ["Kode unit usaha yang dikenal: " + ", ".join(UnitKind.values)])
    set_widths(info, [110])


def template_workbook(koperasi, business_units):
    """The blank catalog: the ``Katalog`` sheet with its header, then the instructions."""
    wb, _ws = new_workbook(SHEET)
    _catalog_sheet(wb)
    _instructions(wb, koperasi, business_units)
    return wb


def _quantity_cell(value: Decimal) -> Any:
    value = units.tidy(Decimal(value))
    return int(value) if value == value.to_integral_value() else value


def export_workbook(koperasi, items, business_units):
    """The catalog as the template's layout, one row per item (active or not)."""
    wb, _ws = new_workbook(SHEET)
    ws = _catalog_sheet(wb)
    for item in items:
        row = write_row(
            ws,
            [
                item.name,
                item.barcode,
                item.category.name if item.category_id else "",
                item.business_unit.kind,
                item.base_unit,
                item.units_per_pak,
                item.units_per_dus,
                item.member_price,
                item.public_price,
                _quantity_cell(item.min_stock),
                "ya" if item.is_service else "tidak",
            ],
            money_columns=MONEY,
        )
        ws.cell(row=row, column=2).number_format = "@"
    _instructions(wb, koperasi, business_units)
    return wb


def _text_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 40.0 in a number cell is 40
    return value if isinstance(value, int | float | Decimal) else str(value).strip()


def _money_cell(value: Any) -> Any:
    """A price cell: a number is rupiah (to sen, exactly); text goes to the rupiah parser."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        try:
            sen = Decimal(str(value)) * 100
        except InvalidOperation:
            return str(value)
        if sen != sen.to_integral_value():
            return str(value)  # more than two places: the parser explains
        return int(sen)
    return "" if value is None else str(value).strip()


def _catalog_cell(key: str, value: Any) -> Any:
    if key in MONEY_KEYS:
        return _money_cell(value)
    value = _text_cell(value)
    if key == "min_stock" and isinstance(value, int | float | Decimal):
        return Decimal(str(value))  # a number cell: no thousands dots to read
    return value


def read_rows(content: bytes) -> list[dict]:
    """The item rows of a filled catalog (each with ``_row``), or ``ImportErrors``."""
    return spreadsheets.read_template(
        content,
        sheet=SHEET,
        columns=COLUMNS,
        cell=_catalog_cell,
        error=ImportErrors,
        max_rows=MAX_ROWS,
        too_many=_("At most %(n)d items per file."),
        missing_sheet=_("The sheet 'Katalog' is missing: please use the template."),
    )
