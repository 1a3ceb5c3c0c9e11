"""Term deposits: placing, settling at maturity and breaking early."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kopdes.domain import savings as rules
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
    AccountStatus,
    MaturityAction,
    SavingsKind,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
)
from kopdes.savings.services._common import (
    MEMOS,
    _check_date,
    _check_key,
    _lock,
    _require_member_active,
    check_amount,
)
from kopdes.savings.services.accounts import _new_account, default_product
from kopdes.savings.services.movement import Move, _apply, _cash, resolve_counter_account

# --- term deposits ------------------------------------------------------------------------


def _rate(percent: Decimal | int, per: str = "year") -> rules.Rate:
    return rules.Rate(Fraction(Decimal(percent)), rules.RatePer(per))


def place_term_deposit(
    member,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    product: SavingsProduct | None = None,
    term_months: int | None = None,
    on_maturity: str = MaturityAction.PAYOUT,
    counter_account: str = "",
) -> SavingsAccount:
    """Simpanan berjangka: a new account holding ``amount`` for ``term_months`` (cash in)."""
    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    key = _check_key(idempotency_key)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    if on_maturity not in MaturityAction.values:
        raise SavingsError(_("Choose payout or rollover."), field="on_maturity")
    product = product or default_product(koperasi, SavingsKind.TERM)
    if product.koperasi_id != koperasi.pk or product.kind != SavingsKind.TERM:
        raise SavingsError(_("Choose a term deposit product."), field="product")
    months = term_months or product.term_months
    try:
        maturity = rules.term_maturity(date, int(months))
    except rules.SavingsRuleError as exc:
        raise SavingsError(exc.message, field="term_months") from exc
    _require_member_active(member)
    with transaction.atomic():
        _lock(koperasi)
        done = SavingsTransaction.objects.filter(
            koperasi=koperasi, member=member, kind=TxnKind.DEPOSIT, idempotency_key=key
        ).first()
        if done is not None:
            account = SavingsAccount.objects.get(pk=done.account_id)
            if account.principal != amount:
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another transaction with "
                        "different content. Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            account.replayed = True
            return account
        account = _new_account(
            member,
            product,
            date,
            principal=amount,
            term_months=months,
            rate_percent=product.rate_percent,
            start_date=date,
            maturity_date=maturity,
            on_maturity=on_maturity,
        )
        _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["term"], number=account.number),
            moves=[Move(account, TxnKind.DEPOSIT, amount)],
            other_lines=[LineDraft.debit(counter, amount)],
            key=key,
            source="savings.term",
        )
        record(
            "savings.term.placed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={
                "account": account.number,
                "amount": amount,
                "term_months": months,
                "maturity": maturity.isoformat(),
                "rate_percent": str(product.rate_percent),
            },
        )
    return account


def _member_month_jasa(koperasi, member_id, period_first: dt.date, period_last: dt.date):
    rows = (
        SavingsTransaction.objects.filter(
            koperasi=koperasi,
            member_id=member_id,
            kind__in=[TxnKind.JASA, TxnKind.TAX],
            date__gte=period_first,
            date__lte=period_last,
        )
        .values("kind")
        .annotate(total=Sum("amount"))
    )
    totals = {r["kind"]: r["total"] for r in rows}
    return totals.get(TxnKind.JASA, 0) or 0, -(totals.get(TxnKind.TAX, 0) or 0)


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    last = day.replace(day=rules.days_in_month(day.year, day.month))
    return first, last


def settle_term_deposit(account: SavingsAccount, *, actor, date: dt.date) -> SavingsAccount:
    """At (or after) maturity: credit the jasa (less tax), then pay out or roll over.

    Payout: principal + net jasa leave in cash and the account closes. Rollover: the net
    jasa stays, and the deposit runs for another term from ``date``.
    """
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    date = _check_date(date)
    with transaction.atomic():
        _lock(koperasi)
        account = SavingsAccount.objects.get(pk=account.pk)
        if account.kind != SavingsKind.TERM or account.status != AccountStatus.OPEN:
            raise SavingsError(_("This is not an open term deposit."), field="account")
        if account.maturity_date is None or date < account.maturity_date:
            raise SavingsError(
                _("This deposit matures on %(date)s; to end it earlier use early withdrawal.")
                % {"date": account.maturity_date.strftime("%d-%m-%Y")},
                field="date",
            )
        jasa = rules.term_interest(
            account.principal, _rate(account.rate_percent), account.term_months
        )
        first, last = _month_bounds(date)
        prior_jasa, prior_tax = _member_month_jasa(koperasi, account.member_id, first, last)
        tax = max(rules.jasa_tax(prior_jasa + jasa) - prior_tax, 0)
        key = f"term-settle:{account.pk}:{account.maturity_date.isoformat()}"
        moves = []
        other: list[LineDraft] = []
        if jasa:
            moves.append(Move(account, TxnKind.JASA, jasa, book_text(koperasi, MEMOS["term_jasa"])))
            other.append(LineDraft.debit(chart.SAVINGS_INTEREST_EXPENSE, jasa))
        if tax:
            moves.append(Move(account, TxnKind.TAX, -tax, book_text(koperasi, MEMOS["tax"])))
            other.append(LineDraft.credit(chart.TAX_PAYABLE, tax))
        rollover = account.on_maturity == MaturityAction.ROLLOVER
        payout = account.balance + jasa - tax
        if not rollover:
            moves.append(
                Move(account, TxnKind.PAYOUT, -payout, book_text(koperasi, MEMOS["payout"]))
            )
            other.append(LineDraft.credit(_cash(koperasi), payout))
        if moves:
            # Each kind once per account per key: jasa, tax, payout are distinct kinds.
            _apply(
                koperasi,
                actor=actor,
                date=date,
                memo=book_text(koperasi, MEMOS["maturity"], number=account.number),
                moves=moves,
                other_lines=other,
                key=key,
                source="savings.term",
            )
        if rollover:
            account.refresh_from_db()
            account.principal = account.balance
            account.start_date = date
            account.maturity_date = rules.term_maturity(date, account.term_months)
            account.save(update_fields=["principal", "start_date", "maturity_date"])
        else:
            SavingsAccount.objects.filter(pk=account.pk).update(
                status=AccountStatus.CLOSED, closed_on=date
            )
            account.refresh_from_db()
        record(
            "savings.term.matured",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={
                "account": account.number,
                "jasa": jasa,
                "tax": tax,
                "action": str(account.on_maturity),
                "paid_out": 0 if rollover else payout,
            },
        )
    return account


def break_term_deposit(account: SavingsAccount, *, actor, date: dt.date) -> SavingsAccount:
    """Early withdrawal (pencairan sebelum jatuh tempo): no jasa, the product's penalty."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    date = _check_date(date)
    with transaction.atomic():
        _lock(koperasi)
        account = SavingsAccount.objects.select_related("product").get(pk=account.pk)
        if account.kind != SavingsKind.TERM or account.status != AccountStatus.OPEN:
            raise SavingsError(_("This is not an open term deposit."), field="account")
        result = rules.early_withdrawal(
            account.balance, Fraction(account.product.penalty_bp, 10_000)
        )
        moves = []
        other: list[LineDraft] = []
        if result.penalty:
            moves.append(
                Move(
                    account, TxnKind.PENALTY, -result.penalty, book_text(koperasi, MEMOS["penalty"])
                )
            )
            other.append(LineDraft.credit(chart.LOAN_PENALTY_INCOME, result.penalty))
        moves.append(
            Move(account, TxnKind.PAYOUT, -result.payout, book_text(koperasi, MEMOS["early"]))
        )
        other.append(LineDraft.credit(_cash(koperasi), result.payout))
        _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["break"], number=account.number),
            moves=moves,
            other_lines=other,
            key=f"term-break:{account.pk}",
            source="savings.term",
        )
        SavingsAccount.objects.filter(pk=account.pk).update(
            status=AccountStatus.CLOSED, closed_on=date
        )
        account.refresh_from_db()
        record(
            "savings.term.broken",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"account": account.number, "penalty": result.penalty, "paid": result.payout},
        )
    return account
