"""The channels' registers as XLSX, through ``platform.documents.xlsx`` (the one export path).

- **LPG daily register** (``lpg_register_workbook``): one line per sale with the buyer's
  **full NIK**. It is the operator's register: the pangkalan reconciles it line by line with
  the transactions Pertamina's merchant app recorded against each NIK, which a masked NIK
  cannot be matched with. Issue 15 allows a buyer's NIK to leave the koperasi only there, so
  it needs ``subsidy.export_register`` (ketua, manajer) and every download is audited
  (``subsidy.lpg_register.exported``: the day and how many NIKs, never the NIKs).
- **Pupuk season report** and **SPHP daily report**: NIKs masked (the Bulog order channel
  and the season's realisation need quantities per farmer or buyer, not the number), under
  ``subsidy.export_reports``; audited as well (they still name people).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from kopdes.domain import subsidy as rules
from kopdes.platform.audit.services import record
from kopdes.platform.documents.xlsx import new_workbook, set_widths, write_header, write_row
from kopdes.platform.privacy.services import masked
from kopdes.subsidy import selectors
from kopdes.subsidy.choices import BuyerKind, Channel, Product
from kopdes.subsidy.models import Season
from kopdes.subsidy.services._common import role

LPG_COLUMNS = [
    "No",
    "Tanggal",
    "Jam",
    "NIK",
    "Nama pembeli",
    "Jenis pembeli",
    "Jumlah tabung",
    "Harga per tabung (Rp)",
    "Jumlah (Rp)",
    "HET per tabung (Rp)",
    "Kunci transaksi",
]
PUPUK_COLUMNS = [
    "Kelompok tani",
    "Nama petani",
    "NIK",
    "Jenis pupuk",
    "Alokasi (kg)",
    "Ditebus (kg)",
    "Sisa (kg)",
    "Nilai tebus (Rp)",
]
SPHP_COLUMNS = [
    "No",
    "Jam",
    "NIK",
    "Nama pembeli",
    "Beras (kg)",
    "Harga per kg (Rp)",
    "Jumlah (Rp)",
    "HET per kg (Rp)",
]


def _kg(grams: int) -> Decimal:
    return (Decimal(grams) / rules.GRAMS_PER_KG).quantize(Decimal("0.001"))


def _clock(koperasi, moment: dt.datetime) -> str:
    return timezone.localtime(moment, ZoneInfo(koperasi.time_zone)).strftime("%H:%M")


def _notes(wb, lines: list[str]) -> None:
    info = wb.create_sheet("Keterangan")
    for line in lines:
        write_row(info, [line])
    set_widths(info, [110])


def lpg_register_workbook(koperasi, *, actor, day: dt.date, source_address: str = ""):
    """The LPG 3 kg register of ``day`` (full NIKs; see the module). Audited."""
    label = role(actor, koperasi, "subsidy.export_register")
    sales = list(selectors.sales_on(koperasi, Channel.LPG, day))
    wb, ws = new_workbook("Register LPG")
    write_header(ws, LPG_COLUMNS)
    set_widths(ws, [5, 12, 7, 20, 28, 16, 10, 16, 16, 16, 24])
    ws.column_dimensions["D"].number_format = "@"
    for n, sale in enumerate(sales, start=1):
        row = write_row(
            ws,
            [
                n,
                sale.sold_on.strftime("%d-%m-%Y"),
                _clock(koperasi, sale.recorded_at),
                sale.nik,
                sale.buyer.name if sale.buyer_id else "",
                str(BuyerKind(sale.buyer.kind).label) if sale.buyer_id else "",
                sale.quantity,
                sale.unit_price,
                sale.amount,
                sale.het_price,
                sale.idempotency_key,
            ],
            money_columns=(7, 8, 9),
        )
        ws.cell(row=row, column=4).number_format = "@"
    write_row(
        ws,
        [
            "Jumlah",
            "",
            "",
            "",
            "",
            "",
            sum(s.quantity for s in sales),
            "",
            sum(s.amount for s in sales),
        ],
        money_columns=(8,),
        bold=True,
    )
    references = sorted({s.het_reference for s in sales if s.het_reference})
    _notes(
        wb,
        [
            f"Register harian LPG 3 kg {koperasi.name}, tanggal {day:%d-%m-%Y}",
            "HET: " + ("; ".join(references) if references else "-"),
            "Berisi NIK lengkap pembeli: data pribadi (UU 27/2022). Hanya untuk rekonsiliasi "
            "dengan aplikasi merchant Pertamina; jangan dibagikan ke pihak lain.",
        ],
    )
    record(
        "subsidy.lpg_register.exported",
        actor=actor,
        koperasi=koperasi,
        role=label,
        object_type="subsidy.lpg_register",
        object_id=day.isoformat(),
        summary={
            "day": day.isoformat(),
            "rows": len(sales),
            "niks": len({s.nik_index for s in sales}),
        },
        source_address=source_address,
    )
    return wb


def pupuk_season_workbook(koperasi, *, actor, season: Season, source_address: str = ""):
    """Per farmer and fertiliser type in ``season``: allocation, redeemed, remaining."""
    label = role(actor, koperasi, "subsidy.export_reports")
    rows = selectors.allocation_rows(koperasi, season)
    wb, ws = new_workbook(f"Pupuk {season.code}")
    write_header(ws, PUPUK_COLUMNS)
    set_widths(ws, [24, 28, 20, 22, 12, 12, 12, 16])
    for row in rows:
        a = row.allocation
        excel_row = write_row(
            ws,
            [
                a.farmer_group,
                a.farmer_name,
                row.nik_masked,
                rules.Fertilizer(a.fertilizer).label,
                _kg(a.grams),
                _kg(row.redeemed_grams),
                _kg(row.remaining_grams),
                row.redeemed_amount,
            ],
            money_columns=(7,),
        )
        for column in (5, 6, 7):
            ws.cell(row=excel_row, column=column).number_format = "#,##0.000"
    _notes(
        wb,
        [
            f"Laporan musim tanam {season.code} ({season.start:%d-%m-%Y} s.d. "
            f"{season.end:%d-%m-%Y}), {koperasi.name}",
            "NIK ditampilkan tersamar (UU 27/2022).",
        ],
    )
    record(
        "subsidy.pupuk_report.exported",
        actor=actor,
        koperasi=koperasi,
        role=label,
        obj=season,
        summary={"season": season.code, "rows": len(rows)},
        source_address=source_address,
    )
    return wb


def sphp_daily_workbook(koperasi, *, actor, day: dt.date, source_address: str = ""):
    """The beras SPHP sales of ``day`` (NIKs masked) with the day's totals."""
    label = role(actor, koperasi, "subsidy.export_reports")
    sales = list(selectors.sales_on(koperasi, Channel.SPHP, day))
    wb, ws = new_workbook("SPHP harian")
    write_header(ws, SPHP_COLUMNS)
    set_widths(ws, [5, 7, 20, 28, 12, 16, 16, 16])
    for n, sale in enumerate(sales, start=1):
        row = write_row(
            ws,
            [
                n,
                _clock(koperasi, sale.recorded_at),
                masked("nik", sale.nik),
                sale.buyer.name if sale.buyer_id else "",
                _kg(sale.quantity),
                sale.unit_price,
                sale.amount,
                sale.het_price,
            ],
            money_columns=(5, 6, 7),
        )
        ws.cell(row=row, column=5).number_format = "#,##0.000"
    total = write_row(
        ws,
        [
            "Jumlah",
            "",
            "",
            "",
            _kg(sum(s.quantity for s in sales)),
            "",
            sum(s.amount for s in sales),
        ],
        money_columns=(6,),
        bold=True,
    )
    ws.cell(row=total, column=5).number_format = "#,##0.000"
    _notes(
        wb,
        [
            f"Laporan harian beras SPHP {koperasi.name}, tanggal {day:%d-%m-%Y}",
            f"Produk: {Product.BERAS_SPHP.label}. NIK ditampilkan tersamar (UU 27/2022).",
        ],
    )
    record(
        "subsidy.sphp_report.exported",
        actor=actor,
        koperasi=koperasi,
        role=label,
        object_type="subsidy.sphp_report",
        object_id=day.isoformat(),
        summary={"day": day.isoformat(), "rows": len(sales)},
        source_address=source_address,
    )
    return wb
