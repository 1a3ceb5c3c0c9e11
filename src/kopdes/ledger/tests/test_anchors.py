"""The journal's head anchored outside the database (issue 13 part 3).

With the triggers off, deleting the newest journal entry and adjusting the balance rows
leaves books that every ledger check accepts; ``kopdes verify`` with the anchor written at
the month close names the koperasi and the missing number. The neraca PDF prints the heads.
Runs on SQLite and, with DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from pypdf import PdfReader

from kopdes.ledger import services
from kopdes.ledger.errors import PermissionDeniedError
from kopdes.ledger.models import AccountBalance, JournalEntry, JournalLine
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.tests.dbtools import guards_off
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import anchors
from kopdes.platform.core.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(koperasi):
    return with_books(koperasi)


def _verify(*args: str) -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


def _delete_newest_entry(koperasi) -> JournalEntry:
    """What an attacker with table access does: drop the newest entry and its lines, and
    take their amounts out of the monthly balance rows so the ledger checks still agree."""
    entry = JournalEntry.objects.filter(koperasi=koperasi).order_by("-number").first()
    lines = list(JournalLine.objects.filter(entry=entry))
    assert lines and not any(line.subledger_kind for line in lines)
    with guards_off():
        for line in lines:
            total = "debit_total" if line.side == "D" else "credit_total"
            AccountBalance.objects.filter(
                koperasi=koperasi,
                account_id=line.account_id,
                business_unit=line.business_unit,
                period=line.period,
            ).update(**{total: F(total) - line.amount})
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [_db_id(entry.id)])
            cursor.execute("DELETE FROM ledger_journalentry WHERE id = %s", [_db_id(entry.id)])
    return entry


def _db_id(value):
    return value if connection.features.has_native_uuid_field else value.hex


def _close(koperasi, year: int, month: int, django_capture_on_commit_callbacks):
    bendahara = make_user("bendahara", koperasi)
    ketua = make_user("ketua", koperasi)
    proposal = services.propose_period_close(koperasi, actor=bendahara, year=year, month=month)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_period_change(proposal, actor=ketua)


def _lines():
    return [json.loads(x) for x in anchors.anchor_path().read_text().splitlines()]


def test_month_close_anchors_the_heads_after_commit(books, django_capture_on_commit_callbacks):
    post_simple(books, date=dt.date(2026, 1, 10))
    newest = post_simple(books, date=dt.date(2026, 1, 20))
    assert not anchors.anchor_path().exists()
    _close(books, 2026, 1, django_capture_on_commit_callbacks)
    (line,) = _lines()
    assert line["slug"] == "sukamaju" and line["reason"] == "tutup buku 2026-01"
    assert line["heads"]["jurnal"] == {"seq": newest.number, "hash": newest.hash}
    closed = AuditEvent.objects.get(koperasi=books, action="ledger.period.closed")
    assert line["heads"]["audit"] == {"seq": closed.seq, "hash": closed.hash}
    assert anchors.anchor_path().stat().st_mode & 0o777 == 0o600


def test_a_refused_close_writes_no_anchor(books, django_capture_on_commit_callbacks):
    post_simple(books, date=dt.date(2026, 1, 10))
    bendahara = make_user("bendahara", books)
    proposal = services.propose_period_close(books, actor=bendahara, year=2026, month=1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDeniedError):
        services.approve_period_change(proposal, actor=bendahara)  # the proposer: refused
    assert not anchors.anchor_path().exists()


def test_deleted_newest_entry_is_caught_only_by_the_anchor(
    books, django_capture_on_commit_callbacks
):
    post_simple(books, date=dt.date(2026, 1, 10))
    newest = post_simple(books, date=dt.date(2026, 1, 20))
    _close(books, 2026, 1, django_capture_on_commit_callbacks)
    day = anchors.local_day(dt.datetime.fromisoformat(_lines()[0]["at"]))

    _delete_newest_entry(books)
    assert JournalEntry.objects.filter(koperasi=books).count() == newest.number - 1
    for result in verify_books(books):  # the books alone look whole
        assert result.ok, (result.name, result.problems)
    passed, text = _verify("--no-anchors")
    assert passed, text
    passed, text = _verify()  # the local anchor file, written at the month close
    assert not passed
    assert (
        f"sukamaju: jurnal berakhir di #{newest.number - 1}, anchor {day} mencatat "
        f"#{newest.number} (hash {newest.hash[:12]}…): baris terbaru hilang"
    ) in text
    assert "verifikasi GAGAL: anchor kepala rantai: sukamaju: jurnal berakhir di" in text


def test_newest_entry_replaced_by_another_is_a_hash_mismatch(books):
    post_simple(books, date=dt.date(2026, 1, 10))
    newest = post_simple(books, 50_000_00, date=dt.date(2026, 1, 20))
    call_command("anchor", stdout=StringIO())
    _delete_newest_entry(books)
    again = post_simple(books, 40_000_00, date=dt.date(2026, 1, 20))  # same number, new hash
    assert again.number == newest.number
    passed, text = _verify("--koperasi", "sukamaju", "--anchors", str(anchors.anchor_path()))
    assert not passed
    assert f"sukamaju: jurnal #{newest.number} sekarang hash {again.hash[:12]}…" in text
    assert f"mencatat hash {newest.hash[:12]}…" in text and "riwayat ditulis ulang" in text


def test_neraca_pdf_prints_the_chain_heads(client, books):
    post_simple(books, date=dt.date(2026, 1, 10))
    newest = post_simple(books, date=dt.date(2026, 1, 20))
    officer = login(client, make_user("ketua", books))
    response = officer.get(
        reverse("ledger:statement-position", kwargs={"slug": books.slug}),
        {"periode": "2026-01", "format": "pdf"},
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    audit = AuditEvent.objects.filter(koperasi=books).order_by("-seq").first()
    assert "Kepala rantai saat dicetak" in text
    assert f"jurnal #{newest.number} (hash {newest.hash})" in text
    assert f"rantai audit #{audit.seq} (hash {audit.hash})" in text


def test_an_unwritable_anchor_file_does_not_undo_the_close(
    books, django_capture_on_commit_callbacks, monkeypatch, tmp_path, caplog
):
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    monkeypatch.setenv("KOPDES_ANCHOR_FILE", str(blocker / "anchors.jsonl"))
    post_simple(books, date=dt.date(2026, 1, 10))
    _close(books, 2026, 1, django_capture_on_commit_callbacks)  # committed: the month is closed
    assert AuditEvent.objects.filter(koperasi=books, action="ledger.period.closed").exists()
    assert any("Berkas anchor" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
