"""The RDKK / e-Alokasi list as an Excel file: the blank template and reading a filled one.

One row per farmer per fertiliser type (sheet ``RDKK``, the columns of ``COLUMNS``). Reading
only turns cells into rows; ``services.import_allocations`` checks every row and writes all
or nothing. A file whose header is not the template's is refused before any row is read.

A NIK typed into a number cell is refused: Excel keeps 15 significant digits, so a 16-digit
NIK stored as a number has already lost its last digit.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kopdes.platform.core import spreadsheets
from kopdes.platform.documents.xlsx import new_workbook, set_widths, write_header, write_row
from kopdes.subsidy.errors import ImportErrors

SHEET = "RDKK"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# (key, header) in column order. Headers are Indonesian: the file is for the officers.
COLUMNS = [
    ("nik", "NIK"),
    ("farmer_name", "Nama petani"),
    ("farmer_group", "Kelompok tani"),
    ("season", "Musim tanam"),
    ("fertilizer", "Jenis pupuk"),
    ("kg", "Alokasi (kg)"),
]
WIDTHS = [20, 30, 26, 14, 16, 14]
INSTRUCTIONS = [
    "Petunjuk pengisian RDKK / e-Alokasi",
    "",
    "1. Satu baris per petani per jenis pupuk di lembar 'RDKK', mulai baris 2. Jangan ubah "
    "judul kolom.",
    "2. NIK 16 angka, ditulis sebagai teks (kolom ini sudah berformat Teks). NIK yang "
    "tersimpan sebagai angka ditolak karena Excel membulatkan angka 16 digit.",
    "3. Musim tanam: kode musim yang sudah diatur di halaman Saluran bersubsidi.",
    "4. Jenis pupuk: urea, npk, npk_kakao atau organik.",
    "5. Alokasi dalam kg, lebih dari nol (boleh pecahan, misalnya 12,5).",
    "6. Semua baris diperiksa; jika ada satu kesalahan saja, tidak ada yang disimpan dan "
    "semua kesalahan ditampilkan dengan nomor barisnya.",
]


def template_workbook(season_codes: list[str]):
    """The blank RDKK list: the ``RDKK`` sheet with its header, then the instructions."""
    wb, ws = new_workbook(SHEET)
    write_header(ws, [h for _k, h in COLUMNS])
    set_widths(ws, WIDTHS)
    ws.column_dimensions["A"].number_format = "@"
    info = wb.create_sheet("Petunjuk")
    for line in INSTRUCTIONS:
        write_row(info, [line], bold=line == INSTRUCTIONS[0])
    info.append([])
    codes = ", ".join(season_codes) or "(belum ada: atur dulu musim tanamnya)"
    write_row(info, [f"Musim tanam yang sudah diatur: {codes}"])
    set_widths(info, [110])
    return wb


def _cell(key: str, value: Any) -> Any:
    """A cell as the service reads it: text stripped, a kg number as an exact Decimal, a
    NIK in a number cell marked (``float``) so the service can say why it is refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if key == "kg" and isinstance(value, int | float | Decimal):
        try:
            return Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - a number cell always converts
            return str(value)
    if key == "nik" and isinstance(value, int | float):
        return value  # a number: the service refuses it (Excel rounds 16 digits)
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def read_rows(content: bytes) -> list[dict]:
    """The rows of a filled RDKK list (each with ``_row``), or ``ImportErrors``."""
    return spreadsheets.read_template(
        content,
        sheet=SHEET,
        columns=COLUMNS,
        cell=_cell,
        error=ImportErrors,
        max_rows=MAX_ROWS,
        too_many=_("At most %(n)d rows per file."),
        missing_sheet=_("The sheet 'RDKK' is missing: please use the template."),
    )
