"""Excel onboarding of members: the template to download and the reading of a filled one.

Reading only turns cells into registration rows; ``services.register_members`` validates
every row and writes all or nothing. A cell holding a character ``domain.text`` refuses
(a bidi override, a C1 control: XML can carry those) is reported with its row, like any
other error, so no form-less door lets such text into the registry (issue 13).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.worksheet.datavalidation import DataValidation

from kopdes.members.services import ImportErrors
from kopdes.platform.core import spreadsheets
from kopdes.platform.documents.xlsx import new_workbook, set_widths, write_header, write_row

SHEET = "Anggota"
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# (key, header in Indonesian) - the column order of the template.
COLUMNS = [
    ("full_name", "Nama lengkap"),
    ("nik", "NIK (16 angka)"),
    ("kk_number", "Nomor KK (16 angka)"),
    ("birth_place", "Tempat lahir"),
    ("birth_date", "Tanggal lahir (DD-MM-YYYY)"),
    ("sex", "Jenis kelamin (L/P)"),
    ("address", "Alamat (jalan, RT/RW)"),
    ("region_code", "Kode wilayah desa (kosong = desa koperasi)"),
    ("phone", "Nomor HP"),
    ("occupation", "Pekerjaan"),
    ("heir_name", "Ahli waris: nama"),
    ("heir_relation", "Ahli waris: hubungan"),
    ("heir_share", "Ahli waris: bagian (%)"),
]
INSTRUCTIONS = [
    "Petunjuk pengisian templat anggota",
    "",
    "1. Isi satu anggota per baris di lembar 'Anggota', mulai baris 2. Jangan ubah judul kolom.",
    "2. NIK dan nomor KK: 16 angka, tulis sebagai teks (kolom sudah berformat teks).",
    "3. Tanggal lahir: DD-MM-YYYY, misalnya 17-08-1980. Harus sama dengan tanggal di NIK "
    "(perempuan: tanggal di NIK ditambah 40).",
    "4. Jenis kelamin: L (laki-laki) atau P (perempuan).",
    "5. Nomor HP Indonesia, misalnya 0812-3456-7890.",
    "6. Kode wilayah desa boleh dikosongkan: dipakai kode desa koperasi.",
    "7. Ahli waris boleh dikosongkan; jika diisi, bagian 100.",
    "8. Unggah berkas. Semua baris diperiksa; jika ada satu kesalahan saja, tidak ada yang "
    "disimpan dan semua kesalahan ditampilkan dengan nomor barisnya.",
    "9. Anggota yang terdaftar berstatus calon sampai simpanan pokok dibayar.",
]


def template_workbook(koperasi):
    """The member template: an instructions sheet and the data sheet with text columns."""
    wb, info = new_workbook("Petunjuk")
    for line in INSTRUCTIONS:
        write_row(info, [line], bold=line == INSTRUCTIONS[0])
    set_widths(info, [120])
    info.append([])
    write_row(info, [f"Koperasi: {koperasi.name} (kode wilayah desa {koperasi.region_code})"])
    ws = wb.create_sheet(SHEET)
    write_header(ws, [h for _k, h in COLUMNS])
    set_widths(ws, [28, 20, 20, 16, 16, 10, 36, 18, 16, 16, 24, 14, 10])
    # Text format on whole columns (not cells: that would make 1000 "used" rows), so
    # Excel keeps all 16 digits of a NIK and the leading 0 of a phone number.
    for col in ("B", "C", "E", "H", "I"):
        ws.column_dimensions[col].number_format = "@"
    sex = DataValidation(type="list", formula1='"L,P"', allow_blank=True)
    ws.add_data_validation(sex)
    sex.add("F2:F1001")
    return wb


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        # A number typed without the text format: Excel keeps at most 15 digits, so a
        # 16-digit NIK is already damaged; the NIK check reports it.
        return str(int(value))
    return value if isinstance(value, dt.date) else str(value).strip()


def read_rows(content: bytes) -> list[dict]:
    """The member rows of a filled template (with ``_row``), or ``ImportErrors``."""
    rows = spreadsheets.read_template(
        content,
        sheet=SHEET,
        columns=COLUMNS,
        cell=lambda _key, value: _cell(value),
        error=ImportErrors,
        max_rows=MAX_ROWS,
        too_many=_("At most %(n)d members per file."),
        missing_sheet=_("The sheet 'Anggota' is missing: please use the template."),
        # Older templates had other header texts: members are read by position.
        check_header=False,
        # A cell may hold a line break (Alt+Enter in Excel): exports keep lines apart.
        multiline=True,
    )
    for data in rows:
        data["heirs"] = [
            {
                "name": data.pop("heir_name"),
                "relation": data.pop("heir_relation"),
                "share_percent": data.pop("heir_share"),
            }
        ]
    return rows
