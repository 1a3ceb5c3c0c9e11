"""Audit log and dashboard activity in plain words: Indonesian event names from one
mapping, amounts in rupiah (the summary keeps sen), objects by their own name and number,
never a UUID or a raw code."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services as ledger
from kopdes.ledger.models import JournalEntry
from kopdes.platform.audit.activity import ACTION_LABELS, describe_action, summary_details
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import record
from kopdes.platform.core import testing

SRC = Path(__file__).resolve().parents[3]
CODE = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _recorded_actions() -> list[str]:
    """Every action code passed to audit ``record``/``record_request`` in the source, as
    a regular expression (an f-string's placeholders match any word)."""
    found = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = list(node.args)
            if name == "record_request" and len(args) > 1:
                args = args[1:]
            elif name != "record" or not args:
                continue
            first = args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if CODE.match(first.value):
                    found.append(re.escape(first.value))
            elif isinstance(first, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+"
                    for v in first.values
                ]
                found.append("".join(parts))
    # Actions passed on as a keyword (``action=``) by a helper.
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for m in re.finditer(
            r'action=f?"([a-z_{}]+\.[a-z_{}.]+)"', path.read_text(encoding="utf-8")
        ):
            found.append(re.sub(r"\\\{[^}]*\\\}", "[a-z_]+", re.escape(m.group(1))))
    return sorted(set(found))


def test_every_recorded_action_has_an_indonesian_name():
    actions = _recorded_actions()
    assert len(actions) > 80
    unnamed = [a for a in actions if not any(re.fullmatch(a, code) for code in ACTION_LABELS)]
    assert unnamed == [], f"name these in platform/audit/activity.py ACTION_LABELS: {unnamed}"
    assert describe_action("ledger.entry.posted") == "Jurnal dicatat"
    assert describe_action("savings.withdrawal.requested") == "Penarikan besar menunggu persetujuan"


def test_summary_details_say_rupiah_journal_numbers_and_dates():
    details = dict(
        summary_details(
            {
                "amount": 5_000_000,
                "entry": 42,
                "date": "2026-02-10",
                "period": 202602,
                "rate": "1.5000",
                "proposed_by": "01a2515b-18b9-7baa-b4f0-aac0a1bc656c",
                "accelerated": True,
                "per_kind": {"wajib": 1},
            }
        )
    )
    assert details == {
        "Jumlah": "Rp 50.000",
        "Jurnal": "Jurnal #42",
        "Tanggal": "10-02-2026",
        "Bulan": "02/2026",
        "Suku bunga": "1,5%",
    }
    assert summary_details("not a dict") == []


@pytest.fixture
def entry(koperasi):
    bendahara = testing.make_user("bendahara", koperasi)
    ledger.setup_koperasi_books(koperasi)
    today = koperasi.today() if hasattr(koperasi, "today") else dt.date.today()
    return ledger.post(
        koperasi,
        actor=bendahara,
        date=today,
        memo="Bayar listrik",
        lines=[LineDraft.debit("5-2100", 1_500_00), LineDraft.credit("1-1100", 1_500_00)],
        idempotency_key="listrik",
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_audit_log_names_the_event_the_journal_and_the_amount_in_rupiah(client, koperasi, entry):
    testing.login(client, testing.make_user("ketua", koperasi))
    page = _text(client.get(reverse("audit:event-list", kwargs={"slug": koperasi.slug})))
    assert "Jurnal dicatat" in page
    assert f"Objek: Jurnal #{entry.number}" in page
    assert "Total: Rp 1.500" in page
    assert "ledger.entry.posted" not in page
    assert "150000" not in page and "150.000" not in page
    assert not UUID.search(page)
    assert "Bendahara" in page  # the role by its name, not "bendahara"


def test_audit_event_page_shows_names_first_and_the_stored_record_for_auditors(
    client, koperasi, entry
):
    event = AuditEvent.objects.get(koperasi=koperasi, action="ledger.entry.posted")
    testing.login(client, testing.make_user("pengawas", koperasi))
    url = reverse("audit:event-detail", kwargs={"slug": koperasi.slug, "event_id": event.pk})
    html = client.get(url).content.decode()
    assert "<h1>Jurnal dicatat</h1>" in html
    assert f"<dd>Jurnal #{entry.number}</dd>" in html
    assert "<dt>Total</dt><dd>Rp 1.500</dd>" in html
    # The stored record stays readable for an auditor, folded away and said to be in sen.
    assert "Catatan tersimpan selengkapnya" in html and "jumlah uang dalam sen" in html


def test_members_and_savings_accounts_are_named_by_number_and_name(client, koperasi):
    from kopdes.savings.testing import active_member

    member = active_member(koperasi)
    testing.login(client, testing.make_user("ketua", koperasi))
    page = _text(client.get(reverse("audit:event-list", kwargs={"slug": koperasi.slug})))
    assert f"Anggota {member.number} {member.full_name}" in page
    assert "Simpanan pokok dibayar" in page or "Setoran dicatat" in page
    assert "Rp 50.000" in page  # simpanan pokok, in rupiah
    assert "5000000" not in page
    assert not UUID.search(page)


def test_dashboard_activity_says_the_same_words(client, koperasi, entry):
    testing.login(client, testing.make_user("ketua", koperasi))
    response = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))
    activity = _text(response).split("Aktivitas terbaru", 1)[-1]
    assert f"Jurnal dicatat · Jurnal #{entry.number}" in activity
    assert "Total: Rp 1.500" in activity
    assert "ledger.entry.posted" not in activity and not UUID.search(activity)
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == 1


def test_an_unknown_object_or_action_never_shows_a_uuid(client, koperasi):
    record(
        "test.thing.done",
        koperasi=koperasi,
        object_type="ledger.journalentry",
        object_id="01a2515b-18b9-7baa-b4f0-aac0a1bc656c",  # no such entry
        summary={"amount": 12_345},
    )
    testing.login(client, testing.make_user("ketua", koperasi))
    page = _text(client.get(reverse("audit:event-list", kwargs={"slug": koperasi.slug})))
    assert "Aktivitas lain (test.thing.done)" in page
    assert "Jumlah: Rp 123,45" in page
    assert not UUID.search(page)
