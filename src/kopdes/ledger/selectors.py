"""Reads of the books, always scoped to one koperasi.

Balances come from the monthly balance rows (``AccountBalance``, ``SubledgerBalance``),
never from scanning all lines. ``period`` arguments are ``yyyymm`` ints
(``kopdes.domain.ledger.period_of(date)``); "up to" means inclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import Http404

from kopdes.domain import dates
from kopdes.domain.ledger import LineDraft, Side, period_of, signed_balance
from kopdes.ledger import chart
from kopdes.ledger.choices import PeriodStatus
from kopdes.ledger.models import (
    Account,
    AccountBalance,
    EntryProposal,
    JournalEntry,
    JournalLine,
    Period,
    PeriodProposal,
    ReversalProposal,
    SubledgerBalance,
)
from kopdes.platform.approvals.models import ProposalState


def list_accounts(koperasi, *, active_only: bool = False) -> QuerySet[Account]:
    qs = Account.objects.filter(koperasi=koperasi).order_by("code")
    return qs.filter(is_active=True) if active_only else qs


def get_account(koperasi, code: str) -> Account:
    """The account with ``code`` in ``koperasi`` or Http404."""
    account = Account.objects.filter(koperasi=koperasi, code=code).first()
    if account is None:
        raise Http404
    return account


def get_account_for_unit(koperasi, base_code: str, unit: str) -> Account:
    """The per-unit child of ``base_code`` (e.g. Kas sembako), else the base account."""
    if unit and unit in chart.UNIT_DIGITS:
        child = Account.objects.filter(koperasi=koperasi, code=chart.unit_code(base_code, unit))
        found = child.first()
        if found is not None:
            return found
    return get_account(koperasi, base_code)


def list_entries(
    koperasi, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[JournalEntry]:
    qs = JournalEntry.objects.filter(koperasi=koperasi)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("number")


def get_entry(koperasi, entry_id) -> JournalEntry:
    """An entry of ``koperasi`` with its lines; Http404 for missing or another koperasi's."""
    try:
        entry = (
            JournalEntry.objects.filter(koperasi=koperasi, pk=entry_id)
            .select_related("reverses", "posted_by")
            .first()
        )
    except (ValueError, TypeError, ValidationError) as exc:  # a malformed id is "not found"
        raise Http404 from exc
    if entry is None:
        raise Http404
    return entry


def entry_lines(entry: JournalEntry) -> QuerySet[JournalLine]:
    return entry.lines.select_related("account").order_by("line_no")


def entry_drafts(entry: JournalEntry, *, except_subledger: str = "") -> list[LineDraft]:
    """The entry's lines as ``LineDraft``s, in line order (one query). ``except_subledger``
    leaves out the lines of that sub-ledger kind."""
    lines = JournalLine.objects.filter(entry=entry).order_by("line_no")
    if except_subledger:
        lines = lines.exclude(subledger_kind=except_subledger)
    return [
        LineDraft(
            account=code,
            side=Side(side),
            amount=amount,
            subledger_kind=kind,
            subledger_ref=ref,
            business_unit=unit,
            memo=memo,
        )
        for code, side, amount, kind, ref, unit, memo in lines.values_list(
            "account__code",
            "side",
            "amount",
            "subledger_kind",
            "subledger_ref",
            "business_unit",
            "memo",
        )
    ]


def mirrored_lines(entry: JournalEntry, *, except_subledger: str = "") -> list[LineDraft]:
    """The entry's lines, each with its side swapped, in line order: the lines of the entry
    that reverses it (ledger, savings and loans corrections all post these).
    ``except_subledger`` leaves out the lines of that sub-ledger kind."""
    return [line.mirrored() for line in entry_drafts(entry, except_subledger=except_subledger)]


def get_entry_by_key(koperasi, idempotency_key: str) -> JournalEntry | None:
    return JournalEntry.objects.filter(koperasi=koperasi, idempotency_key=idempotency_key).first()


def reversal_of(entry: JournalEntry) -> JournalEntry | None:
    return JournalEntry.objects.filter(koperasi_id=entry.koperasi_id, reverses=entry).first()


@dataclass(frozen=True)
class Totals:
    debit: int
    credit: int

    def balance(self, normal_side: str) -> int:
        """On the account's normal side: positive is a normal balance."""
        return signed_balance(Side(normal_side), self.debit, self.credit)


def account_totals(
    account: Account,
    *,
    up_to: int | None = None,
    period_from: int | None = None,
    business_unit: str | None = None,
) -> Totals:
    """Debit/credit totals of ``account`` over months [period_from, up_to] (both optional)."""
    qs = AccountBalance.objects.filter(koperasi_id=account.koperasi_id, account=account)
    if up_to is not None:
        qs = qs.filter(period__lte=up_to)
    if period_from is not None:
        qs = qs.filter(period__gte=period_from)
    if business_unit is not None:
        qs = qs.filter(business_unit=business_unit)
    agg = qs.aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    return Totals(agg["d"] or 0, agg["c"] or 0)


def account_balance(account: Account, *, as_of: dt.date | None = None) -> int:
    """The balance on the normal side at the end of ``as_of``'s month (or now)."""
    up_to = period_of(as_of) if as_of else None
    return account_totals(account, up_to=up_to).balance(account.normal_side)


def trial_balance(koperasi, *, up_to: int | None = None) -> list[dict]:
    """Per account: code, name, type, normal_side, debit, credit, balance (normal side)."""
    qs = AccountBalance.objects.filter(koperasi=koperasi)
    if up_to is not None:
        qs = qs.filter(period__lte=up_to)
    sums = {
        row["account_id"]: (row["d"], row["c"])
        for row in qs.values("account_id").annotate(d=Sum("debit_total"), c=Sum("credit_total"))
    }
    rows = []
    for account in list_accounts(koperasi):
        d, c = sums.get(account.id, (0, 0))
        rows.append(
            {
                "account": account,
                "code": account.code,
                "name": account.name,
                "type": account.type,
                "normal_side": account.normal_side,
                "debit": d,
                "credit": c,
                "balance": signed_balance(Side(account.normal_side), d, c),
            }
        )
    return rows


def subledger_balance(
    koperasi, kind: str, ref: str, *, account: Account | None = None, up_to: int | None = None
) -> int:
    """Balance of one sub-ledger key (e.g. a member's savings account) on its normal side.

    With ``account`` None the key's rows on every account are summed (credit - debit for
    liability/equity control accounts, debit - credit for asset ones; mixed kinds of
    normal side are not expected for one key).
    """
    qs = SubledgerBalance.objects.filter(koperasi=koperasi, subledger_kind=kind, subledger_ref=ref)
    if account is not None:
        qs = qs.filter(account=account)
    if up_to is not None:
        qs = qs.filter(period__lte=up_to)
    total = 0
    for row in qs.values("account__normal_side").annotate(
        d=Sum("debit_total"), c=Sum("credit_total")
    ):
        total += signed_balance(Side(row["account__normal_side"]), row["d"], row["c"])
    return total


def subledger_balances(koperasi, kind: str, *, up_to: int | None = None) -> dict[str, int]:
    """Balance per sub-ledger ref of ``kind`` (normal side of its control account)."""
    qs = SubledgerBalance.objects.filter(koperasi=koperasi, subledger_kind=kind)
    if up_to is not None:
        qs = qs.filter(period__lte=up_to)
    out: dict[str, int] = {}
    for row in qs.values("subledger_ref", "account__normal_side").annotate(
        d=Sum("debit_total"), c=Sum("credit_total")
    ):
        ref = row["subledger_ref"]
        out[ref] = out.get(ref, 0) + signed_balance(
            Side(row["account__normal_side"]), row["d"], row["c"]
        )
    return out


def closed_periods(koperasi) -> list[int]:
    return list(
        Period.objects.filter(koperasi=koperasi, status=PeriodStatus.CLOSED)
        .order_by("period")
        .values_list("period", flat=True)
    )


def last_closed_period(koperasi) -> int | None:
    """The newest closed month (``yyyymm``), or None: months close in order, so every
    month up to it counts as closed."""
    return (
        Period.objects.filter(koperasi=koperasi, status=PeriodStatus.CLOSED)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def first_open_entry_period(koperasi) -> int | None:
    """The earliest month holding entries that is not closed (None: all are closed)."""
    return (
        JournalEntry.objects.filter(koperasi=koperasi)
        .exclude(
            period__in=Period.objects.filter(koperasi=koperasi, status=PeriodStatus.CLOSED).values(
                "period"
            )
        )
        .order_by("period")
        .values_list("period", flat=True)
        .first()
    )


def next_close(koperasi) -> dates.NextClose:
    """Which month the koperasi can close next, and why (``domain.dates.NextClose``)."""
    return dates.next_month_to_close(
        today=koperasi.today(),
        books_start=koperasi.books_start,
        last_closed_period=last_closed_period(koperasi),
        first_open_entry_period=first_open_entry_period(koperasi),
    )


def is_period_closed(koperasi, day: dt.date) -> bool:
    return Period.objects.filter(
        koperasi=koperasi, period=period_of(day), status=PeriodStatus.CLOSED
    ).exists()


def pending_reversals(koperasi) -> QuerySet[ReversalProposal]:
    return ReversalProposal.objects.filter(
        koperasi=koperasi, state=ProposalState.PENDING
    ).select_related("entry", "proposed_by")


def pending_period_proposals(koperasi) -> QuerySet[PeriodProposal]:
    return PeriodProposal.objects.filter(
        koperasi=koperasi, state=ProposalState.PENDING
    ).select_related("proposed_by")


def pending_entry_proposals(koperasi) -> QuerySet[EntryProposal]:
    """Back-dated manual entries waiting for a second officer."""
    return EntryProposal.objects.filter(koperasi=koperasi, state=ProposalState.PENDING)


def lines_for_account(
    account: Account, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[JournalLine]:
    """Lines of one account (buku besar), oldest first, with their entry."""
    qs = JournalLine.objects.filter(koperasi_id=account.koperasi_id, account=account)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("entry").order_by("date", "entry__number", "line_no")
