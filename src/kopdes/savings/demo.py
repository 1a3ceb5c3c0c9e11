"""Demo savings: two years (Nov 2024 - Oct 2026) for every demo member, through the services.

Every member pays simpanan pokok (which makes them aktif); wajib is collected monthly (a
few members fall behind: the arrears page has something to show); about two thirds keep
sukarela with deposits and some withdrawals; a few place berjangka; jasa is posted each
month. A month's collections go in as one entry per kind (``post_cash_batch``, like a
collection day at the village hall) so ``kopdes demo`` stays fast. Seeded: the same seed
gives the same books.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.savings import add_months
from kopdes.ledger.services import setup_koperasi_books
from kopdes.members.models import Member
from kopdes.savings import services
from kopdes.savings.choices import MaturityAction, SavingsKind, TxnKind
from kopdes.savings.models import SavingsAccount

START = dt.date(2024, 11, 1)
MONTHS = 24


def _rupiah(rng, low: int, high: int, step: int = 5_000) -> int:
    """A round amount in sen between ``low`` and ``high`` rupiah."""
    return rng.randrange(low // step, high // step + 1) * step * 100


def add_savings(koperasi, rng) -> None:
    if SavingsAccount.objects.filter(koperasi=koperasi).exists():
        return  # idempotent: the demo runs on every start
    members = list(Member.objects.filter(koperasi=koperasi).order_by("number"))
    if not members:
        return
    setup_koperasi_books(koperasi)  # idempotent; the chart must exist before posting
    kasir = demo_officer(koperasi, "kasir")
    bendahara = demo_officer(koperasi, "bendahara")
    products = services.ensure_products(koperasi)
    wajib_amount = koperasi.adart.simpanan_wajib_amount
    last_month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)

    # Joining: pokok collected on three joining days (one entry each), then each member
    # becomes aktif through the members service, as pay_principal does one by one.
    from kopdes.members.services import activate_member

    pokok = koperasi.adart.simpanan_pokok_amount
    joined: dict = {}
    by_day: dict = {}
    for m in members:
        day = add_months(START, rng.randrange(0, 3)).replace(day=5)
        joined[m.pk] = day
        by_day.setdefault(day, []).append(m)
    for day, group in sorted(by_day.items()):
        moves = [
            services.Move(services.account_for(m, SavingsKind.PRINCIPAL, date=day,
                                 product=products[SavingsKind.PRINCIPAL]),
                          TxnKind.DEPOSIT, pokok)
            for m in group
        ]  # fmt: skip
        services.post_cash_batch(
            koperasi, actor=kasir, date=day, moves=moves, memo=f"Simpanan pokok {day:%Y%m}",
            idempotency_key=f"demo:pokok:{day:%Y%m}", source="savings.pokok",
        )  # fmt: skip
        for m in group:
            activate_member(m, actor=kasir, date=day)
    wajib = {
        m.pk: services.account_for(
            m, SavingsKind.MANDATORY, date=joined[m.pk], product=products[SavingsKind.MANDATORY]
        )
        for m in members
    }
    savers = [m for m in members if rng.random() < 0.65]
    sukarela = {
        m.pk: services.account_for(
            m, SavingsKind.VOLUNTARY, date=joined[m.pk], product=products[SavingsKind.VOLUNTARY]
        )
        for m in savers
    }
    # How reliably each member pays wajib (a few fall behind).
    diligence = {m.pk: (0.5 if rng.random() < 0.12 else 0.97) for m in members}
    balances = {pk: 0 for pk in sukarela}
    terms: list[SavingsAccount] = []

    for i in range(MONTHS):
        month_start = add_months(START, i)
        month_end = add_months(START, i + 1) - dt.timedelta(days=1)
        if month_end > last_month_end:
            break
        tag = f"{month_start:%Y%m}"
        # Wajib collection day (the 10th).
        day = month_start.replace(day=10)
        moves = []
        for m in members:
            if joined[m.pk] <= day and rng.random() < diligence[m.pk]:
                months = 2 if rng.random() < 0.05 else 1  # some pay ahead
                moves.append(services.Move(wajib[m.pk], TxnKind.DEPOSIT, wajib_amount * months))
        if moves:
            services.post_cash_batch(
                koperasi, actor=kasir, date=day, moves=moves, memo=f"Setoran wajib {tag}",
                idempotency_key=f"demo:wajib:{tag}", source="savings.deposit",
            )  # fmt: skip
        # Sukarela deposits (the 15th) and withdrawals (the 25th).
        day = month_start.replace(day=15)
        moves = []
        for m in savers:
            if joined[m.pk] <= day and rng.random() < 0.3:
                amount = _rupiah(rng, 20_000, 750_000)
                if rng.random() < 0.03:
                    amount = _rupiah(rng, 5_000_000, 40_000_000, 500_000)
                moves.append(services.Move(sukarela[m.pk], TxnKind.DEPOSIT, amount))
                balances[m.pk] += amount
        if moves:
            services.post_cash_batch(
                koperasi, actor=kasir, date=day, moves=moves, memo=f"Setoran sukarela {tag}",
                idempotency_key=f"demo:sukarela-in:{tag}", source="savings.deposit",
            )  # fmt: skip
        day = month_start.replace(day=25)
        moves = []
        for m in savers:
            if balances[m.pk] > 50_000_00 and rng.random() < 0.2:
                amount = min(balances[m.pk] // 2 // 500_000 * 500_000, 4_000_000_00)
                if amount > 0:
                    moves.append(services.Move(sukarela[m.pk], TxnKind.WITHDRAWAL, -amount))
                    balances[m.pk] -= amount
        if moves:
            services.post_cash_batch(
                koperasi, actor=kasir, date=day, moves=moves, memo=f"Penarikan sukarela {tag}",
                idempotency_key=f"demo:sukarela-out:{tag}", source="savings.withdrawal",
            )  # fmt: skip
        # A few term deposits in the first year; matured ones settle on their date.
        if i in (2, 5, 8, 11):
            for m in rng.sample(members, k=min(3, len(members))):
                terms.append(
                    services.place_term_deposit(
                        m,
                        actor=kasir,
                        amount=_rupiah(rng, 2_000_000, 20_000_000, 500_000),
                        date=month_start.replace(day=20),
                        idempotency_key=f"demo:term:{tag}:{m.pk}",
                        term_months=rng.choice((3, 6, 12)),
                        on_maturity=rng.choice(list(MaturityAction.values)),
                    )
                )
        for account in list(terms):
            account.refresh_from_db()
            if account.status == "open" and account.maturity_date <= month_end:
                services.settle_term_deposit(account, actor=kasir, date=account.maturity_date)
                account.refresh_from_db()
                if account.status != "open":
                    terms.remove(account)
        run = services.post_monthly_jasa(
            koperasi, actor=bendahara, year=month_start.year, month=month_start.month
        )
        del run  # jasa only adds: the tracked balances stay a safe lower bound


EXTENSIONS.append(add_savings)
