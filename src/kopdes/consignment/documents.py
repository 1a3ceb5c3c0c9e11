"""The settlement statement as PDF and XLSX, through ``platform.documents`` (the one export
path): the same rows and totals as the page."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from kopdes.consignment.services import Statement
from kopdes.platform.documents import pdf, xlsx


def headers() -> list[str]:
    return [
        _("Item"),
        _("Unit"),
        _("Received"),
        _("Sold"),
        _("Returned"),
        _("On hand at month end"),
        _("Sales value"),
        _("Commission"),
        _("Consignor's share"),
    ]


MONEY = {6, 7, 8}


def rows(stated: Statement) -> list[list]:
    return [
        [
            x.item.name,
            x.unit,
            x.received_shown,
            x.sold_shown,
            x.returned_shown,
            x.on_hand_shown,
            x.sales,
            x.commission,
            x.share,
        ]
        for x in stated.lines
    ]


def title(stated: Statement) -> str:
    return _("Consignment settlement %(period)s") % {"period": stated.period_code}


def filename(stated: Statement, koperasi, ext: str) -> str:
    return f"titip-jual-{koperasi.slug}-{stated.consignor.name}-{stated.period_code}.{ext}"


def workbook_response(stated: Statement, koperasi) -> HttpResponse:
    wb, ws = xlsx.new_workbook(title(stated))
    xlsx.write_row(ws, [title(stated)], bold=True)
    xlsx.write_row(ws, [koperasi.name])
    xlsx.write_row(
        ws,
        [
            _("Consignor"),
            stated.consignor.name,
            _("Owner"),
            stated.consignor.owner_name,
        ],
    )
    xlsx.write_header(ws, headers())
    for row in rows(stated):
        xlsx.write_row(ws, row, money_columns=MONEY)
    total = [_("Total"), "", "", "", "", "", stated.sales, stated.commission, stated.share]
    xlsx.write_row(ws, total, money_columns=MONEY, bold=True)
    xlsx.write_row(ws, [_("Paid for this month"), stated.paid], money_columns={1})
    xlsx.write_row(ws, [_("Amount due"), stated.due], money_columns={1}, bold=True)
    xlsx.set_widths(ws, [32, 8, 12, 12, 12, 14, 18, 18, 18])
    return xlsx.xlsx_response(wb, filename(stated, koperasi, "xlsx"))


def respond(fmt: str, stated: Statement, koperasi) -> HttpResponse:
    """The statement as ``pdf`` or ``xlsx``."""
    if fmt == "xlsx":
        return workbook_response(stated, koperasi)
    return pdf.pdf_response(
        "consignment/settlement_pdf.html",
        {"stated": stated, "koperasi": koperasi, "title": title(stated), "headers": headers()},
        filename(stated, koperasi, "pdf"),
    )
