"""The monthly SIPNAP report (Sistem Pelaporan Narkotika dan Psikotropika, Kemenkes):
per narcotic and psychotropic item of the apotek, the month's opening stock, what came in
(and from which supplier / PBF), what was dispensed on prescriptions, other stock going
out, and the closing stock, with the batches on hand at the month's end; the report
header names the apotek, the period and the responsible pharmacist with her SIPA.

Figures come from the store's stock movements (their business date), so the report of a
past month is the same whenever it is drawn: opening = every movement before the month,
closing = opening + in - out. XLSX through ``platform.documents.xlsx`` (the one export
path), audited ``pharmacy.sipnap.exported``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from kopdes.domain import inventory
from kopdes.pharmacy.choices import SIPNAP_CLASSES, DosageForm, DrugClass
from kopdes.pharmacy.models import Batch, BatchMovement, DrugInfo, Pharmacist
from kopdes.platform.audit.services import record
from kopdes.platform.documents.xlsx import new_workbook, set_widths, write_header, write_row
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.store.models import StockMovement

# What came in from a supplier (PBF) or another outlet, and what went out other than sold.
_RECEIVED = {
    inventory.MovementKind.RECEIPT,
    inventory.MovementKind.TRANSFER_IN,
    inventory.MovementKind.CONSIGNMENT_IN,
}
_DISPENSED = {inventory.MovementKind.SALE}

COLUMNS = [
    "No",
    "Golongan",
    "Nama obat",
    "Bentuk sediaan",
    "Kekuatan",
    "Satuan",
    "Stok awal",
    "Pemasukan",
    "Sumber pemasukan (PBF)",
    "Pengeluaran untuk resep",
    "Pengeluaran lain",
    "Stok akhir",
    "Batch (kedaluwarsa) di akhir bulan",
]


@dataclass
class SipnapRow:
    item_name: str
    drug_class: str
    dosage_form: str
    strength: str
    unit: str
    opening: int = 0
    received: int = 0
    other_in: int = 0
    dispensed: int = 0
    other_out: int = 0
    suppliers: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.opening + self.received + self.other_in - self.dispensed - self.other_out


@dataclass
class SipnapReport:
    year: int
    month: int
    start: dt.date
    end: dt.date
    pharmacist: Pharmacist | None
    rows: list[SipnapRow]


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def sipnap_report(koperasi, *, year: int, month: int) -> SipnapReport:
    """The report of ``month``/``year`` (every narcotic / psychotropic item with drug
    information, moved or not)."""
    start, end = month_bounds(year, month)
    infos = list(
        DrugInfo.objects.filter(koperasi=koperasi, drug_class__in=list(SIPNAP_CLASSES))
        .select_related("item")
        .order_by("drug_class", "item__name")
    )
    rows: dict = {}
    for info in infos:
        rows[info.item_id] = SipnapRow(
            item_name=info.item.name,
            drug_class=str(DrugClass(info.drug_class).label),
            dosage_form=str(DosageForm(info.dosage_form).label),
            strength=info.strength,
            unit=info.item.base_unit,
        )
    ids = list(rows)
    before = (
        StockMovement.objects.filter(koperasi=koperasi, item_id__in=ids, date__lt=start)
        .values("item_id", "kind")
        .annotate(q=Sum("quantity"))
    )
    for got in before:
        sign = 1 if inventory.MovementKind(got["kind"]).incoming else -1
        rows[got["item_id"]].opening += sign * got["q"]
    suppliers: dict = defaultdict(set)
    for item_id, kind, quantity, supplier in StockMovement.objects.filter(
        koperasi=koperasi, item_id__in=ids, date__gte=start, date__lte=end
    ).values_list("item_id", "kind", "quantity", "supplier__name"):
        row = rows[item_id]
        kind = inventory.MovementKind(kind)
        if kind in _RECEIVED:
            row.received += quantity
            if supplier:
                suppliers[item_id].add(supplier)
        elif kind.incoming:
            row.other_in += quantity
        elif kind in _DISPENSED:
            row.dispensed += quantity
        else:
            row.other_out += quantity
    # The batches on hand at the month's end: each batch's movements up to that day.
    on_hand: dict = defaultdict(int)
    for batch_id, kind, quantity in BatchMovement.objects.filter(
        koperasi=koperasi, item_id__in=ids, date__lte=end
    ).values_list("batch_id", "kind", "quantity"):
        on_hand[batch_id] += quantity if kind == "receipt" else -quantity
    for batch in Batch.objects.filter(koperasi=koperasi, item_id__in=ids).order_by(
        "expires_on", "batch_number"
    ):
        if on_hand.get(batch.pk, 0) > 0:
            rows[batch.item_id].batches.append(
                f"{batch.batch_number} ({batch.expires_on:%d-%m-%Y}): {on_hand[batch.pk]}"
            )
    for item_id, names in suppliers.items():
        rows[item_id].suppliers = sorted(names)
    pharmacist = (
        Pharmacist.objects.filter(koperasi=koperasi, started_on__lte=end)
        .exclude(ended_on__lt=start)
        .order_by("-started_on", "-created_at")
        .first()
    )
    return SipnapReport(year, month, start, end, pharmacist, list(rows.values()))


def sipnap_workbook(koperasi, *, actor, year: int, month: int, source_address: str = ""):
    """The SIPNAP report as XLSX: sheet ``SIPNAP`` (one row per item, ``COLUMNS``) and
    ``Keterangan`` (the apotek, period, pharmacist). Audited."""
    role = role_label(require_perm(actor, koperasi, "pharmacy.view"), "pharmacy.view")
    report = sipnap_report(koperasi, year=year, month=month)
    wb, ws = new_workbook("SIPNAP")
    write_header(ws, COLUMNS)
    set_widths(ws, [5, 14, 32, 16, 12, 8, 10, 11, 28, 14, 12, 10, 40])
    for n, row in enumerate(report.rows, start=1):
        write_row(
            ws,
            [
                n,
                row.drug_class,
                row.item_name,
                row.dosage_form,
                row.strength,
                row.unit,
                row.opening,
                row.received + row.other_in,
                ", ".join(row.suppliers),
                row.dispensed,
                row.other_out,
                row.closing,
                "; ".join(row.batches),
            ],
        )
    info = wb.create_sheet("Keterangan")
    pharmacist = report.pharmacist
    for line in [
        ["Laporan", "SIPNAP (narkotika dan psikotropika)"],
        ["Apotek", f"Apotek desa {koperasi.name}"],
        ["Periode", f"{report.start:%m-%Y} ({report.start:%d-%m-%Y} s.d. {report.end:%d-%m-%Y})"],
        ["Apoteker penanggung jawab", pharmacist.name if pharmacist else "-"],
        ["Nomor SIPA", pharmacist.sipa_number if pharmacist else "-"],
        ["SIPA berlaku sampai", f"{pharmacist.sipa_expires_on:%d-%m-%Y}" if pharmacist else "-"],
        ["Jumlah obat", len(report.rows)],
    ]:
        write_row(info, line)
    set_widths(info, [28, 70])
    record(
        "pharmacy.sipnap.exported",
        actor=actor,
        koperasi=koperasi,
        role=role,
        object_type="pharmacy.sipnap",
        object_id=f"{year:04d}-{month:02d}",
        summary={"month": f"{year:04d}-{month:02d}", "rows": len(report.rows)},
        source_address=source_address,
    )
    return wb
