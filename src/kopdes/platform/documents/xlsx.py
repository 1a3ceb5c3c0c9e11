"""Spreadsheets with openpyxl: Rupiah number formats and formula-injection safety.

Amounts go in as integer sen and come out as exact ``Decimal`` rupiah with a Rupiah
number format, so totals read back from the file equal the page's totals to the sen.
Every text cell goes through ``safe_text``: a value starting with ``= + - @`` or a tab /
carriage return would be run as a formula by Excel or LibreOffice (CSV/formula
injection), so it is stored as text with a leading single quote ``'``. It also shows a
character XML cannot hold (a NUL or another control character, a lone surrogate, U+FFFE)
as U+FFFD (``domain.text.printable``): a row stored before such text was refused must not
turn the whole file into a 500 (openpyxl's ``IllegalCharacterError``, issue 13).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kopdes.domain.text import printable

RUPIAH_FORMAT = '"Rp" #,##0.00;[Red]-"Rp" #,##0.00'
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def safe_text(value: Any) -> Any:
    """Neutralise a text that a spreadsheet would run as a formula, and show a character
    XML cannot hold as U+FFFD; other values pass."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    if value.startswith(INJECTION_PREFIXES):
        return "'" + value
    return value


def sen_to_rupiah(sen: int) -> Decimal:
    """Exact rupiah with two places (no float on the way)."""
    return (Decimal(sen) / 100).quantize(Decimal("0.01"))


def write_row(
    ws: Worksheet,
    values: Sequence[Any],
    *,
    money_columns: Iterable[int] = (),
    bold: bool = False,
) -> int:
    """Append one row; ``money_columns`` (0-based) hold sen and get the Rupiah format."""
    money = set(money_columns)
    cells: list[Any] = []
    for i, value in enumerate(values):
        if i in money and isinstance(value, int) and not isinstance(value, bool):
            cells.append(sen_to_rupiah(value))
        else:
            cells.append(safe_text(value))
    ws.append(cells)
    row = ws.max_row
    for i in range(len(values)):
        cell = ws.cell(row=row, column=i + 1)
        if i in money:
            cell.number_format = RUPIAH_FORMAT
        if bold:
            cell.font = BOLD
    return row


def write_header(ws: Worksheet, headers: Sequence[str]) -> None:
    write_row(ws, headers, bold=True)
    for i in range(len(headers)):
        cell = ws.cell(row=ws.max_row, column=i + 1)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # A coordinate, not ``ws.cell(...)``: reading a cell creates it, and the first row
    # appended after the header would land below an empty one.
    ws.freeze_panes = f"A{ws.max_row + 1}"


def set_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    """A workbook whose first sheet is called ``title`` (cut to Excel's 31 characters)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(title)
    return wb, ws


def sheet_title(title: str) -> str:
    bad = set("[]:*?/\\")
    shown = " ".join(printable(title).split())  # one line, nothing XML cannot hold
    return "".join(c for c in shown if c not in bad)[:31] or "Sheet"


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(wb: Workbook, filename: str) -> HttpResponse:
    """An HTTP download of the workbook."""
    from kopdes.platform.documents.pdf import safe_filename

    response = HttpResponse(workbook_bytes(wb), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response
