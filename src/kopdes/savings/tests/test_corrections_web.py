"""Corrections and the counter's cash/bank choice over the pages and the JSON API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kopdes.ledger import services as ledger
from kopdes.ledger.models import JournalLine
from kopdes.ledger.testing import with_books
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.identity.services import create_api_token
from kopdes.savings import selectors, services
from kopdes.savings.choices import TxnKind
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import Correction, SavingsTransaction
from kopdes.savings.testing import DAY, key, teller, voluntary_account

pytestmark = pytest.mark.django_db


def auth(user):
    _, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def url(name, koperasi, **kw):
    return reverse(f"savings:{name}", kwargs={"slug": koperasi.slug, **kw})


def decide_url(decision, koperasi, correction):
    """The corrections page's buttons post to the approvals inbox's one view pair."""
    return reverse(
        f"approvals:{decision}",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "savings-correction",
            "approval_item_id": correction.pk,
        },
    )


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


@pytest.fixture
def kasir(koperasi):
    return teller(koperasi)


@pytest.fixture
def deposit(koperasi, kasir):
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    return services.deposit(account, actor=kasir, amount=25_000_00, date=DAY, idempotency_key=key())


def test_correction_page_confirms_in_words_then_a_second_officer_approves(
    client, koperasi, kasir, deposit
):
    login(client, kasir)
    page = url("correction", koperasi, transaction_id=deposit.pk)
    form = client.get(page)
    assert form.status_code == 200
    data = {"reason": "Salah anggota", "idempotency_key": _key(form.content.decode())}
    review = client.post(page, {**data, "step": "review"})
    assert "dua puluh lima ribu rupiah" in review.content.decode()
    assert not Correction.objects.exists()
    first = client.post(page, {**data, "step": "post"})
    again = client.post(page, {**data, "step": "post"})
    assert first.status_code == again.status_code == 302
    correction = Correction.objects.get()
    # The kasir sees it but gets no approve button; the inbox's approve URL is forbidden.
    approve = decide_url("approve", koperasi, correction)
    listing = client.get(url("corrections", koperasi)).content.decode()
    assert "Salah anggota" in listing and approve not in listing
    forbidden = client.post(approve, {"next": url("corrections", koperasi)})
    assert forbidden.status_code == 403
    client.logout()
    login(client, make_user("ketua", koperasi))
    # The page's button posts to the inbox's view pair and comes back to the page.
    listing = client.get(url("corrections", koperasi)).content.decode()
    assert approve in listing
    done = client.post(approve, {"next": url("corrections", koperasi)}, follow=True)
    assert done.redirect_chain == [(url("corrections", koperasi), 302)]
    assert "Disetujui: Koreksi simpanan." in done.content.decode()
    assert 'data-testid="correction"' not in done.content.decode()
    correction.refresh_from_db()
    assert correction.state == ProposalState.APPROVED
    receipt = client.get(url("receipt", koperasi, transaction_id=deposit.pk)).content.decode()
    assert "Dikoreksi" in receipt
    statement = client.get(
        url("account", koperasi, savings_account_id=deposit.account_id)
        + f"?date_from={DAY:%Y-%m-%d}&date_to=2099-12-31"
    ).content.decode()
    assert "Koreksi" in statement and "dikoreksi" in statement
    # The movement's label, not the privacy app's "Correction" (a data-correction request).
    assert "Perbaikan data" not in statement and "Rekening koran" in statement


def test_correction_page_without_a_reason_writes_nothing(client, koperasi, kasir, deposit):
    login(client, kasir)
    page = url("correction", koperasi, transaction_id=deposit.pk)
    k = _key(client.get(page).content.decode())
    response = client.post(page, {"reason": "", "idempotency_key": k, "step": "post"})
    assert response.status_code == 400 and not Correction.objects.exists()


def test_a_foreign_transaction_or_correction_is_a_404(client, koperasi, other_koperasi, deposit):
    stranger = make_user("manajer", other_koperasi)
    login(client, stranger)
    with_books(other_koperasi)
    assert client.get(
        reverse("savings:correction", kwargs={"slug": other_koperasi.slug,
                                              "transaction_id": deposit.pk})
    ).status_code == 404  # fmt: skip
    c = services.request_correction(
        deposit, actor=teller(koperasi), reason="x", idempotency_key=key()
    )
    response = client.post(decide_url("approve", other_koperasi, c))
    assert response.status_code == 404
    api = client.post(
        f"/api/k/{other_koperasi.slug}/savings/corrections/{c.pk}/approve",
        content_type="application/json",
        **auth(stranger),
    )
    assert api.status_code == 404
    c.refresh_from_db()
    assert c.state == ProposalState.PENDING


def test_correction_api_202_then_201_then_replays(client, koperasi, kasir, deposit):
    h = auth(kasir)
    path = f"/api/k/{koperasi.slug}/savings/transactions/{deposit.pk}/corrections"
    body = {"reason": "Salah ketik"}
    first = client.post(path, body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k1", **h)  # fmt: skip
    assert first.status_code == 202 and first.json()["status"] == "pending"
    again = client.post(path, body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k1", **h)  # fmt: skip
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    empty = client.post(path, {"reason": " "}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k2", **h)  # fmt: skip
    assert empty.status_code == 400
    cid = first.json()["id"]
    approve = f"/api/k/{koperasi.slug}/savings/corrections/{cid}/approve"
    own = client.post(approve, content_type="application/json", **h)
    assert own.status_code == 403
    ketua = auth(make_user("ketua", koperasi))
    done = client.post(approve, content_type="application/json", **ketua)
    assert done.status_code == 201 and done.json()["reversal_entry_number"]
    replay = client.post(approve, content_type="application/json", **ketua)
    assert replay.status_code == 200
    assert SavingsTransaction.objects.filter(kind=TxnKind.CORRECTION).count() == 1
    reject = client.post(
        f"/api/k/{koperasi.slug}/savings/corrections/{cid}/reject",
        {"reason": "x"},
        content_type="application/json",
        **ketua,
    )
    # Decided already: the one maker-checker's refusal, a conflict (409) with its code.
    assert reject.status_code == 409
    assert reject.json()["code"] == "already_decided"
    assert reject.json()["message"].endswith("sudah diputuskan.")


# --- the counter's cash or bank account ---------------------------------------------------


def _bank(koperasi, code="1-1200.01", name="Bank BRI"):
    return ledger.create_account(
        koperasi,
        actor=make_user("bendahara", koperasi),
        parent_code="1-1200",
        code=code,
        name=name,
    )


def test_the_counter_offers_kas_and_leaf_bank_accounts_only(koperasi, kasir):
    voluntary_account(koperasi, actor=kasir)
    codes = [c for c, _n in selectors.counter_accounts(koperasi)]
    assert "1-1100" in codes and "1-1200" in codes
    _bank(koperasi)
    codes = [c for c, _n in selectors.counter_accounts(koperasi)]
    assert "1-1200.01" in codes and "1-1200" not in codes  # the parent is no longer a leaf
    assert "2-1100" not in codes and "1-1300" not in codes


def test_a_deposit_through_a_bank_account_debits_it(koperasi, kasir):
    account = voluntary_account(koperasi, actor=kasir)
    _bank(koperasi)
    txn = services.deposit(
        account, actor=kasir, amount=10_000_00, date=DAY, idempotency_key=key(),
        counter_account="1-1200.01",
    )  # fmt: skip
    lines = {(x.account.code, x.side) for x in JournalLine.objects.filter(entry=txn.entry)}
    assert lines == {("1-1200.01", "D"), ("2-1100", "C")}
    out = services.withdraw(
        account, actor=kasir, amount=4_000_00, date=DAY, idempotency_key=key(),
    )  # fmt: skip
    assert JournalLine.objects.filter(entry=out.entry, account__code="1-1100").exists()


@pytest.mark.parametrize("code", ["2-1100", "1-1300", "9-9999", "1-1200", "<script>"])
def test_a_non_cash_or_unknown_counter_account_is_refused(koperasi, kasir, code):
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    _bank(koperasi)  # makes 1-1200 a parent: no longer a place to post
    before = SavingsTransaction.objects.count()
    with pytest.raises(SavingsError):
        services.deposit(
            account, actor=kasir, amount=1_000_00, date=DAY, idempotency_key=key(),
            counter_account=code,
        )  # fmt: skip
    assert SavingsTransaction.objects.count() == before


def test_another_koperasis_bank_account_is_refused(koperasi, other_koperasi, kasir):
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    with_books(other_koperasi)
    _bank(other_koperasi, code="1-1200.07", name="Bank lain")
    with pytest.raises(SavingsError):
        services.deposit(
            account, actor=kasir, amount=1_000_00, date=DAY, idempotency_key=key(),
            counter_account="1-1200.07",
        )  # fmt: skip


def test_a_large_withdrawal_pays_out_of_the_chosen_bank_on_approval(koperasi, kasir):
    account = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    _bank(koperasi)
    request = services.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key=key(),
        counter_account="1-1200.01",
    )  # fmt: skip
    txn = services.approve_withdrawal(request, actor=make_user("ketua", koperasi))
    assert JournalLine.objects.filter(entry=txn.entry, account__code="1-1200.01", side="C")


def test_api_and_teller_page_take_the_counter_account(client, koperasi, kasir):
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    _bank(koperasi)
    h = auth(kasir)
    path = f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}/deposits"
    ok = client.post(path, {"amount": 1_000_00, "counter_account": "1-1200.01"},
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY="b1", **h)  # fmt: skip
    assert ok.status_code == 201
    bad = client.post(path, {"amount": 1_000_00, "counter_account": "4-1100"},
                      content_type="application/json", HTTP_IDEMPOTENCY_KEY="b2", **h)  # fmt: skip
    assert bad.status_code == 400
    login(client, kasir)
    page = url("deposit", koperasi, member_id=account.member_id)
    html = client.get(page).content.decode()
    assert "1-1200.01" in html
    data = {"account": str(account.pk), "amount": "2.000", "memo": "",
            "counter_account": "1-1200.01", "idempotency_key": _key(html)}  # fmt: skip
    review = client.post(page, {**data, "step": "review"}).content.decode()
    assert "Bank BRI" in review
    done = client.post(page, {**data, "step": "post"})
    assert done.status_code == 302
    txn = SavingsTransaction.objects.filter(account=account).latest("seq")
    assert JournalLine.objects.filter(entry=txn.entry, account__code="1-1200.01").exists()
    foreign = client.post(page, {**data, "counter_account": "2-1100", "step": "post",
                                 "idempotency_key": "f" * 32})  # fmt: skip
    assert foreign.status_code == 400


def test_pokok_and_term_pages_take_the_counter_account(client, koperasi, kasir):
    from kopdes.members.testing import make_member
    from kopdes.savings.models import SavingsAccount
    from kopdes.savings.testing import active_member

    with_books(koperasi)
    _bank(koperasi)
    login(client, kasir)
    calon = make_member(koperasi)
    page = url("principal", koperasi, member_id=calon.pk)
    html = client.get(page).content.decode()
    assert "1-1200.01" in html
    done = client.post(page, {"idempotency_key": _key(html), "counter_account": "1-1200.01"})
    assert done.status_code == 302
    txn = SavingsTransaction.objects.get(member=calon)
    assert JournalLine.objects.filter(entry=txn.entry, account__code="1-1200.01", side="D")
    member = active_member(koperasi, actor=kasir)
    page = url("term-place", koperasi, member_id=member.pk)
    html = client.get(page).content.decode()
    data = {"amount": "1.000.000", "term_months": "6", "on_maturity": "payout",
            "counter_account": "1-1200.01", "idempotency_key": _key(html)}  # fmt: skip
    review = client.post(page, {**data, "step": "review"}).content.decode()
    assert "Bank BRI" in review
    assert client.post(page, {**data, "step": "post"}).status_code == 302
    term = SavingsAccount.objects.get(member=member, kind="berjangka")
    txn = SavingsTransaction.objects.get(account=term)
    assert JournalLine.objects.filter(entry=txn.entry, account__code="1-1200.01", side="D")
    bad = client.post(url("principal", koperasi, member_id=make_member(koperasi).pk),
                      {"idempotency_key": "b" * 32, "counter_account": "4-1100"})  # fmt: skip
    assert bad.status_code == 400
