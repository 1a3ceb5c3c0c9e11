"""A member statement as XLSX (openpyxl) and PDF (WeasyPrint), from ``selectors.Statement``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kopdes.platform.documents import pdf, xlsx
from kopdes.savings.choices import TxnKind


def statement_xlsx(koperasi, statement) -> bytes:
    wb, ws = xlsx.new_workbook(pgettext("savings", "Statement"))
    ws.append([xlsx.safe_text(koperasi.name)])
    ws.append([xlsx.safe_text(statement.title)])
    ws.append(
        [
            _("Period"),
            f"{statement.date_from:%d-%m-%Y} s.d. {statement.date_to:%d-%m-%Y}",
        ]
    )
    xlsx.write_header(
        ws, [_("Date"), _("Account"), _("Description"), _("In"), _("Out"), _("Balance")]
    )
    money = (3, 4, 5)
    xlsx.write_row(
        ws, ["", "", _("Opening balance"), "", "", statement.opening], money_columns=money
    )
    kinds = dict(TxnKind.choices)
    for r in statement.rows:
        xlsx.write_row(
            ws,
            [
                r.date,
                r.account,
                f"{kinds.get(r.kind, r.kind)} {r.memo}".strip(),
                r.credit or "",
                r.debit or "",
                r.balance,
            ],
            money_columns=money,
        )
    xlsx.write_row(
        ws,
        ["", "", _("Total / closing balance"), statement.total_in, statement.total_out,
         statement.closing],
        money_columns=money,
        bold=True,
    )  # fmt: skip
    xlsx.set_widths(ws, [12, 16, 40, 16, 16, 18])
    return xlsx.workbook_bytes(wb)


def statement_pdf(koperasi, statement) -> bytes:
    return pdf.render_pdf(
        "savings/statement_pdf.html",
        {"koperasi": koperasi, "statement": statement, "title": statement.title,
         "kinds": dict(TxnKind.choices)},
    )  # fmt: skip
