"""Savings pages: the teller flow (confirm, post once), bad input, receipts, statements,
passbook, approvals, jasa, arrears and the opening-balance upload."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kopdes.ledger.models import JournalEntry
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.testing import login, make_user
from kopdes.savings import services
from kopdes.savings.models import SavingsAccount, SavingsTransaction, WithdrawalRequest
from kopdes.savings.testing import DAY, key, teller, voluntary_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def kasir(koperasi):
    return teller(koperasi)


@pytest.fixture
def account(koperasi, kasir):
    return voluntary_account(koperasi, balance=1_000_000_00, actor=kasir)


@pytest.fixture
def kasir_client(client, kasir):
    return login(client, kasir)


def url(name, koperasi, **kw):
    return reverse(f"savings:{name}", kwargs={"slug": koperasi.slug, **kw})


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


def test_deposit_shows_terbilang_before_posting_and_posts_once(kasir_client, koperasi, account):
    page = url("deposit", koperasi, member_id=account.member_id)
    form = kasir_client.get(page)
    assert form.status_code == 200
    k = _key(form.content.decode())
    data = {"account": str(account.pk), "amount": "1.250.000", "memo": "", "idempotency_key": k}
    review = kasir_client.post(page, {**data, "step": "review"})
    assert review.status_code == 200
    assert "satu juta dua ratus lima puluh ribu rupiah" in review.content.decode()
    assert SavingsTransaction.objects.filter(account=account).count() == 1  # nothing yet
    first = kasir_client.post(page, {**data, "step": "post"})
    again = kasir_client.post(page, {**data, "step": "post"})  # double click / back + resend
    assert first.status_code == 302 and first["Location"] == again["Location"]
    account.refresh_from_db()
    assert account.balance == 2_250_000_00
    receipt = kasir_client.get(first["Location"])
    body = receipt.content.decode()
    assert "https://wa.me/?text=" in body and "satu juta dua ratus lima puluh ribu" in body


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [
        ("abc", "tidak bisa dibaca"),
        ("１０００", "hanya boleh memakai angka"),
        ("0", "lebih dari nol"),
        ("-5000", "negatif"),
        ("1.000.000.000.000.001", "melebihi batas"),
        ("1,5 juta", "kata"),
    ],
)
def test_bad_amounts_get_an_indonesian_message_and_write_nothing(
    kasir_client, koperasi, account, amount, fragment
):
    before = JournalEntry.objects.count()
    response = kasir_client.post(
        url("deposit", koperasi, member_id=account.member_id),
        {"account": str(account.pk), "amount": amount, "idempotency_key": "x1", "step": "post"},
    )
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert JournalEntry.objects.count() == before


def test_withdrawal_above_the_balance_is_refused(kasir_client, koperasi, account):
    before = JournalEntry.objects.count()
    response = kasir_client.post(
        url("withdraw", koperasi, member_id=account.member_id),
        {"account": str(account.pk), "amount": "1.000.001", "idempotency_key": "w1",
         "step": "post"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "tidak cukup" in response.content.decode()
    assert JournalEntry.objects.count() == before


def test_a_foreign_account_in_the_post_body_is_refused(
    kasir_client, koperasi, other_koperasi, account
):
    foreign = voluntary_account(other_koperasi, balance=10_000_00)
    before = JournalEntry.objects.count()
    response = kasir_client.post(
        url("deposit", koperasi, member_id=account.member_id),
        {"account": str(foreign.pk), "amount": "5.000", "idempotency_key": "f1", "step": "post"},
    )
    assert response.status_code == 400
    assert JournalEntry.objects.count() == before
    # ... and a foreign member or account in the URL is a 404.
    assert (
        kasir_client.get(url("deposit", koperasi, member_id=foreign.member_id)).status_code == 404
    )
    assert (
        kasir_client.get(url("account", koperasi, savings_account_id=foreign.pk)).status_code == 404
    )


def test_the_counter_never_serves_another_koperasis_member(
    kasir_client, koperasi, other_koperasi, kasir, account
):
    foreign = voluntary_account(other_koperasi, balance=10_000_00)
    before = JournalEntry.objects.count()
    # The officer's slug with the foreign member: a 404, nothing posted.
    for op in ("deposit", "withdraw"):
        page = url(op, koperasi, member_id=foreign.member_id)
        assert kasir_client.get(page).status_code == 404
        response = kasir_client.post(
            page,
            {"account": str(foreign.pk), "amount": "5.000", "idempotency_key": op,
             "step": "post"},
        )  # fmt: skip
        assert response.status_code == 404
    # The other koperasi's slug: the tenant check refuses.
    other = url("deposit", other_koperasi, member_id=foreign.member_id)
    assert kasir_client.get(other).status_code == 404
    assert JournalEntry.objects.count() == before


def test_a_loan_officer_cannot_open_the_counter(client, koperasi, account):
    login(client, make_user("petugas_pinjaman", koperasi))
    assert client.get(url("deposit", koperasi, member_id=account.member_id)).status_code == 403


def test_large_withdrawal_page_flow_needs_another_officer(client, koperasi, kasir, account):
    services.deposit(account, actor=kasir, amount=9_000_000_00, date=DAY, idempotency_key=key())
    login(client, kasir)
    response = client.post(
        url("withdraw", koperasi, member_id=account.member_id),
        {"account": str(account.pk), "amount": "6.000.000", "idempotency_key": "big",
         "step": "post"},
    )  # fmt: skip
    assert response.status_code == 302
    request = WithdrawalRequest.objects.get()
    listing = url("approval-list", koperasi)
    assert response["Location"] == listing
    # The maker's page has no decide buttons for her own request.
    assert 'data-testid="decide"' not in client.get(listing).content.decode()
    client.logout()
    ketua = make_user("ketua", koperasi)
    login(client, ketua)
    # The page's approve button: the inbox's one view pair, coming back here (``next``).
    page = client.get(listing + "?dari=kasir").content.decode()
    action, fields = decide_form(page, "approve")
    assert action == reverse(
        "approvals:approve",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "savings-withdrawal",
            "approval_item_id": request.pk,
        },
    )
    assert fields["next"] == listing + "?dari=kasir"
    done = client.post(action, fields, follow=True)
    assert done.redirect_chain == [(listing + "?dari=kasir", 302)]
    body = done.content.decode()
    assert "Disetujui: Penarikan besar." in body
    assert 'data-testid="request"' not in body  # nothing waits any more
    account.refresh_from_db()
    assert account.balance == 4_000_000_00
    request.refresh_from_db()
    assert request.state == ProposalState.APPROVED and request.decided_by == ketua
    assert request.transaction.amount == -6_000_000_00


def test_large_withdrawal_rejected_from_the_page_keeps_the_checkers_reason(
    client, koperasi, kasir, account
):
    services.deposit(account, actor=kasir, amount=9_000_000_00, date=DAY, idempotency_key=key())
    request = services.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key=key()
    )
    assert isinstance(request, WithdrawalRequest)
    listing = url("approval-list", koperasi)
    login(client, make_user("bendahara", koperasi))
    action, fields = decide_form(client.get(listing).content.decode(), "reject")
    done = client.post(action, {**fields, "reason": "Tanggal salah"}, follow=True)
    assert done.redirect_chain == [(listing, 302)]
    assert "Ditolak: Penarikan besar." in done.content.decode()
    request.refresh_from_db()
    assert (request.state, request.decision_note, request.reason) == (
        ProposalState.REJECTED,
        "Tanggal salah",
        "",
    )
    assert not SavingsTransaction.objects.filter(account=account, kind="withdrawal").exists()


def decide_form(page: str, decision: str) -> tuple[str, dict]:
    """The action and hidden fields of the page's ``approvals/_decide.html`` form."""
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    found = [
        (action, body)
        for action, body in forms
        if f'data-testid="{decision}"' in body and "/persetujuan/" in action
    ]
    assert len(found) == 1, found
    action, body = found[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    fields.pop("csrfmiddlewaretoken", None)
    return action.replace("&amp;", "&"), {k: v.replace("&amp;", "&") for k, v in fields.items()}


def test_statement_page_pdf_and_xlsx_read_back(kasir_client, koperasi, kasir, account):
    services.withdraw(
        account, actor=kasir, amount=200_000_00, date=dt.date(2026, 3, 10), idempotency_key="a"
    )
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    page = kasir_client.get(url("account", koperasi, savings_account_id=account.pk), query)
    assert page.status_code == 200 and "Rp 800.000" in page.content.decode()
    pdf = kasir_client.get(
        url("account", koperasi, savings_account_id=account.pk), {**query, "format": "pdf"}
    )
    assert pdf.content.startswith(b"%PDF")
    xlsx = kasir_client.get(
        url("member-statement", koperasi, member_id=account.member_id), {**query, "format": "xlsx"}
    )
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    last = rows[-1]
    # In: pokok 50 000 + deposit 1 000 000; out 200 000; closing 850 000.
    assert [float(v) for v in last[3:6]] == [1_050_000.0, 200_000.0, 850_000.0]


def test_passbook_continues_where_the_last_print_stopped(kasir_client, koperasi, kasir, account):
    for _ in range(3):
        services.deposit(account, actor=kasir, amount=1_000_00, date=DAY, idempotency_key=key())
    page = url("passbook", koperasi, savings_account_id=account.pk)
    first = kasir_client.get(page).content.decode()
    assert first.count("<tr><td>") == 4
    kasir_client.post(page, {"upto_seq": "4"})
    services.deposit(account, actor=kasir, amount=2_000_00, date=DAY, idempotency_key=key())
    account.refresh_from_db()
    assert account.printed_seq == 4
    second = kasir_client.get(page).content.decode()
    assert second.count("<tr><td>") == 1 and "Rp 2.000" in second


def test_jasa_page_runs_once_for_the_bendahara(client, koperasi, account):
    bendahara = make_user("bendahara", koperasi)
    login(client, bendahara)
    page = url("jasa", koperasi)
    client.post(page, {"year": "2026", "month": "4"})
    client.post(page, {"year": "2026", "month": "4"})
    assert SavingsTransaction.objects.filter(account=account, kind="jasa").count() == 1
    shown = client.get(page, {"year": "2026", "month": "4"}).content.decode()
    assert "Rp 2.500" in shown


def test_arrears_lists_members_behind_on_wajib(kasir_client, koperasi, account):
    response = kasir_client.get(url("arrears", koperasi), {"year": "2026", "month": "5"})
    body = response.content.decode()
    # Joined in March: March, April, May due at Rp 10.000 = Rp 30.000 owed.
    assert response.status_code == 200 and "Rp 30.000" in body


def _workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Saldo awal simpanan"
    ws.append(["Nomor anggota", "Jenis simpanan", "Jumlah (Rp)"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_opening_upload_lists_every_error_and_writes_nothing_then_posts_once(
    client, koperasi, account
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, make_user("bendahara", koperasi))
    page = url("opening-import", koperasi)
    template = client.get(url("opening-template", koperasi))
    assert load_workbook(io.BytesIO(template.content)).sheetnames[0] == "Saldo awal simpanan"
    other = voluntary_account(koperasi)
    number = other.member.number
    before = JournalEntry.objects.count()
    bad = _workbook([[number, "sukarela", "abc"], ["9999", "wajib", 5000], [number, "emas", 1]])
    response = client.post(page, {"file": SimpleUploadedFile("s.xlsx", bad), "date": "2026-01-01"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Baris 2" in body and "Baris 3" in body and "Baris 4" in body
    assert JournalEntry.objects.count() == before
    good = _workbook([[number, "wajib", 120000], [number, "sukarela", "1.500.000"]])
    for _ in range(2):
        client.post(page, {"file": SimpleUploadedFile("s.xlsx", good), "date": "2026-01-01"})
    wajib = SavingsAccount.objects.get(member=other.member, kind="wajib")
    other.refresh_from_db()
    assert wajib.balance == 120_000_00 and other.balance == 1_500_000_00
    assert JournalEntry.objects.count() == before + 1


def test_the_counter_finds_a_member_by_number_or_scanned_card(kasir_client, koperasi, account):
    from kopdes.members.services import member_card_payload

    member = account.member
    target = url("member", koperasi, member_id=member.pk)
    by_number = kasir_client.get(url("home", koperasi), {"q": member.number})
    assert by_number.status_code == 302 and by_number["Location"] == target
    by_card = kasir_client.get(url("home", koperasi), {"q": member_card_payload(member)})
    assert by_card.status_code == 302 and by_card["Location"] == target
    missing = kasir_client.get(url("home", koperasi), {"q": "99999"})
    assert "Tidak ada anggota" in missing.content.decode()
