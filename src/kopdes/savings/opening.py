"""Opening savings balances (saldo awal simpanan) from Excel, for a koperasi moving off paper.

The bendahara downloads ``template_workbook`` (member number, kind, amount; an
instructions sheet in Bahasa Indonesia), fills it in and uploads it. ``read_opening``
checks every row and collects ALL problems with their row numbers; ``import_opening``
writes nothing unless the whole file is valid, then posts one entry through the ledger
(credit each member's savings sub-ledger, debit Kas 1-1100: the cash that backs those
savings, so leave the savings out of the ledger's own opening file). The idempotency key
is the file's sha256: the same file uploaded twice posts once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.money import MoneyError, format_rupiah
from kopdes.ledger import services as ledger_services
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.opening import _cell_amount
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import DomainError, PermissionDeniedError
from kopdes.platform.documents import xlsx
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import roles_for
from kopdes.savings import services
from kopdes.savings.choices import SavingsKind, TxnKind
from kopdes.savings.models import OpeningImport, SavingsAccount

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
SHEET = "Saldo awal simpanan"
HEADERS = ("Nomor anggota", "Jenis simpanan", "Jumlah (Rp)")
KINDS = {
    "pokok": SavingsKind.PRINCIPAL,
    "wajib": SavingsKind.MANDATORY,
    "sukarela": SavingsKind.VOLUNTARY,
}
INSTRUCTIONS = (
    "Petunjuk pengisian saldo awal simpanan anggota",
    "",
    "1. Satu baris untuk satu jenis simpanan satu anggota.",
    "2. Nomor anggota sama persis dengan nomor di daftar anggota (misalnya 0001).",
    "3. Jenis simpanan: pokok, wajib atau sukarela.",
    "4. Jumlah dalam rupiah, misalnya 50000 atau 1.250.000. Tanpa tanda minus.",
    "5. Simpanan berjangka dicatat sebagai penempatan baru di loket, bukan di sini.",
    "6. Jika ada satu baris salah, tidak ada yang dicatat; perbaiki lalu unggah lagi.",
    "7. Lawan saldo ini adalah Kas (1-1100). Jangan masukkan simpanan di saldo awal buku.",
)


class OpeningImportError(DomainError):
    code = "opening_invalid"

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


@dataclass
class OpeningRow:
    row: int
    member: Member
    kind: str
    amount: int


@dataclass
class OpeningResult:
    rows: list[OpeningRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.amount for r in self.rows)


def template_workbook(koperasi) -> bytes:
    """The template: the data sheet with a header and one example per kind, instructions."""
    wb, ws = xlsx.new_workbook(SHEET)
    xlsx.write_header(ws, HEADERS)
    xlsx.set_widths(ws, [18, 18, 20])
    info = wb.create_sheet("Petunjuk")
    for line in INSTRUCTIONS:
        info.append([line])
    info.column_dimensions["A"].width = 90
    return xlsx.workbook_bytes(wb)


def read_opening(koperasi, data: bytes) -> OpeningResult:
    """Check every row of an uploaded template; collect all errors (never raises)."""
    result = OpeningResult()
    if len(data) > MAX_FILE_BYTES:
        result.errors.append(_("The file is larger than 5 MB."))
        return result
    if not data.startswith(b"PK\x03\x04"):
        result.errors.append(
            _("This is not an Excel .xlsx file. Download the template, fill it in and upload it.")
        )
        return result
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        result.errors.append(
            _("The .xlsx file is damaged or not a spreadsheet. Save it again from Excel.")
        )
        return result
    try:
        if SHEET not in wb.sheetnames:
            result.errors.append(
                _("The sheet '%(sheet)s' is missing. Use the template from this page.")
                % {"sheet": SHEET}
            )
            return result
        members = {m.number: m for m in Member.objects.filter(koperasi=koperasi)}
        seen: dict[tuple[str, str], int] = {}
        for n, row in enumerate(wb[SHEET].iter_rows(values_only=True), start=1):
            if n == 1:
                continue
            if n > MAX_ROWS + 1:
                result.errors.append(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
                break
            cells = list(row[:3]) + [None] * (3 - len(row[:3]))
            number_cell, kind_cell, amount_cell = cells
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            where = _("Row %(n)d") % {"n": n}
            number = str(number_cell).strip() if number_cell is not None else ""
            if isinstance(number_cell, int | float) and not isinstance(number_cell, bool):
                # Excel turns 0012 into 12: pad back to the register's width.
                width = len(next(iter(members), "0001"))
                number = str(int(number_cell)).zfill(width)
            kind_text = str(kind_cell or "").strip().lower()
            problems = []
            member = members.get(number)
            if not number:
                problems.append(_("the member number is empty"))
            elif member is None:
                problems.append(
                    _("member %(number)s is not in this koperasi") % {"number": number[:20]}
                )
            elif member.status != MemberStatus.ACTIVE:
                problems.append(_("member %(number)s is not an active member") % {"number": number})
            kind = KINDS.get(kind_text)
            if kind is None:
                problems.append(
                    _("the kind '%(kind)s' is not pokok, wajib or sukarela")
                    % {"kind": kind_text[:20]}
                )
            amount = 0
            try:
                amount = _cell_amount(amount_cell)
                if amount <= 0:
                    problems.append(_("the amount must be more than zero"))
            except MoneyError as exc:
                problems.append(
                    _("the amount '%(value)s' is not valid (%(why)s)")
                    % {"value": str(amount_cell)[:40], "why": exc.message}
                )
            if not problems and (number, kind) in seen:
                problems.append(
                    _("this member and kind are already on row %(first)d")
                    % {"first": seen[(number, kind)]}
                )
            if problems:
                result.errors.append(f"{where}: " + "; ".join(str(p) for p in problems) + ".")
                continue
            seen[(number, kind)] = n
            result.rows.append(OpeningRow(n, member, kind, amount))
    finally:
        wb.close()
    if not result.errors and not result.rows:
        result.errors.append(_("The file has no balances. Fill in at least one row."))
    return result


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_opening(koperasi, *, actor, data: bytes, date: dt.date) -> OpeningImport:
    """Post a valid file's opening balances as one entry; all or nothing, idempotent.

    Raises ``OpeningImportError`` with every problem found (nothing written), or when a
    member's account already has movements (opening balances come first).
    """
    roles = roles_for(actor, koperasi)
    if not has_perm(roles, "savings.import_opening"):
        raise PermissionDeniedError(_("You are not allowed to do this in this koperasi."))
    digest = file_hash(data)
    done = OpeningImport.objects.filter(koperasi=koperasi, file_hash=digest).first()
    if done is not None:
        done.replayed = True
        return done
    result = read_opening(koperasi, data)
    if result.errors:
        raise OpeningImportError(result.errors)
    with transaction.atomic():
        services._lock(koperasi)
        done = OpeningImport.objects.filter(koperasi=koperasi, file_hash=digest).first()
        if done is not None:
            done.replayed = True
            return done
        # The books start with the opening balances: an earlier date moves the start.
        try:
            ledger_services.move_books_start(koperasi, actor=actor, date=date)
        except LedgerError as exc:
            raise OpeningImportError([exc.message]) from exc
        moves = []
        busy = []
        row_memo = book_text(koperasi, gettext_lazy("Opening balance"))
        for r in result.rows:
            account = services.account_for(r.member, r.kind, date=date)
            if account.last_seq:
                busy.append(
                    _("Row %(n)d: account %(number)s already has movements.")
                    % {"n": r.row, "number": account.number}
                )
            moves.append(services.Move(account, TxnKind.OPENING, r.amount, row_memo))
        if busy:
            raise OpeningImportError(busy)
        txns = services.post_cash_batch(
            koperasi,
            actor=actor,
            date=date,
            moves=moves,
            idempotency_key=f"opening:{digest}",
            memo=book_text(
                koperasi, gettext_lazy("Opening savings balances (saldo awal simpanan)")
            ),
            source="savings.opening",
        )
        imported = OpeningImport.objects.create(
            koperasi=koperasi,
            file_hash=digest,
            rows=len(moves),
            total_amount=result.total,
            entry=txns[0].entry,
            imported_by=actor,
            imported_at=timezone.now(),
        )
        record(
            "savings.opening.imported",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=imported,
            summary={"rows": len(moves), "total": result.total, "file_sha256": digest},
        )
    return imported


def summary_text(result: OpeningResult) -> str:
    return _("%(rows)d balances, total %(total)s") % {
        "rows": len(result.rows),
        "total": format_rupiah(result.total),
    }


__all__ = ["OpeningImportError", "SavingsAccount", "import_opening", "read_opening"]
