"""Savings movements carry only business dates the books accept (issue 13, part 1): from
the later of the books start and the account's opening, up to today in the koperasi's
time zone, never in a closed month; back-dated beyond the AD/ART allowance (7 days by
default) a teller deposit or withdrawal waits for a second officer."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.ledger import services as ledger
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.testing import post_simple
from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.platform.identity.services import create_api_token
from kopdes.savings import services, verification
from kopdes.savings.choices import SavingsKind
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import SavingsTransaction, WithdrawalRequest
from kopdes.savings.testing import active_member, key, teller

pytestmark = pytest.mark.django_db


@pytest.fixture
def kop(db):
    """AD/ART defaults (back-dating allowance 7 days); books from 1 January last year."""
    koperasi = make_koperasi(adart_settings={})
    koperasi.books_start = dt.date(koperasi.today().year - 1, 1, 1)
    koperasi.save(update_fields=["books_start"])
    return koperasi


@pytest.fixture
def kasir(kop):
    return teller(kop)


@pytest.fixture
def account(kop, kasir):
    """A sukarela account opened 30 days ago holding Rp1.000.000 (deposited the same day,
    approved by a second officer since it is back-dated)."""
    opened = kop.today() - dt.timedelta(days=30)
    member = active_member(kop, actor=kasir, date=kop.today())
    acc = services.open_account(member, actor=kasir, kind=SavingsKind.VOLUNTARY, date=opened)
    request = services.deposit(
        acc, actor=kasir, amount=1_000_000_00, date=opened, idempotency_key=key()
    )
    assert isinstance(request, WithdrawalRequest) and request.kind == "deposit"
    services.approve_withdrawal(request, actor=make_user("ketua", kop))
    acc.refresh_from_db()
    assert acc.balance == 1_000_000_00
    return acc


def _rows(kop) -> int:
    return SavingsTransaction.objects.filter(koperasi=kop).count()


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(1, 1, 1), "di luar rentang"),
        (dt.date(9999, 12, 31), "di luar rentang"),
        ("tomorrow", "belum tiba"),
        ("before-opening", "sebelum rekening dibuka"),
    ],
)
def test_a_teller_movement_outside_the_bounds_is_refused_and_writes_nothing(
    kop, kasir, account, day, words
):
    day = {
        "tomorrow": kop.today() + dt.timedelta(days=1),
        "before-opening": account.opened_on - dt.timedelta(days=1),
    }.get(day, day)
    rows, entries = _rows(kop), JournalEntry.objects.filter(koperasi=kop).count()
    for move in (services.deposit, services.withdraw):
        with pytest.raises(SavingsError, match=words) as exc:
            move(account, actor=kasir, amount=10_000_00, date=day, idempotency_key=key())
        assert exc.value.field == "date"
    assert _rows(kop) == rows
    assert JournalEntry.objects.filter(koperasi=kop).count() == entries
    assert not WithdrawalRequest.objects.filter(koperasi=kop, state="pending").exists()


def test_a_movement_in_a_closed_month_is_refused(kop, kasir, account):
    today = kop.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    post_simple(kop, date=last_month_end)
    first_open = JournalEntry.objects.filter(koperasi=kop).order_by("period").first().period
    bendahara, ketua = make_user("bendahara", kop), make_user("ketua", kop)
    period = first_open
    while period <= last_month_end.year * 100 + last_month_end.month:
        proposal = ledger.propose_period_close(
            kop, actor=bendahara, year=period // 100, month=period % 100
        )
        ledger.approve_period_change(proposal, actor=ketua)
        period = period + 1 if period % 100 < 12 else (period // 100 + 1) * 100 + 1
    with pytest.raises(SavingsError, match="sudah ditutup"):
        services.withdraw(
            account, actor=kasir, amount=10_000_00, date=last_month_end, idempotency_key=key()
        )


def test_a_back_dated_withdrawal_waits_for_another_officer(kop, kasir, account):
    day = kop.today() - dt.timedelta(days=8)
    request = services.withdraw(
        account, actor=kasir, amount=50_000_00, date=day, idempotency_key="w-back"
    )
    assert isinstance(request, WithdrawalRequest)
    assert request.kind == "withdrawal" and request.date == day
    account.refresh_from_db()
    assert account.balance == 1_000_000_00  # nothing moved yet
    from kopdes.platform.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.approve_withdrawal(request, actor=kasir)
    txn = services.approve_withdrawal(request, actor=make_user("bendahara", kop))
    assert txn.date == day and txn.amount == -50_000_00
    assert txn.entry.date == day


def test_within_the_allowance_the_teller_posts_directly(kop, kasir, account):
    txn = services.withdraw(
        account,
        actor=kasir,
        amount=50_000_00,
        date=kop.today() - dt.timedelta(days=7),
        idempotency_key=key(),
    )
    assert isinstance(txn, SavingsTransaction)


def test_approval_checks_the_date_again(kop, kasir, account):
    today = kop.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    day = max(account.opened_on, last_month_end - dt.timedelta(days=3))
    request = services.withdraw(
        account, actor=kasir, amount=50_000_00, date=day, idempotency_key="w-late"
    )
    assert isinstance(request, WithdrawalRequest)
    bendahara, ketua = make_user("bendahara", kop), make_user("ketua", kop)
    first_open = JournalEntry.objects.filter(koperasi=kop).order_by("period").first().period
    period = first_open
    while period <= last_month_end.year * 100 + last_month_end.month:
        proposal = ledger.propose_period_close(
            kop, actor=bendahara, year=period // 100, month=period % 100
        )
        ledger.approve_period_change(proposal, actor=ketua)
        period = period + 1 if period % 100 < 12 else (period // 100 + 1) * 100 + 1
    with pytest.raises(SavingsError, match="sudah ditutup"):
        services.approve_withdrawal(request, actor=bendahara)
    request.refresh_from_db()
    assert request.state == "pending"


def test_back_dated_simpanan_pokok_is_refused_with_the_reason(kop, kasir):
    from kopdes.members.testing import make_member

    member = make_member(kop)
    with pytest.raises(SavingsError, match="lebih dari 7 hari") as exc:
        services.pay_principal(
            member, actor=kasir, date=kop.today() - dt.timedelta(days=20), idempotency_key=key()
        )
    assert exc.value.field == "date"
    assert _rows(kop) == 0


def test_api_deposit_dated_year_one_is_a_4xx_and_writes_nothing(client, kop, kasir, account):
    _, raw = create_api_token(kasir, actor=kasir, name="uji")
    rows = _rows(kop)
    for day in ("0001-01-01", "9999-12-31", (kop.today() + dt.timedelta(days=1)).isoformat()):
        response = client.post(
            f"/api/k/{kop.slug}/savings/accounts/{account.pk}/deposits",
            {"amount": 10_000_00, "date": day},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"api-{day}",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code in (400, 422), response.content
        assert response.json()["field"] == "date"
        assert "Tanggal" in response.json()["message"]
    assert _rows(kop) == rows


def test_a_correction_dated_before_the_account_opened_is_refused(kop, kasir, account):
    txn = services.withdraw(
        account, actor=kasir, amount=10_000_00, date=kop.today(), idempotency_key=key()
    )
    with pytest.raises(SavingsError, match="sebelum rekening dibuka"):
        services.request_correction(
            txn,
            actor=kasir,
            reason="Salah",
            idempotency_key=key(),
            date=account.opened_on - dt.timedelta(days=1),
        )


def test_verify_reports_a_movement_before_its_account_opening(kop, kasir, account):
    assert verification.check_dates(kop).ok
    # An account whose opening was moved after its movements (as a bad edit could do).
    type(account).objects.filter(pk=account.pk).update(
        opened_on=account.opened_on + dt.timedelta(days=5)
    )
    result = verification.check_dates(kop)
    assert not result.ok
    assert account.number in result.problems[0]
    assert "sebelum rekening dibuka" in result.problems[0]


def test_opening_balances_before_the_books_start_move_it(kop, kasir):
    from kopdes.platform.audit.models import AuditEvent
    from kopdes.savings import opening
    from kopdes.savings.tests.test_pages import _workbook

    member = active_member(kop, actor=kasir, date=kop.today())
    kop.books_start = kop.today().replace(day=1)
    kop.save(update_fields=["books_start"])
    day = dt.date(kop.today().year - 1, 12, 31)
    data = _workbook([[member.number, "sukarela", "1.500.000"]])
    imported = opening.import_opening(kop, actor=make_user("bendahara", kop), data=data, date=day)
    assert imported.entry.date == day
    kop.refresh_from_db()
    assert kop.books_start == dt.date(day.year, 12, 1)
    assert AuditEvent.objects.filter(action="ledger.books_start.moved").count() == 1
    bad = _workbook([[member.number, "wajib", "100.000"]])
    with pytest.raises(opening.OpeningImportError, match="di luar rentang"):
        opening.import_opening(
            kop, actor=make_user("bendahara", kop), data=bad, date=dt.date(1, 1, 1)
        )
