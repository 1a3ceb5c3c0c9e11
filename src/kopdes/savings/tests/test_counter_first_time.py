"""What a first-time officer or member met at the savings counter (issue 13, part 7): a
withdrawal above the balance refused on the review screen (page and API), a candidate's
deposit form that says simpanan pokok comes first, memos in the koperasi's language
whatever the officer's, and receipts naming the teller and the approver apart."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kopdes.ledger.models import JournalEntry
from kopdes.members import services as members
from kopdes.members.choices import MemberStatus
from kopdes.members.testing import make_member
from kopdes.platform.core.booktext import book_text, books_language
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.identity.services import create_api_token
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


def url(name, koperasi, **kw):
    return reverse(f"savings:{name}", kwargs={"slug": koperasi.slug, **kw})


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


def _counts():
    return (
        JournalEntry.objects.count(),
        SavingsTransaction.objects.count(),
        WithdrawalRequest.objects.count(),
    )


# --- the review step checks what the withdrawal would refuse -------------------------------


def test_withdrawal_above_the_balance_is_refused_on_the_review_screen(
    client, koperasi, kasir, account
):
    login(client, kasir)
    page = url("withdraw", koperasi, member_id=account.member_id)
    k = _key(client.get(page).content.decode())
    before = _counts()
    review = client.post(
        page,
        {"account": str(account.pk), "amount": "1.000.001", "idempotency_key": k,
         "step": "review"},
    )  # fmt: skip
    body = review.content.decode()
    assert review.status_code == 400
    assert "Saldo" in body and "tidak cukup" in body and "1.000.000. Tidak ada" in body
    assert 'data-testid="post"' not in body  # no "Ya, catat" to press
    assert 'data-testid="teller-form"' in body  # back on the form, the amount kept
    assert 'value="1.000.001"' in body
    assert _counts() == before


def test_a_large_withdrawal_above_the_balance_is_refused_on_the_review_screen(
    client, koperasi, kasir, account
):
    """Above the approval threshold it used to become a request only after "Ya, catat"."""
    limit = koperasi.adart.withdrawal_approval_threshold
    assert 1_000_000_00 < limit < 6_000_000_00
    login(client, kasir)
    page = url("withdraw", koperasi, member_id=account.member_id)
    before = _counts()
    review = client.post(
        page,
        {"account": str(account.pk), "amount": "6.000.000", "idempotency_key": "big-1",
         "step": "review"},
    )  # fmt: skip
    assert review.status_code == 400
    assert "tidak cukup" in review.content.decode()
    assert _counts() == before


def test_a_second_large_withdrawal_is_refused_on_the_review_screen(client, koperasi, kasir):
    rich = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    services.withdraw(rich, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key=key())
    login(client, kasir)
    before = _counts()
    review = client.post(
        url("withdraw", koperasi, member_id=rich.member_id),
        {"account": str(rich.pk), "amount": "7.000.000", "idempotency_key": "big-2",
         "step": "review"},
    )  # fmt: skip
    assert review.status_code == 400
    assert "yang menunggu persetujuan" in review.content.decode()
    assert _counts() == before


def test_a_withdrawal_within_the_balance_reaches_the_review_and_then_posts(
    client, koperasi, kasir, account
):
    login(client, kasir)
    page = url("withdraw", koperasi, member_id=account.member_id)
    data = {"account": str(account.pk), "amount": "1.000.000", "idempotency_key": "ok-1"}
    review = client.post(page, {**data, "step": "review"})
    assert review.status_code == 200
    assert "satu juta rupiah" in review.content.decode()
    assert 'data-testid="post"' in review.content.decode()
    posted = client.post(page, {**data, "step": "post"})
    assert posted.status_code == 302
    account.refresh_from_db()
    assert account.balance == 0


def test_the_review_says_a_large_withdrawal_waits_for_approval(client, koperasi, kasir):
    rich = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    login(client, kasir)
    review = client.post(
        url("withdraw", koperasi, member_id=rich.member_id),
        {"account": str(rich.pk), "amount": "6.000.000", "idempotency_key": "big-3",
         "step": "review"},
    )  # fmt: skip
    assert review.status_code == 200
    assert "persetujuan" in review.content.decode()


def test_check_withdrawal_is_the_services_own_refusal_and_writes_nothing(koperasi, kasir, account):
    before = _counts()
    with pytest.raises(services.SavingsError) as refused:
        services.check_withdrawal(account, actor=kasir, amount=1_000_000_01, date=DAY)
    with pytest.raises(services.SavingsError) as posted:
        services.withdraw(
            account, actor=kasir, amount=1_000_000_01, date=DAY, idempotency_key=key()
        )
    assert refused.value.message == posted.value.message
    assert _counts() == before
    ok = services.check_withdrawal(account, actor=kasir, amount=1_000_000_00, date=DAY)
    assert (ok.balance, ok.needs_approval) == (1_000_000_00, False)
    assert _counts() == before
    # A member who is no longer active, and an officer who may not work the counter.
    with pytest.raises(Exception) as denied:
        services.check_withdrawal(
            account, actor=make_user("pengawas", koperasi), amount=100, date=DAY
        )
    assert getattr(denied.value, "status", None) == 403


def test_a_transfer_above_the_balance_is_refused_on_the_review_screen(
    client, koperasi, kasir, account
):
    wajib = services.open_account(account.member, actor=kasir, kind="wajib", date=DAY)
    login(client, kasir)
    page = url("transfer", koperasi, member_id=account.member_id)
    data = {"source": str(account.pk), "target": str(wajib.pk), "idempotency_key": "t-1"}
    before = _counts()
    review = client.post(page, {**data, "amount": "1.000.001", "step": "review"})
    body = review.content.decode()
    assert review.status_code == 400
    assert "tidak cukup" in body and 'value="post"' not in body  # no "Ya, catat"
    assert _counts() == before
    fine = client.post(page, {**data, "amount": "1.000.000", "step": "review"})
    assert fine.status_code == 200 and "satu juta rupiah" in fine.content.decode()
    assert 'value="post"' in fine.content.decode()
    assert _counts() == before


def _auth(user):
    _, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _check(client, koperasi, account, headers, body):
    return client.post(
        f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}/withdrawals/check",
        body,
        content_type="application/json",
        **headers,
    )


def test_api_check_refuses_a_withdrawal_above_the_balance_and_writes_nothing(
    client, koperasi, kasir, account
):
    before = _counts()
    response = _check(client, koperasi, account, _auth(kasir), {"amount": 1_000_000_01})
    assert response.status_code == 400
    assert "tidak cukup" in response.json()["message"]
    assert _counts() == before


def test_api_check_answers_the_words_and_the_approval(client, koperasi, kasir, account):
    h = _auth(kasir)
    ok = _check(client, koperasi, account, h, {"amount": 250_000_00})
    assert ok.status_code == 200
    assert ok.json() == {
        "amount": 250_000_00,
        "words": "dua ratus lima puluh ribu rupiah",
        "balance": 1_000_000_00,
        "needs_approval": False,
    }
    rich = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    big = _check(client, koperasi, rich, h, {"amount": 6_000_000_00})
    assert big.status_code == 200 and big.json()["needs_approval"] is True
    zero = _check(client, koperasi, account, h, {"amount": 0})
    assert zero.status_code in (400, 422) and zero.json()["message"]
    assert WithdrawalRequest.objects.count() == 0


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "2020-01-01"])
def test_api_check_refuses_the_dates_the_withdrawal_refuses(client, koperasi, kasir, account, date):
    before = _counts()
    body = {"amount": 100_00, "date": date}
    check = _check(client, koperasi, account, _auth(kasir), body)
    assert check.status_code == 400 and check.json()["field"] == "date"
    with pytest.raises(services.SavingsError) as refused:
        services.withdraw(
            account,
            actor=kasir,
            amount=100_00,
            date=dt.date.fromisoformat(date),
            idempotency_key=key(),
        )
    assert refused.value.field == "date"  # the same rule refuses the posting
    assert "Tanggal" in check.json()["message"]
    assert _counts() == before


def test_api_check_of_another_koperasis_account_is_404(client, koperasi, other_koperasi, kasir):
    foreign = voluntary_account(other_koperasi, balance=10_000_00)
    response = _check(client, koperasi, foreign, _auth(kasir), {"amount": 100})
    assert response.status_code == 404


# --- a candidate's deposit form: simpanan pokok first --------------------------------------


def test_a_candidates_deposit_form_says_pokok_comes_first_and_offers_it(client, koperasi, kasir):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    calon = make_member(koperasi)
    assert calon.status == MemberStatus.CANDIDATE
    login(client, kasir)
    page = client.get(url("deposit", koperasi, member_id=calon.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Simpanan pokok dibayar lebih dulu" in body
    assert "50.000" in body  # the AD/ART amount
    pay = url("principal", koperasi, member_id=calon.pk)
    assert f'href="{pay}"' in body
    assert 'data-testid="teller-form"' not in body  # no empty "Akun" select
    # The offer works: paying pokok activates her, and the deposit form has accounts.
    k = _key(client.get(pay).content.decode())
    assert client.post(pay, {"idempotency_key": k}).status_code == 302
    calon.refresh_from_db()
    assert calon.status == MemberStatus.ACTIVE
    services.open_account(calon, actor=kasir, kind="sukarela", date=DAY)
    after = client.get(url("deposit", koperasi, member_id=calon.pk)).content.decode()
    assert "Simpanan pokok dibayar lebih dulu" not in after
    assert 'data-testid="teller-form"' in after


def test_a_candidates_deposit_post_writes_nothing(client, koperasi, kasir):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    calon = make_member(koperasi)
    login(client, kasir)
    before = _counts()
    response = client.post(
        url("deposit", koperasi, member_id=calon.pk),
        {"account": "", "amount": "10.000", "idempotency_key": "c1", "step": "post"},
    )
    assert response.status_code == 400
    assert "Simpanan pokok dibayar lebih dulu" in response.content.decode()
    assert _counts() == before


def test_an_active_member_without_sukarela_is_told_on_the_withdrawal_form(client, koperasi, kasir):
    from kopdes.savings.testing import active_member

    member = active_member(koperasi, actor=kasir)
    login(client, kasir)
    body = client.get(url("withdraw", koperasi, member_id=member.pk)).content.decode()
    assert 'data-testid="no-account"' in body
    assert "Simpanan pokok dibayar lebih dulu" not in body


# --- memos in the koperasi's language --------------------------------------------------------


def test_book_text_is_in_the_koperasis_language_whatever_is_active(koperasi):
    with translation.override("en"):
        text = book_text(koperasi, services.MEMOS["withdrawal"], number="0001-S")
        assert translation.get_language() == "en"
    assert books_language(koperasi) == "id"
    assert text == "Penarikan 0001-S"


def test_an_english_officers_withdrawal_reaches_the_portal_in_indonesian(
    client, koperasi, kasir, account
):
    officer = login(client, kasir)
    officer.cookies["kopdes_lang"] = "en"
    page = url("withdraw", koperasi, member_id=account.member_id)
    form = officer.get(page).content.decode()
    assert "Withdrawal (penarikan)" in form  # the officer's pages are in English
    data = {"account": str(account.pk), "amount": "25.000", "idempotency_key": _key(form)}
    assert officer.post(page, {**data, "step": "post"}).status_code == 302
    txn = SavingsTransaction.objects.filter(account=account, kind="withdrawal").get()
    assert txn.memo == f"Penarikan {account.number}"
    assert txn.entry.memo == f"Penarikan {account.number}"
    # The member's own portal shows the Indonesian memo.
    member = account.member
    code = members.issue_portal_code(member, actor=kasir, at=timezone.now())
    user = members.activate_portal(
        koperasi, number=member.number, code=code, password="Rahasia-Anggota-77",
        at=timezone.now(),
    )  # fmt: skip
    client.logout()
    client.cookies.pop("kopdes_lang", None)
    client.force_login(user)
    portal = client.get(reverse("portal:home", kwargs={"slug": koperasi.slug})).content.decode()
    assert f"Penarikan {account.number}" in portal
    assert f"withdrawal {account.number}" not in portal.lower().replace("penarikan", "")


def test_service_memos_stay_indonesian_under_english(koperasi, kasir, account):
    other = services.open_account(account.member, actor=kasir, kind="wajib", date=DAY)
    with translation.override("en"):
        services.deposit(account, actor=kasir, amount=100_00, date=DAY, idempotency_key=key())
        out, into = services.transfer(
            account, other, actor=kasir, amount=50_00, date=DAY, idempotency_key=key()
        )
    deposit = SavingsTransaction.objects.filter(account=account, kind="deposit").last()
    assert deposit.memo == f"Setoran {account.number}"
    assert out.memo == f"Ke {other.number}" and into.memo == f"Dari {account.number}"
    assert out.entry.memo == f"Pemindahbukuan {account.number} ke {other.number}"


# --- receipts name the teller and the approver apart ---------------------------------------


def test_a_receipt_names_the_teller_who_received_a_deposit(client, koperasi, kasir, account):
    txn = SavingsTransaction.objects.filter(account=account, kind="deposit").get()
    body = login(client, kasir).get(url("receipt", koperasi, transaction_id=txn.pk))
    assert f"Diterima oleh: {kasir.full_name}" in body.content.decode()


def test_an_approved_withdrawals_receipt_names_teller_and_approver(client, koperasi, kasir):
    rich = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    request = services.withdraw(
        rich, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key=key()
    )
    ketua = make_user("ketua", koperasi)
    txn = services.approve_withdrawal(request, actor=ketua)
    body = login(client, ketua).get(url("receipt", koperasi, transaction_id=txn.pk))
    html = body.content.decode()
    assert f"Dibayar oleh: {kasir.full_name}" in html
    assert f"Disetujui oleh: {ketua.full_name}" in html


def test_a_small_withdrawals_receipt_names_the_teller_only(client, koperasi, kasir, account):
    txn = services.withdraw(account, actor=kasir, amount=10_000_00, date=DAY, idempotency_key=key())
    html = login(client, kasir).get(url("receipt", koperasi, transaction_id=txn.pk))
    html = html.content.decode()
    assert f"Dibayar oleh: {kasir.full_name}" in html
    assert "Disetujui oleh" not in html
    assert SavingsAccount.objects.get(pk=account.pk).balance == 990_000_00


def test_an_approved_large_deposits_receipt_names_teller_and_approver(client, koperasi, kasir):
    account = voluntary_account(koperasi, actor=kasir)
    big = koperasi.adart.deposit_approval_threshold + 100
    request = services.deposit(account, actor=kasir, amount=big, date=DAY, idempotency_key=key())
    assert isinstance(request, WithdrawalRequest)
    ketua = make_user("ketua", koperasi)
    txn = services.approve_withdrawal(request, actor=ketua)
    html = login(client, ketua).get(url("receipt", koperasi, transaction_id=txn.pk))
    html = html.content.decode()
    assert f"Diterima oleh: {kasir.full_name}" in html
    assert f"Disetujui oleh: {ketua.full_name}" in html
