"""Builders for tests that need member savings (deterministic, through the services)."""

from __future__ import annotations

import datetime as dt
import itertools

from kopdes.ledger.testing import with_books
from kopdes.platform.core.testing import make_user
from kopdes.savings import services
from kopdes.savings.choices import SavingsKind
from kopdes.savings.models import WithdrawalRequest

DAY = dt.date(2026, 3, 2)
_keys = itertools.count(1)


def key() -> str:
    return f"test-{next(_keys)}"


def teller(koperasi, role: str = "kasir"):
    """An officer who may work the counter (kasir by default)."""
    return make_user(role, koperasi)


def active_member(koperasi, *, actor=None, date: dt.date = DAY, **overrides):
    """A member registered and made active by paying simpanan pokok."""
    from kopdes.members.testing import make_member

    with_books(koperasi)
    actor = actor or teller(koperasi)
    member = make_member(koperasi, **overrides)
    services.pay_principal(member, actor=actor, date=date, idempotency_key=key())
    member.refresh_from_db()
    return member


def voluntary_account(koperasi, *, balance: int = 0, actor=None, member=None, date=DAY):
    """A sukarela account with ``balance`` deposited (sen)."""
    actor = actor or teller(koperasi)
    member = member or active_member(koperasi, actor=actor, date=date)
    account = services.open_account(member, actor=actor, kind=SavingsKind.VOLUNTARY, date=date)
    if balance:
        result = services.deposit(
            account, actor=actor, amount=balance, date=date, idempotency_key=key()
        )
        if isinstance(result, WithdrawalRequest):  # above the AD/ART deposit threshold
            services.approve_withdrawal(result, actor=second_officer(koperasi, actor))
        account.refresh_from_db()
    return account


def second_officer(koperasi, maker=None):
    """A new ketua: another officer who may approve what ``maker`` asked for."""
    return make_user("ketua", koperasi)
