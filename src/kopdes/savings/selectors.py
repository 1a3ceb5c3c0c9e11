"""Reads of member savings, tenant-scoped (an object of another koperasi is a 404).

For the members portal: ``list_member_accounts(member)`` and
``member_statement(member_or_account, date_from, date_to)``.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.http import Http404

from kopdes.domain.savings import months_in_arrears
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.rows import (
    filter_by,
    get_by,
)
from kopdes.savings.choices import AccountStatus, SavingsKind
from kopdes.savings.models import (
    Correction,
    JasaPosting,
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
    WithdrawalRequest,
)

PASSBOOK_LINES_PER_PAGE = 20


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _uuid_or_404(value) -> str:
    pk = _uuid_or_none(value)
    if pk is None:
        raise Http404
    return str(pk)


def get_account(koperasi, account_id, *, with_member: bool = True) -> SavingsAccount:
    """One account of ``koperasi`` (404 for a missing or foreign id).

    ``with_member=False`` for the teller API: a deposit needs only the account's own row.
    """
    pk = _uuid_or_404(account_id)
    accounts = SavingsAccount.objects.filter(koperasi=koperasi, pk=pk)
    if with_member:
        accounts = accounts.select_related("member", "product")
    account = accounts.first()
    if account is None:
        raise Http404
    # The caller's koperasi object, not a second query when a service reads .koperasi.
    account.koperasi = koperasi
    if with_member:
        account.member.koperasi = koperasi
    return account


def get_member(koperasi, member_id) -> Member:
    # Every teller page starts here: a plain fetch (platform.core.rows), not a compiled query.
    member = get_by(Member, koperasi_id=koperasi.pk, id=uuid.UUID(_uuid_or_404(member_id)))
    if member is None:
        raise Http404
    member.koperasi = koperasi
    return member


@dataclass
class TellerData:
    member: Member
    accounts: list[SavingsAccount]  # open first, then by kind and number; no product
    # The counter accounts, read on the first call (``counter_accounts``, once): a deposit
    # through Kas (no code chosen) is posted without reading them.
    counters: Callable[[], list[tuple[str, str]]]


def teller_data(koperasi, member_id) -> TellerData:
    """What the teller page needs (the member, her accounts, the counter accounts); 404
    for a missing or foreign member.

    One query for the member with her accounts (the member alone when she has none yet);
    the counter accounts are read when first asked for.
    """
    pk = _uuid_or_404(member_id)
    accounts = list(
        SavingsAccount.objects.filter(
            koperasi=koperasi, member_id=pk, member__koperasi=koperasi
        ).select_related("member")
    )
    if accounts:
        member = accounts[0].member
        member.koperasi = koperasi
    else:
        member = get_member(koperasi, pk)
    return TellerData(member, _own_accounts(accounts, member), lazy_counter_accounts(koperasi))


def find_member(koperasi, number_or_payload: str) -> Member | None:
    """A member by number ("0012") or by the scanned card payload; None if not found."""
    text = (number_or_payload or "").strip()
    if not text:
        return None
    member = Member.objects.filter(koperasi=koperasi, number=text).first()
    if member is not None:
        return member
    try:
        from kopdes.members.services import read_member_card

        return read_member_card(text, koperasi=koperasi)
    except Exception:  # an unreadable or foreign card is "not found" at the counter
        return None


def get_transaction(koperasi, transaction_id) -> SavingsTransaction:
    txn = (
        SavingsTransaction.objects.filter(koperasi=koperasi, pk=_uuid_or_404(transaction_id))
        .select_related("account", "member", "entry", "created_by")
        .first()
    )
    if txn is None:
        raise Http404
    return txn


def list_member_accounts(member) -> list[SavingsAccount]:
    """The member's savings accounts (open first), with their balances and products.

    Two plain fetches (the accounts, the koperasi's few products) instead of a compiled
    join.
    """
    accounts = _own_accounts(
        filter_by(SavingsAccount, koperasi_id=member.koperasi_id, member_id=member.pk), member
    )
    products = (
        {p.pk: p for p in filter_by(SavingsProduct, koperasi_id=member.koperasi_id)}
        if accounts
        else {}
    )
    for a in accounts:
        a.product = products[a.product_id]
    return accounts


def _own_accounts(accounts, member) -> list[SavingsAccount]:
    """``accounts`` of ``member`` open first, then by kind and number, linked to her (and
    to her koperasi when it is loaded) so nothing reads them again."""
    ordered = sorted(accounts, key=lambda a: (a.status, a.kind, a.number))
    known = Member.koperasi.is_cached(member)
    for a in ordered:
        a.member = member
        if known:
            a.koperasi = member.koperasi
    return ordered


def list_accounts(koperasi, *, kind: str = "", q: str = "", limit: int = 200):
    qs = SavingsAccount.objects.filter(koperasi=koperasi).select_related("member")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(member__full_name__icontains=q))
    return list(qs.order_by("number")[:limit])


def totals_by_kind(koperasi) -> dict[str, int]:
    rows = (
        SavingsAccount.objects.filter(koperasi=koperasi)
        .values("kind")
        .annotate(t=Sum("balance"))
        .order_by()
    )
    return {r["kind"]: r["t"] or 0 for r in rows}


@dataclass
class StatementRow:
    date: dt.date
    account: str
    kind: str
    memo: str
    amount: int
    balance: int
    seq: int
    pk: object = None
    entry_id: object = None
    corrected: bool = False  # undone by an approved correction (koreksi)

    @property
    def credit(self) -> int:
        return self.amount if self.amount > 0 else 0

    @property
    def debit(self) -> int:
        return -self.amount if self.amount < 0 else 0


@dataclass
class Statement:
    """Rows between two dates with the opening and closing balance (sen)."""

    title: str
    date_from: dt.date
    date_to: dt.date
    opening: int
    rows: list[StatementRow] = field(default_factory=list)

    @property
    def total_in(self) -> int:
        return sum(r.credit for r in self.rows)

    @property
    def total_out(self) -> int:
        return sum(r.debit for r in self.rows)

    @property
    def closing(self) -> int:
        return self.opening + self.total_in - self.total_out


def member_statement(member_or_account, date_from: dt.date, date_to: dt.date) -> Statement:
    """A statement (rekening koran) of one account, or of all a member's accounts.

    Two indexed queries: the sum before ``date_from`` and the rows in the range, so it
    does not grow with the koperasi's other members' movements.
    """
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if isinstance(member_or_account, SavingsAccount):
        account = member_or_account
        base = SavingsTransaction.objects.filter(
            koperasi_id=account.koperasi_id, account_id=account.pk
        )
        title = account.number
    else:
        member = member_or_account
        base = SavingsTransaction.objects.filter(
            koperasi_id=member.koperasi_id, member_id=member.pk
        )
        title = str(member)
    opening = base.filter(date__lt=date_from).aggregate(t=Sum("amount"))["t"] or 0
    running = opening
    rows: list[StatementRow] = []
    for day, number, kind, memo, amount, seq, pk, entry_id in (
        base.filter(date__gte=date_from, date__lte=date_to)
        .order_by("date", "created_at", "seq")
        .values_list("date", "account__number", "kind", "memo", "amount", "seq", "pk", "entry_id")
    ):
        running += amount
        rows.append(StatementRow(day, number, kind, memo, amount, running, seq, pk, entry_id))
    corrected = corrected_ids(member_or_account.koperasi_id, rows)
    for row in rows:
        row.corrected = row.pk in corrected
    return Statement(title, date_from, date_to, opening, rows)


def member_movements(member):
    """Every movement of every savings account of ``member``, newest first (for the
    portal's passbook, paginated by the caller): one indexed query per page."""
    return (
        SavingsTransaction.objects.filter(koperasi_id=member.koperasi_id, member_id=member.pk)
        .select_related("account")
        .only(
            "date", "kind", "memo", "amount", "balance_after", "seq", "created_at",
            "account__number", "account__kind",
        )
        .order_by("-date", "-created_at", "-seq")
    )  # fmt: skip


def passbook_page(account: SavingsAccount, *, lines: int = PASSBOOK_LINES_PER_PAGE):
    """The movements not yet printed in the passbook (the next page), oldest first.

    Each row carries ``corrected``: an approved correction (koreksi) undid it.
    """
    rows = list(
        SavingsTransaction.objects.filter(
            koperasi_id=account.koperasi_id, account_id=account.pk, seq__gt=account.printed_seq
        ).order_by("seq")[:lines]
    )
    corrected = corrected_ids(account.koperasi_id, rows)
    for row in rows:
        row.corrected = row.pk in corrected
    return rows


def recent_transactions(koperasi, *, limit: int = 20):
    return list(
        SavingsTransaction.objects.filter(koperasi=koperasi)
        .select_related("account", "member")
        .order_by("-created_at")[:limit]
    )


def pending_withdrawals(koperasi):
    return list(
        WithdrawalRequest.objects.filter(koperasi=koperasi, state=ProposalState.PENDING)
        .select_related("account", "account__member", "proposed_by")
        .order_by("proposed_at")
    )


@dataclass
class Arrear:
    member: Member
    months_due: int
    paid: int
    owed: int


def wajib_arrears(koperasi, *, year: int, month: int) -> list[Arrear]:
    """Active members whose simpanan wajib is behind at the end of ``year``/``month``.

    Due: one AD/ART amount per month from the month they joined through ``month``; paid:
    what their wajib account received up to then. Three queries, whatever the size.
    """
    amount = koperasi.adart.simpanan_wajib_amount
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    paid = dict(
        SavingsTransaction.objects.filter(
            koperasi=koperasi, account__kind=SavingsKind.MANDATORY, date__lt=end, amount__gt=0
        )
        .values("member_id")
        .annotate(t=Sum("amount"))
        .values_list("member_id", "t")
    )
    out: list[Arrear] = []
    for member in Member.objects.filter(
        koperasi=koperasi, status=MemberStatus.ACTIVE, joined_on__lt=end
    ).order_by("number"):
        joined = member.joined_on
        due_months = months_in_arrears((joined.year, joined.month), (year, month), 0)
        got = paid.get(member.pk, 0)
        owed = due_months * amount - got
        if owed > 0:
            out.append(Arrear(member, due_months, got, owed))
    return out


def jasa_postings(koperasi, period: int):
    return list(
        JasaPosting.objects.filter(koperasi=koperasi, period=period)
        .exclude(jasa_amount=0)
        .select_related("account", "account__member")
        .order_by("account__number")
    )


def open_term_deposits(koperasi):
    return list(
        SavingsAccount.objects.filter(
            koperasi=koperasi, kind=SavingsKind.TERM, status=AccountStatus.OPEN
        )
        .select_related("member")
        .order_by("maturity_date")
    )


# --- counter accounts ---------------------------------------------------------------------


def counter_accounts(koperasi) -> list[tuple[str, str]]:
    """``[(code, name)]`` the teller may take money in or pay it out through.

    Kas (1-1100, the default, also when it has per-unit children) and every open leaf
    account under Kas or Bank (e.g. "1-1200.01 Bank BRI"); never an account with a
    sub-ledger. A few dozen rows at most: read once and walked in Python.
    """
    from kopdes.ledger.models import Account

    rows = Account.objects.filter(koperasi=koperasi, code__startswith="1-1").values_list(
        "id", "code", "name", "parent_id", "is_active", "subledger_kind"
    )
    return _counters(list(rows))


def lazy_counter_accounts(koperasi) -> Callable[[], list[tuple[str, str]]]:
    """``counter_accounts(koperasi)``, read on the first call and kept (for a form that
    needs them only to show its choices or check a chosen code)."""
    return functools.cache(functools.partial(counter_accounts, koperasi))


def _counters(rows) -> list[tuple[str, str]]:
    from kopdes.ledger import chart

    by_pk = {r[0]: r for r in rows}
    has_children = {r[3] for r in rows if r[3] is not None}
    roots = {chart.CASH, chart.BANK}

    def under_cash_or_bank(row) -> bool:
        seen = 0
        while row is not None and seen < 10:
            if row[1] in roots:
                return True
            row = by_pk.get(row[3])
            seen += 1
        return False

    out = [
        (code, name)
        for pk, code, name, _parent, active, subledger in rows
        if active
        and not subledger
        and under_cash_or_bank(by_pk[pk])
        and (code == chart.CASH or pk not in has_children)
    ]
    return sorted(out)


# --- corrections --------------------------------------------------------------------------


def get_correction(koperasi, correction_id) -> Correction:
    """One correction request of ``koperasi`` (404 for a missing or foreign id)."""
    correction = (
        Correction.objects.filter(koperasi=koperasi, pk=_uuid_or_404(correction_id))
        .select_related("transaction", "transaction__account", "transaction__member", "entry")
        .first()
    )
    if correction is None:
        raise Http404
    correction.koperasi = koperasi
    return correction


def pending_corrections(koperasi) -> list[Correction]:
    return list(
        Correction.objects.filter(koperasi=koperasi, state=ProposalState.PENDING)
        .select_related(
            "transaction", "transaction__account", "transaction__member", "proposed_by", "entry"
        )
        .order_by("proposed_at")
    )


def corrections_of(txn: SavingsTransaction) -> list[Correction]:
    """Requests touching ``txn``: on the row itself, or on its whole journal entry."""
    return list(
        Correction.objects.filter(koperasi_id=txn.koperasi_id)
        .filter(Q(transaction_id=txn.pk) | Q(entry_id=txn.entry_id, whole_entry=True))
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_at")
    )


def corrected_ids(koperasi_id, rows) -> set:
    """Of ``rows`` (objects with ``pk`` and ``entry_id``), the ids of those an approved
    correction undid: shown as "dikoreksi" on statements and passbooks."""
    rows = list(rows)
    if not rows:
        return set()
    entry_ids = {r.entry_id for r in rows if r.entry_id}
    done = Correction.objects.filter(koperasi_id=koperasi_id, state=ProposalState.APPROVED).filter(
        Q(entry_id__in=entry_ids)
    )
    whole = set()
    single = set()
    for entry_id, txn_id, is_whole in done.values_list("entry_id", "transaction_id", "whole_entry"):
        (whole.add(entry_id) if is_whole else single.add(txn_id))
    return {r.pk for r in rows if r.entry_id in whole or r.pk in single}


def exit_preview(member, *, date: dt.date) -> dict:
    """What ``services.settle_member_exit`` would do on ``date`` (read only): the open
    savings, what the member owes (``platform.core.obligations``), the cash to pay out
    and any shortfall that would make the exit refused."""
    from kopdes.platform.core.obligations import member_obligations

    total = (
        SavingsAccount.objects.filter(
            koperasi_id=member.koperasi_id, member=member, status=AccountStatus.OPEN
        ).aggregate(t=Sum("balance"))["t"]
        or 0
    )
    debts = member_obligations(member, date)
    owed = sum(d.amount for d in debts)
    return {
        "total": total,
        "owed": owed,
        "paid": max(total - owed, 0),
        "short": max(owed - total, 0),
        "obligations": [{"kind": d.kind, "ref": d.ref, "amount": d.amount} for d in debts],
    }
