"""Opening balances from the XLSX template: every error with its row, all or nothing,
one entry per file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kopdes.ledger import opening, reports, services
from kopdes.ledger.choices import EntryKind
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import testing

pytestmark = pytest.mark.django_db

DATE = "2025-12-31"


@pytest.fixture
def bendahara(client, koperasi):
    services.setup_koperasi_books(koperasi)
    user = testing.make_user("bendahara", koperasi)
    testing.login(client, user)
    client.user = user
    return client


def url(koperasi, name):
    return reverse(f"ledger:{name}", kwargs={"slug": koperasi.slug})


def filled(rows: list[tuple], *, sheet: str = opening.SHEET) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(opening.HEADERS))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = [
    ("1-1100", "Kas", 2_500_000, None),
    ("1-1200", "Bank", "Rp 10.000.000,50", ""),
    ("1-2100", "Aset tetap", "7.500.000", None),
    ("3-3000", "Hibah", None, "20.000.000,50"),
    (None, None, None, None),  # empty rows are skipped
]


def upload(client, koperasi, content: bytes, name="saldo.xlsx"):
    return client.post(
        url(koperasi, "opening-import"),
        {"date": DATE, "file": SimpleUploadedFile(name, content)},
    )


def test_template_lists_accounts_and_explains_in_indonesian(bendahara, koperasi):
    response = bendahara.get(url(koperasi, "opening-template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [opening.SHEET, "Petunjuk"]
    codes = [row[0] for row in wb[opening.SHEET].iter_rows(min_row=2, values_only=True)]
    assert "1-1100" in codes and "3-3000" in codes
    assert "2-1100" not in codes  # member savings come per member, through their module
    help_text = " ".join(str(r[0]) for r in wb["Petunjuk"].iter_rows(values_only=True) if r[0])
    assert "Debit" in help_text and "jangan keduanya" in help_text


def test_a_valid_file_posts_one_opening_entry(bendahara, koperasi):
    response = upload(bendahara, koperasi, filled(GOOD))
    assert response.status_code == 302, response.content.decode()[-2000:]
    entry = JournalEntry.objects.get(koperasi=koperasi)
    assert entry.kind == EntryKind.OPENING
    assert entry.date == dt.date(2025, 12, 31)
    assert entry.total_amount == 20_000_000_50
    assert JournalLine.objects.filter(entry=entry).count() == 4
    assert AuditEvent.objects.filter(koperasi=koperasi, action="ledger.entry.posted").exists()
    t = reports.statement_of_position(koperasi, 202512).totals
    assert t["total_assets"] == t["total_liabilities_and_equity"] == 20_000_000_50


def test_the_same_file_twice_posts_once(bendahara, koperasi):
    content = filled(GOOD)
    assert upload(bendahara, koperasi, content).status_code == 302
    assert upload(bendahara, koperasi, content).status_code == 302
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == 1


def test_every_error_is_listed_with_its_row_and_nothing_is_written(bendahara, koperasi):
    rows = [
        ("1-1100", "Kas", 1000, None),  # row 2: fine
        ("9-9999", "Tidak ada", 1000, None),  # row 3: unknown account
        ("1-1200", "Bank", 1000, 1000),  # row 4: both sides
        ("1-2100", "Aset", -5000, None),  # row 5: negative
        ("3-3000", "Hibah", None, "sepuluh ribu"),  # row 6: not a number
        ("3-2000", "Cadangan", "1,5 juta", None),  # row 7: words
        ("2-1100", "Simpanan sukarela", None, 1000),  # row 8: control account
        ("1-1400", "Piutang", 1.005, None),  # row 9: more than two decimals
    ]
    response = upload(bendahara, koperasi, filled(rows))
    assert response.status_code == 400
    errors = response.context["errors"]
    for row in (3, 4, 5, 6, 7, 8, 9):
        assert any(f"{row}" in e for e in errors), (row, errors)
    assert len(errors) >= 7
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


def test_an_unbalanced_file_is_refused_with_the_difference(bendahara, koperasi):
    rows = [("1-1100", "Kas", "1.000.000", None), ("3-3000", "Hibah", None, "900.000")]
    response = upload(bendahara, koperasi, filled(rows))
    assert response.status_code == 400
    assert "100.000" in " ".join(response.context["errors"])
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    "content,name",
    [
        (b"kode,debit\n1-1100,1000\n", "saldo.csv"),
        (b"PK\x03\x04 broken zip", "saldo.xlsx"),
        (b"%PDF-1.4", "saldo.xlsx"),
    ],
)
def test_wrong_or_malformed_files_get_a_clear_message(bendahara, koperasi, content, name):
    response = upload(bendahara, koperasi, content, name)
    assert response.status_code == 400
    assert response.context["errors"]
    assert not JournalEntry.objects.exists()


def test_a_workbook_without_the_sheet_is_refused(bendahara, koperasi):
    response = upload(bendahara, koperasi, filled(GOOD, sheet="Sheet1"))
    assert response.status_code == 400
    assert not JournalEntry.objects.exists()


def test_a_closed_month_refuses_the_opening_entry(bendahara, koperasi):
    services.post(
        koperasi,
        actor=bendahara.user,
        date=dt.date(2025, 12, 1),
        memo="x",
        lines=[
            {"account": "1-1100", "side": "D", "amount": 100},
            {"account": "3-3000", "side": "C", "amount": 100},
        ],
        idempotency_key="x",
    )
    proposal = services.propose_period_close(koperasi, actor=bendahara.user, year=2025, month=12)
    services.approve_period_change(proposal, actor=testing.make_user("ketua", koperasi))
    before = JournalEntry.objects.count()
    response = upload(bendahara, koperasi, filled(GOOD))
    assert response.status_code == 400
    assert JournalEntry.objects.count() == before


def test_only_the_bendahara_may_import(client, koperasi):
    services.setup_koperasi_books(koperasi)
    testing.login(client, testing.make_user("kasir", koperasi))
    assert upload(client, koperasi, filled(GOOD)).status_code == 403
    assert client.get(url(koperasi, "opening-template")).status_code == 403
    user = testing.make_user("kasir", koperasi)
    with pytest.raises(opening.PermissionDeniedError):
        opening.import_opening(koperasi, actor=user, data=filled(GOOD), date=dt.date(2025, 12, 31))
    assert not JournalEntry.objects.exists()
