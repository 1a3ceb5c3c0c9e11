"""The one XLSX writer every export uses."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kopdes.platform.documents import xlsx


def test_rows_written_after_the_header_start_right_below_it():
    wb, ws = xlsx.new_workbook("Register")
    xlsx.write_header(ws, ["Tanggal", "Jumlah"])
    xlsx.write_row(ws, ["2026-12-01", 1_500_000], money_columns={2})
    back = load_workbook(io.BytesIO(xlsx.workbook_bytes(wb))).active
    rows = list(back.iter_rows(values_only=True))
    assert rows[0] == ("Tanggal", "Jumlah")
    assert rows[1][0] == "2026-12-01"
    assert len(rows) == 2
    assert back.freeze_panes == "A2"
