"""savings.posting: the teller's and the jasa run's hand-written SQL, built from the models'
``_meta`` with named rows, writes what the ORM reads back."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from kopdes.members.models import Member
from kopdes.platform.core.testing import make_user
from kopdes.savings import posting, services
from kopdes.savings.choices import AccountStatus, TxnKind
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import JasaPosting, SavingsAccount, SavingsTransaction
from kopdes.savings.testing import DAY, key, teller, voluntary_account
from kopdes.savings.verification import check_accounts


def _attnames(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def test_the_inserted_rows_are_the_models_columns():
    assert set(posting.TxnRow._fields) == _attnames(SavingsTransaction)
    assert set(posting.JasaPostingRow._fields) == _attnames(JasaPosting)
    assert set(posting.AccountState._fields) <= _attnames(SavingsAccount)
    assert set(posting.MemberState._fields) <= _attnames(Member)
    assert set(posting.BalanceUpdate._fields) <= _attnames(SavingsAccount)


def test_a_row_that_misses_a_column_is_refused_before_any_sql():
    from typing import NamedTuple

    class Short(NamedTuple):
        id: object

    with pytest.raises(AssertionError, match="SavingsTransaction"):
        posting._inserts(SavingsTransaction, [Short(1)])


def test_table_and_column_names_come_from_meta():
    quote = connection.ops.quote_name
    sql, _params = posting.accounts_statement(SimpleNamespace(pk=uuid.uuid4()), [uuid.uuid4()])
    assert quote(SavingsAccount._meta.db_table) in sql
    for attname in posting.AccountState._fields:
        assert quote(SavingsAccount._meta.get_field(attname).column) in sql


@pytest.mark.django_db
def test_a_teller_deposit_and_its_replay_read_back_through_the_orm(koperasi):
    account = voluntary_account(koperasi, balance=10_000_00)
    kasir = teller(koperasi)
    k = key()
    txn = services.deposit(account, actor=kasir, amount=2_500_00, date=DAY, idempotency_key=k)
    stored = SavingsTransaction.objects.get(pk=txn.pk)
    assert (stored.amount, stored.balance_after, stored.seq) == (2_500_00, 12_500_00, 2)
    assert stored.entry_id == txn.entry.pk and stored.created_by_id == kasir.pk
    assert isinstance(txn.created_at, dt.datetime) and stored.created_at == txn.created_at
    account.refresh_from_db()
    assert (account.balance, account.last_seq) == (12_500_00, 2)
    again = services.deposit(account, actor=kasir, amount=2_500_00, date=DAY, idempotency_key=k)
    assert again.pk == txn.pk and again.replayed
    with transaction.atomic():
        read = posting.read_accounts(koperasi, [account.pk])
    assert read[account.pk] == posting.AccountState(
        account.pk, 12_500_00, 2, AccountStatus.OPEN, account.ledger_code,
        account.member_id, account.number,
    )  # fmt: skip
    assert check_accounts(koperasi).ok


@pytest.mark.django_db
def test_a_withdrawal_beyond_the_balance_writes_nothing(koperasi):
    account = voluntary_account(koperasi, balance=1_000_00)
    before = SavingsTransaction.objects.count()
    with pytest.raises(SavingsError):
        services.withdraw(
            account, actor=teller(koperasi), amount=1_000_01, date=DAY, idempotency_key=key()
        )
    assert SavingsTransaction.objects.count() == before
    account.refresh_from_db()
    assert account.balance == 1_000_00


@pytest.mark.django_db
def test_jasa_records_a_zero_posting_for_an_account_that_earned_nothing(koperasi):
    bendahara = make_user("bendahara", koperasi)
    empty = voluntary_account(koperasi, actor=bendahara)
    earning = voluntary_account(koperasi, balance=1_000_000_00, actor=bendahara)
    run = services.post_monthly_jasa(koperasi, actor=bendahara, year=2026, month=4)
    assert run.accounts == 1
    zero = JasaPosting.objects.get(account=empty, period=202604)
    assert (zero.jasa_amount, zero.tax_amount, zero.entry_id) == (0, 0, None)
    assert not SavingsTransaction.objects.filter(account=empty, kind=TxnKind.JASA).exists()
    paid = JasaPosting.objects.get(account=earning, period=202604)
    row = SavingsTransaction.objects.get(account=earning, kind=TxnKind.JASA)
    assert (row.amount, row.entry_id, row.created_by_id) == (2_500_00, paid.entry_id, bendahara.pk)
    assert row.date == dt.date(2026, 4, 30)
    assert check_accounts(koperasi).ok
