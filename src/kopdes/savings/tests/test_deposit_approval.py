"""A deposit above the AD/ART ``deposit_approval_threshold`` waits for a second officer,
through the same request, pages and services as a large withdrawal (maker-checker)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.identity.services import create_api_token
from kopdes.savings import services
from kopdes.savings.choices import TxnKind
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import SavingsTransaction, WithdrawalRequest
from kopdes.savings.testing import teller, voluntary_account

pytestmark = pytest.mark.django_db

LIMIT = 10_000_000_00  # the default AD/ART deposit_approval_threshold (Rp10.000.000)
BIG = 12_000_000_00


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def kasir(koperasi):
    return teller(koperasi)


@pytest.fixture
def account(koperasi, kasir, today):
    return voluntary_account(koperasi, balance=100_000_00, actor=kasir, date=today)


def _deposit(account, actor, amount, today, key="besar"):
    return services.deposit(account, actor=actor, amount=amount, date=today, idempotency_key=key)


def _counts(account):
    return (
        JournalEntry.objects.count(),
        SavingsTransaction.objects.filter(account=account).count(),
    )


def test_the_default_threshold_is_rp_10_million(koperasi):
    assert koperasi.adart.deposit_approval_threshold == LIMIT


def test_a_deposit_up_to_the_threshold_posts_at_once(account, kasir, today):
    txn = _deposit(account, kasir, LIMIT, today)
    assert isinstance(txn, SavingsTransaction) and txn.kind == TxnKind.DEPOSIT
    account.refresh_from_db()
    assert account.balance == 100_000_00 + LIMIT


def test_a_large_deposit_waits_and_moves_nothing(account, kasir, today):
    before = _counts(account)
    request = _deposit(account, kasir, BIG, today)
    assert isinstance(request, WithdrawalRequest)
    assert (request.kind, request.state, request.amount) == (
        TxnKind.DEPOSIT,
        ProposalState.PENDING,
        BIG,
    )
    account.refresh_from_db()
    assert account.balance == 100_000_00
    assert _counts(account) == before
    assert AuditEvent.objects.filter(action="savings.deposit.requested").count() == 1
    # The same key again is the same request; other content with it is refused.
    again = _deposit(account, kasir, BIG, today)
    assert again.pk == request.pk and again.replayed
    with pytest.raises(ConflictError):
        _deposit(account, kasir, BIG + 1, today)
    with pytest.raises(ConflictError):
        services.withdraw(
            account, actor=kasir, amount=BIG, date=today, idempotency_key="besar"
        )  # the same key for a withdrawal is other content too
    assert WithdrawalRequest.objects.count() == 1


def test_the_maker_cannot_approve_and_another_officer_posts_it(koperasi, account, kasir, today):
    request = _deposit(account, kasir, BIG, today)
    with pytest.raises(PermissionDeniedError):
        services.approve_withdrawal(request, actor=kasir)
    another_kasir = teller(koperasi)  # a teller may not approve at all
    with pytest.raises(PermissionDeniedError):
        services.approve_withdrawal(request, actor=another_kasir)
    account.refresh_from_db()
    assert account.balance == 100_000_00
    bendahara = make_user("bendahara", koperasi)
    txn = services.approve_withdrawal(request, actor=bendahara)
    assert txn.kind == TxnKind.DEPOSIT and txn.amount == BIG
    assert txn.entry.posted_by == bendahara and txn.entry.source == "savings.deposit"
    account.refresh_from_db()
    assert account.balance == 100_000_00 + BIG
    lines = {(line.account.code, line.side): line.amount for line in txn.entry.lines.all()}
    assert lines[("1-1100", "D")] == BIG  # cash in
    assert lines[(account.ledger_code, "C")] == BIG  # the member's savings
    request.refresh_from_db()
    assert request.state == ProposalState.APPROVED and request.transaction_id == txn.pk
    assert request.decided_by == bendahara
    assert AuditEvent.objects.filter(action="savings.deposit.approved").count() == 1
    with pytest.raises(AlreadyDecidedError, match="sudah diputuskan"):
        services.approve_withdrawal(request, actor=make_user("ketua", koperasi))  # once
    # The teller's retry after approval is still the same request, nothing more.
    assert _deposit(account, kasir, BIG, today).pk == request.pk
    account.refresh_from_db()
    assert account.balance == 100_000_00 + BIG


def test_a_rejected_deposit_posts_nothing(koperasi, account, kasir, today):
    request = _deposit(account, kasir, BIG, today)
    before = _counts(account)
    with pytest.raises(PermissionDeniedError):
        services.reject_withdrawal(request, actor=kasir, reason="sendiri")
    services.reject_withdrawal(request, actor=make_user("manajer", koperasi), reason="uang palsu")
    request.refresh_from_db()
    assert request.state == ProposalState.REJECTED and request.decision_note == "uang palsu"
    assert _counts(account) == before
    account.refresh_from_db()
    assert account.balance == 100_000_00
    assert AuditEvent.objects.filter(action="savings.deposit.rejected").count() == 1
    with pytest.raises(AlreadyDecidedError):
        services.approve_withdrawal(request, actor=make_user("ketua", koperasi))
    with pytest.raises(AlreadyDecidedError):
        services.reject_withdrawal(request, actor=make_user("ketua", koperasi), reason="lagi")
    assert AuditEvent.objects.filter(action="savings.deposit.rejected").count() == 1


def test_a_deposit_waiting_does_not_block_a_withdrawal_but_a_second_deposit_waits(
    account, kasir, today
):
    _deposit(account, kasir, BIG, today, key="d1")
    with pytest.raises(SavingsError, match="Setoran ke rekening ini sudah menunggu"):
        _deposit(account, kasir, BIG, today, key="d2")
    small = services.withdraw(
        account, actor=kasir, amount=10_000_00, date=today, idempotency_key="w1"
    )
    assert isinstance(small, SavingsTransaction)


def test_the_threshold_is_an_adart_setting(koperasi, account, kasir, today):
    koperasi.adart_settings = {
        **koperasi.adart.to_json(),
        "deposit_approval_threshold": 500_000_00,
    }
    koperasi.save(update_fields=["adart_settings"])
    account.koperasi = koperasi
    assert isinstance(_deposit(account, kasir, 500_000_01, today), WithdrawalRequest)
    assert isinstance(_deposit(account, kasir, 500_000_00, today, key="kecil"), SavingsTransaction)


# --- pages -------------------------------------------------------------------------------


def _url(name, koperasi, **kw):
    return reverse(f"savings:{name}", kwargs={"slug": koperasi.slug, **kw})


def _decide_url(decision, koperasi, request):
    """The savings page's approve / reject buttons post to the inbox's one view pair."""
    return reverse(
        f"approvals:{decision}",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "savings-deposit",
            "approval_item_id": request.pk,
        },
    )


def test_page_flow_needs_another_officer(client, koperasi, account, kasir):
    login(client, kasir)
    page = _url("deposit", koperasi, member_id=account.member_id)
    data = {"account": str(account.pk), "amount": "12.000.000", "idempotency_key": "halaman"}
    review = client.post(page, {**data, "step": "review"})
    assert review.status_code == 200
    assert 'data-testid="needs-approval"' in review.content.decode()
    assert "Setoran ini di atas batas AD/ART" in review.content.decode()
    before = _counts(account)
    response = client.post(page, {**data, "step": "post"})
    assert response.status_code == 302
    assert response["Location"] == _url("approval-list", koperasi)
    request = WithdrawalRequest.objects.get(kind=TxnKind.DEPOSIT)
    assert _counts(account) == before
    listing = client.get(_url("approval-list", koperasi)).content.decode()
    assert "Penarikan dan setoran besar" in listing
    assert 'data-kind="deposit"' in listing and "Rp 12.000.000" in listing
    # The maker has no approve button, and a hand-made POST is refused: nothing moves.
    approve = _decide_url("approve", koperasi, request)
    assert 'data-testid="decide"' not in listing and approve not in listing
    refused = client.post(approve, {"next": _url("approval-list", koperasi)})
    assert refused.status_code in (302, 403)
    assert _counts(account) == before
    client.logout()
    login(client, make_user("ketua", koperasi))
    listing = client.get(_url("approval-list", koperasi)).content.decode()
    assert approve in listing and 'name="next"' in listing
    done = client.post(approve, {"next": _url("approval-list", koperasi)}, follow=True)
    assert done.redirect_chain == [(_url("approval-list", koperasi), 302)]
    assert "Disetujui: Setoran besar." in done.content.decode()
    txn = SavingsTransaction.objects.get(account=account, kind=TxnKind.DEPOSIT, amount=BIG)
    assert WithdrawalRequest.objects.get(pk=request.pk).transaction_id == txn.pk
    account.refresh_from_db()
    assert account.balance == 100_000_00 + BIG


def test_page_rejection_posts_nothing(client, koperasi, account, kasir, today):
    request = _deposit(account, kasir, BIG, today)
    before = _counts(account)
    login(client, make_user("bendahara", koperasi))
    response = client.post(
        _decide_url("reject", koperasi, request),
        {"reason": "belum dihitung", "next": _url("approval-list", koperasi)},
    )
    assert response.status_code == 302
    assert response["Location"] == _url("approval-list", koperasi)
    request.refresh_from_db()
    assert request.state == ProposalState.REJECTED
    assert request.decision_note == "belum dihitung"
    assert _counts(account) == before
    messages = client.get(_url("approval-list", koperasi)).content.decode()
    assert "Ditolak: Setoran besar." in messages


# --- API ---------------------------------------------------------------------------------


def test_api_answers_202_with_the_request_and_writes_nothing(client, koperasi, account, kasir):
    _, raw = create_api_token(kasir, actor=kasir, name="uji")
    url = f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}/deposits"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "api-besar"}
    before = _counts(account)
    response = client.post(url, {"amount": BIG}, content_type="application/json", **headers)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "deposit" and body["status"] == "pending" and body["amount"] == BIG
    request = WithdrawalRequest.objects.get(pk=body["id"])
    assert request.proposed_by == kasir
    assert _counts(account) == before
    again = client.post(url, {"amount": BIG}, content_type="application/json", **headers)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    services.approve_withdrawal(request, actor=make_user("ketua", koperasi))
    account.refresh_from_db()
    assert account.balance == 100_000_00 + BIG
    assert JournalLine.objects.filter(entry__source="savings.deposit", amount=BIG).count() == 2
