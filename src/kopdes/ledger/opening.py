"""Opening balances (saldo awal) for a koperasi that kept its books on paper or in Excel.

The bendahara downloads ``template_workbook`` (every account, with an instructions sheet
in Bahasa Indonesia), fills in the debit or credit balance per account and uploads it.
``read_opening`` checks every row and collects ALL problems with their row numbers;
``import_opening`` writes nothing unless the whole file is valid and balanced, then posts
ONE opening entry through ``ledger.services.post``. The idempotency key is the file's
sha256, so the same file uploaded twice posts once.

Sub-ledger control accounts (member savings, loans, stock) are not in the template: their
opening balances need one line per member or item and come in through those modules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.ledger import LineDraft, Side
from kopdes.domain.money import MAX_SEN, MoneyError, format_rupiah, parse_rupiah
from kopdes.ledger import services
from kopdes.ledger.choices import EntryKind
from kopdes.ledger.errors import LedgerError, PermissionDeniedError
from kopdes.ledger.models import Account, JournalEntry
from kopdes.platform.core.booktext import book_text
from kopdes.platform.documents import xlsx
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.identity.selectors import roles_for

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
SHEET = "Saldo awal"
HEADERS = ("Kode akun", "Nama akun", "Debit", "Kredit")

INSTRUCTIONS = (
    "PETUNJUK MENGISI SALDO AWAL",
    "",
    "1. Isi lembar 'Saldo awal': satu baris untuk setiap akun yang punya saldo.",
    "2. Kolom A (Kode akun) harus sama dengan kode di bagan akun kopdes. Jangan diubah.",
    "3. Kolom B (Nama akun) hanya untuk membantu membaca; isinya tidak diperiksa.",
    "4. Tulis saldo di kolom C (Debit) ATAU kolom D (Kredit), jangan keduanya.",
    "   Aset (1-xxxx) dan beban (5-xxxx) biasanya di Debit; kewajiban (2-xxxx),",
    "   ekuitas (3-xxxx) dan pendapatan (4-xxxx) biasanya di Kredit.",
    "5. Jumlah boleh berupa angka biasa (1500000) atau tulisan Indonesia (1.500.000 atau",
    "   Rp 1.500.000,50). Tidak boleh negatif, tidak boleh memakai kata (juta, ribu).",
    "6. Baris yang Debit dan Kreditnya kosong dilewati.",
    "7. Jumlah semua Debit harus sama dengan jumlah semua Kredit.",
    "8. Simpan sebagai .xlsx lalu unggah di halaman Saldo awal. Jika ada kesalahan, semua",
    "   kesalahan ditampilkan dengan nomor barisnya dan tidak ada yang dicatat.",
    "9. Saldo simpanan anggota, pinjaman anggota dan persediaan diisi lewat modulnya",
    "   masing-masing (per anggota / per barang), tidak lewat lembar ini.",
    "10. Mengunggah berkas yang sama dua kali hanya dicatat satu kali.",
)


@dataclass
class OpeningResult:
    lines: list[LineDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    debit: int = 0
    credit: int = 0


class OpeningImportError(LedgerError):
    """The file has problems; ``errors`` lists every one of them (row numbers included)."""

    def __init__(self, errors: list[str]):
        super().__init__(errors[0], field="file")
        self.errors = errors


def importable_accounts(koperasi):
    return Account.objects.filter(koperasi=koperasi, is_active=True, subledger_kind="").order_by(
        "code"
    )


def template_workbook(koperasi):
    """The XLSX template: every importable account with empty debit and credit."""
    wb, ws = xlsx.new_workbook(SHEET)
    xlsx.write_header(ws, HEADERS)
    for account in importable_accounts(koperasi):
        xlsx.write_row(ws, [account.code, account.name, None, None])
    xlsx.set_widths(ws, [14, 48, 20, 20])
    help_sheet = wb.create_sheet("Petunjuk")
    for line in INSTRUCTIONS:
        xlsx.write_row(help_sheet, [line])
    help_sheet["A1"].font = xlsx.BOLD
    help_sheet.column_dimensions["A"].width = 100
    return wb


def _cell_amount(value) -> int:
    """A cell as sen: numbers from Excel or text in Indonesian notation."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise MoneyError("bukan angka")
    if isinstance(value, int | float | Decimal):
        try:
            # Through str: Excel's 1500000.1 must not become 1500000.0999...
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise MoneyError("bukan angka") from exc
        if not amount.is_finite():
            raise MoneyError("bukan angka")
        if amount < 0:
            raise MoneyError("Jumlah tidak boleh negatif.")
        sen = amount * 100
        if sen != sen.to_integral_value():
            raise MoneyError("Sen paling banyak dua angka di belakang koma.")
        if sen > MAX_SEN:
            raise MoneyError(f"Jumlah melebihi batas {format_rupiah(MAX_SEN)}.")
        return int(sen)
    if isinstance(value, str):
        return parse_rupiah(value)
    raise MoneyError("bukan angka")


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
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        del exc
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
        ws = wb[SHEET]
        accounts = {a.code: a for a in Account.objects.filter(koperasi=koperasi)}
        seen: dict[str, int] = {}
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if n == 1:
                continue
            if n > MAX_ROWS + 1:
                result.errors.append(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
                break
            cells = list(row[:4]) + [None] * (4 - len(row[:4]))
            code_cell, _name, debit_cell, credit_cell = cells
            code = str(code_cell).strip() if code_cell is not None else ""
            where = _("Row %(n)d") % {"n": n}
            amounts = []
            bad = False
            for label, value in ((_("debit"), debit_cell), (_("credit"), credit_cell)):
                try:
                    amounts.append(_cell_amount(value))
                except MoneyError as exc:
                    bad = True
                    amounts.append(0)
                    result.errors.append(
                        _("%(where)s: the %(column)s '%(value)s' is not a valid amount (%(why)s).")
                        % {
                            "where": where,
                            "column": label,
                            "value": str(value)[:40],
                            "why": exc.message,
                        }
                    )
            debit, credit = amounts
            if not code and not debit and not credit and not bad:
                continue
            if not code:
                result.errors.append(_("%(where)s: the account code is empty.") % {"where": where})
                continue
            account = accounts.get(code)
            if account is None:
                result.errors.append(
                    _("%(where)s: account %(code)s is not in the chart of accounts.")
                    % {"where": where, "code": code[:30]}
                )
                continue
            if not account.is_active:
                result.errors.append(
                    _("%(where)s: account %(code)s is closed.") % {"where": where, "code": code}
                )
                continue
            if account.subledger_kind:
                result.errors.append(
                    _(
                        "%(where)s: account %(code)s is kept per member or item; enter its "
                        "opening balance in its own module."
                    )
                    % {"where": where, "code": code}
                )
                continue
            if debit and credit:
                result.errors.append(
                    _("%(where)s: fill in either debit or credit, not both.") % {"where": where}
                )
                continue
            if bad or not (debit or credit):
                continue
            if code in seen:
                result.errors.append(
                    _("%(where)s: account %(code)s is already on row %(first)d.")
                    % {"where": where, "code": code, "first": seen[code]}
                )
                continue
            seen[code] = n
            side = Side.DEBIT if debit else Side.CREDIT
            result.lines.append(LineDraft(account=code, side=side, amount=debit or credit))
            result.debit += debit
            result.credit += credit
    finally:
        wb.close()
    if not result.errors:
        if len(result.lines) < 2:
            result.errors.append(_("Fill in at least two balances (a debit and a credit)."))
        elif result.debit != result.credit:
            result.errors.append(
                _("Debit total %(debit)s and credit total %(credit)s differ by %(diff)s.")
                % {
                    "debit": format_rupiah(result.debit),
                    "credit": format_rupiah(result.credit),
                    "diff": format_rupiah(abs(result.debit - result.credit)),
                }
            )
    return result


def file_key(data: bytes) -> str:
    return "opening:" + hashlib.sha256(data).hexdigest()


def import_opening(koperasi, *, actor, data: bytes, date: dt.date) -> JournalEntry:
    """Post the opening balances of a valid file as one entry; all or nothing.

    Dated before the koperasi's books start, the books start moves to the first day of
    that month (``services.move_books_start``); the date is checked like any other.

    Raises ``OpeningImportError`` with every problem found; ``PermissionDeniedError``
    without ``ledger.import_opening``. Posting the same file again returns the entry
    already posted (the key is the file's sha256).
    """
    if not has_perm(roles_for(actor, koperasi), "ledger.import_opening"):
        raise PermissionDeniedError(_("You are not allowed to do this in this koperasi."))
    key = file_key(data)
    done = JournalEntry.objects.filter(koperasi=koperasi, idempotency_key=key).first()
    if done is not None:
        return done
    result = read_opening(koperasi, data)
    if result.errors:
        raise OpeningImportError(result.errors)
    books_start = koperasi.books_start
    try:
        with transaction.atomic():
            # The books start with the opening balances: an earlier date moves the start.
            services.move_books_start(koperasi, actor=actor, date=date)
            return services.post(
                koperasi,
                actor=actor,
                date=date,
                memo=book_text(koperasi, gettext_lazy("Opening balances (saldo awal)")),
                lines=result.lines,
                idempotency_key=key,
                source="ledger.opening",
                kind=EntryKind.OPENING,
                audit_summary={"lines": len(result.lines), "total": result.debit},
            )
    except Exception:
        koperasi.books_start = books_start  # rolled back with the transaction
        raise
