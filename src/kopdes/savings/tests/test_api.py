"""Savings JSON API: 201 new, 200 replay, 409 same key other body, 202 pending, 4xx on bad
input with nothing written, 404 for another koperasi's account."""

from __future__ import annotations

import pytest

from kopdes.ledger.models import JournalEntry
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.services import create_api_token
from kopdes.savings.testing import teller, voluntary_account

pytestmark = pytest.mark.django_db


def auth(user):
    _, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def kasir(koperasi):
    return teller(koperasi)


@pytest.fixture
def account(koperasi, kasir):
    return voluntary_account(koperasi, balance=1_000_000_00, actor=kasir)


def post(client, koperasi, account, headers, what, body, key):
    return client.post(
        f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}/{what}",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


def test_deposit_replay_and_conflict(client, koperasi, kasir, account):
    h = auth(kasir)
    first = post(client, koperasi, account, h, "deposits", {"amount": 50_000_00}, "a1")
    assert first.status_code == 201 and first.json()["balance_after"] == 1_050_000_00
    again = post(client, koperasi, account, h, "deposits", {"amount": 50_000_00}, "a1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    clash = post(client, koperasi, account, h, "deposits", {"amount": 60_000_00}, "a1")
    assert clash.status_code == 409
    balance = client.get(f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}", **h)
    assert balance.json()["balance"] == 1_050_000_00


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"amount": 0}, 422),
        ({"amount": -100}, 422),
        ({"amount": 10**18}, 400),
        ({"amount": "sepuluh"}, 422),
        ({"amount": 2_000_000_00}, 400),  # more than the balance (withdrawal)
    ],
)
def test_bad_withdrawals_are_4xx_and_write_nothing(client, koperasi, kasir, account, body, status):
    before = JournalEntry.objects.count()
    response = post(client, koperasi, account, auth(kasir), "withdrawals", body, "b1")
    assert response.status_code == status
    assert "message" in response.json()
    assert JournalEntry.objects.count() == before


def test_large_withdrawal_is_202_pending(client, koperasi, kasir):
    big = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    body = {"amount": 6_000_000_00}
    response = post(client, koperasi, big, auth(kasir), "withdrawals", body, "c")
    assert response.status_code == 202 and response.json()["status"] == "pending"


def test_another_koperasis_account_is_404(client, koperasi, other_koperasi, kasir):
    foreign = voluntary_account(other_koperasi, balance=10_000_00)
    response = post(client, koperasi, foreign, auth(kasir), "deposits", {"amount": 100}, "d")
    assert response.status_code == 404
    other_kasir = teller(other_koperasi)
    response = client.get(
        f"/api/k/{other_koperasi.slug}/savings/accounts/{foreign.pk}", **auth(kasir)
    )
    assert response.status_code == 404
    del other_kasir


def test_member_accounts_by_number_and_permissions(client, koperasi, kasir, account):
    number = account.member.number
    ok = client.get(
        f"/api/k/{koperasi.slug}/savings/accounts", {"member_number": number}, **auth(kasir)
    )
    assert ok.status_code == 200 and {a["kind"] for a in ok.json()} == {"pokok", "sukarela"}
    officer = make_user("petugas_pinjaman", koperasi)
    refused = post(client, koperasi, account, auth(officer), "deposits", {"amount": 100}, "e")
    assert refused.status_code == 403


def test_a_deposit_never_reaches_another_koperasis_account(client, koperasi, other_koperasi, kasir):
    foreign = voluntary_account(other_koperasi, balance=10_000_00)
    h = auth(kasir)
    # The URL names the officer's own koperasi and the foreign account: a 404.
    response = post(client, koperasi, foreign, h, "deposits", {"amount": 100}, "f1")
    assert response.status_code == 404
    # A malformed id is a 404.
    response = client.post(
        f"/api/k/{koperasi.slug}/savings/accounts/bukan-id/deposits",
        {"amount": 100},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="f2",
        **h,
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.balance == 10_000_00


@pytest.mark.parametrize("what", ["deposits", "withdrawals"])
@pytest.mark.parametrize("amount", [True, False, "100", "5000000", 1.5, 100.0, -1, 0, None])
def test_amounts_are_positive_json_integers_only(client, koperasi, kasir, account, what, amount):
    from kopdes.savings.models import SavingsTransaction, WithdrawalRequest

    before = (JournalEntry.objects.count(), SavingsTransaction.objects.count())
    response = post(client, koperasi, account, auth(kasir), what, {"amount": amount}, "strict")
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["code"] == "invalid" and data["field"] == "amount"
    assert "Jumlah harus" in data["message"]
    assert (JournalEntry.objects.count(), SavingsTransaction.objects.count()) == before
    assert not WithdrawalRequest.objects.exists()
    account.refresh_from_db()
    assert account.balance == 1_000_000_00
