"""Writes to member savings: deposits, withdrawals (maker-checker above the AD/ART
threshold), transfers, simpanan pokok (activates the member), term deposits, the monthly
jasa run and the settlement on exit.

Every movement is one journal entry through ``ledger.services.post`` with one line per
savings account on its control account (``subledger_kind="savings"``,
``subledger_ref=str(account.pk)``), so the members' sub-ledger always equals the control
accounts. Each function runs in one transaction that first takes the koperasi's ledger
lock (``lock_chain("ledger:<id>")``: a PostgreSQL advisory lock; on SQLite the
``BEGIN IMMEDIATE`` write lock), then reads balances, so two withdrawals can never both
see the same balance (T3). Every call carries an idempotency key: a retry with the same
key and content returns the first result; the same key with other content is a 409.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain import savings as rules
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import MAX_SEN, allocate_by_weights, format_rupiah
from kopdes.ledger import chart
from kopdes.ledger import selectors as ledger_selectors
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member
from kopdes.platform.audit.services import Prefetch as AuditPrefetch
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.ids import uuid7
from kopdes.platform.core.locks import lock_chain, lock_statement
from kopdes.platform.core.rows import execute_batch, execute_groups
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
    AccountStatus,
    MaturityAction,
    RequestStatus,
    SavingsKind,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    Correction,
    JasaPosting,
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
    WithdrawalRequest,
)

SUBLEDGER = "savings"
KIND_LETTER = {
    SavingsKind.PRINCIPAL: "P",
    SavingsKind.MANDATORY: "W",
    SavingsKind.VOLUNTARY: "S",
    SavingsKind.TERM: "B",
}
# Liability codes used for pokok/wajib when AD/ART sets pokok_wajib_as_equity = False.
LIABILITY_CODES = {SavingsKind.PRINCIPAL: "2-1610", SavingsKind.MANDATORY: "2-1620"}
JASA_BATCH = 400  # accounts per jasa journal entry
# Memos the services write into the journal and the passbook, in the koperasi's language
# whatever the officer's (``core.booktext``).
MEMOS = {
    TxnKind.DEPOSIT: gettext_lazy("Deposit %(number)s"),
    TxnKind.WITHDRAWAL: gettext_lazy("Withdrawal %(number)s"),
    "pokok": gettext_lazy("Principal savings %(member)s"),
    "to": gettext_lazy("To %(number)s"),
    "from": gettext_lazy("From %(number)s"),
    "transfer": gettext_lazy("Transfer %(source)s to %(target)s"),
    "term": gettext_lazy("Term deposit %(number)s"),
    "maturity": gettext_lazy("Maturity %(number)s"),
    "break": gettext_lazy("Early withdrawal %(number)s"),
    "jasa": gettext_lazy("Interest (jasa) %(month)s"),
    "jasa_tax": gettext_lazy("Tax on interest (jasa) %(month)s"),
    "jasa_run": gettext_lazy("Interest (jasa) on voluntary savings %(month)s"),
    "exit": gettext_lazy("Savings returned to leaving member %(member)s"),
    "correction": gettext_lazy("Correction of journal %(number)s: %(reason)s"),
    "correction_row": gettext_lazy("Correction of #%(seq)s: %(reason)s"),
    "term_jasa": gettext_lazy("Interest (jasa) on the term deposit"),
    "tax": gettext_lazy("Tax on interest"),
    "payout": gettext_lazy("Payout"),
    "penalty": gettext_lazy("Early withdrawal penalty"),
    "early": gettext_lazy("Early withdrawal"),
    "returned": gettext_lazy("Savings returned"),
}


# --- helpers ------------------------------------------------------------------------------


def _lock(koperasi) -> None:
    # The ledger's own lock: balance check and posting are serialised with every posting.
    lock_chain(ledger.lock_name(koperasi))


def check_amount(amount: Any) -> int:
    """A positive amount in sen, at most 10^15 rupiah (ints only: parse text in the view)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise SavingsError(_("The amount must be a whole number of sen."), field="amount")
    if amount <= 0:
        raise SavingsError(_("The amount must be more than zero."), field="amount")
    if amount > MAX_SEN:
        raise SavingsError(_("The amount is too large."), field="amount")
    return amount


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise SavingsError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > 150:
        raise SavingsError(_("The idempotency key is too long."), field="idempotency_key")
    return key


def _check_date(date) -> dt.date:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise SavingsError(_("The date is not valid."), field="date")
    return date


def _not_enough(number: str, balance: int) -> SavingsError:
    """The refusal of a movement that would take account ``number`` below zero."""
    return SavingsError(
        _("The balance of %(number)s is not enough: %(balance)s available. Nothing was recorded.")
        % {"number": number, "balance": format_rupiah(balance)},
        field="amount",
    )


def _closed(number: str) -> SavingsError:
    return SavingsError(_("Account %(number)s is closed.") % {"number": number}, field="account")


def _business_date(koperasi, date: dt.date, account=None) -> dt.date:
    """The ledger's business-date rule (books start .. today, no closed month) plus the
    account's opening; for requests checked before anything is posted."""
    try:
        return ledger.check_business_date(
            koperasi, date, opened_on=account.opened_on if account is not None else None
        )
    except LedgerError as exc:
        raise SavingsError(exc.message, field="date") from exc


def _backdated(koperasi, date: dt.date) -> bool:
    """A teller movement dated further back than the AD/ART allows waits for a second
    officer (``domain.dates.needs_second_officer``)."""
    return dates.needs_second_officer(
        date, today=koperasi.today(), approval_days=koperasi.adart.backdate_approval_days
    )


def _refuse_backdated_deposit(koperasi, date: dt.date, account=None) -> None:
    """Simpanan pokok dated further back than the AD/ART allows is not taken at the
    counter (paying it activates the member, which no request can wait for)."""
    if _backdated(koperasi, date):
        _business_date(koperasi, date, account)  # an impossible date says so first
        raise SavingsError(
            dates.backdate_message(
                date,
                today=koperasi.today(),
                approval_days=koperasi.adart.backdate_approval_days,
            )
            + " "
            + _(
                "Simpanan pokok cannot wait for approval: record it with today's date and "
                "note the real date in the description."
            ),
            field="date",
        )


def _require_member_active(member, *, allow_candidate: bool = False) -> None:
    allowed = {MemberStatus.ACTIVE} | ({MemberStatus.CANDIDATE} if allow_candidate else set())
    if member.status not in allowed:
        raise SavingsError(
            _("Savings are only for active members; %(member)s is not an active member.")
            % {"member": member.number},
            field="member",
        )


def ledger_code(koperasi, kind: str) -> str:
    """The control account of a savings kind (pokok/wajib follow the AD/ART setting)."""
    kind = SavingsKind(kind)
    if kind == SavingsKind.VOLUNTARY:
        return chart.VOLUNTARY_SAVINGS
    if kind == SavingsKind.TERM:
        return chart.TERM_SAVINGS
    if koperasi.adart.pokok_wajib_as_equity:
        return chart.PRINCIPAL_SAVINGS if kind == SavingsKind.PRINCIPAL else chart.MANDATORY_SAVINGS
    return LIABILITY_CODES[kind]


def _ensure_liability_accounts(koperasi) -> None:
    """Control accounts for pokok/wajib held as liabilities (SAK EP), created once."""
    from kopdes.ledger.models import Account

    if koperasi.adart.pokok_wajib_as_equity:
        return
    names = {
        SavingsKind.PRINCIPAL: "Simpanan pokok (kewajiban)",
        SavingsKind.MANDATORY: "Simpanan wajib (kewajiban)",
    }
    for kind, code in LIABILITY_CODES.items():
        if not Account.objects.filter(koperasi=koperasi, code=code).exists():
            Account.objects.create(
                koperasi=koperasi,
                code=code,
                name=names[kind],
                type="kewajiban",
                normal_side="C",
                subledger_kind=SUBLEDGER,
            )


DEFAULT_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"kind": SavingsKind.PRINCIPAL, "code": "pokok", "name": "Simpanan pokok"},
    {"kind": SavingsKind.MANDATORY, "code": "wajib", "name": "Simpanan wajib"},
    {
        "kind": SavingsKind.VOLUNTARY,
        "code": "sukarela",
        "name": "Simpanan sukarela",
        "rate_percent": Decimal("3"),
        "jasa_basis": "lowest",
    },
    {
        "kind": SavingsKind.TERM,
        "code": "berjangka-6",
        "name": "Simpanan berjangka 6 bulan",
        "rate_percent": Decimal("6"),
        "term_months": 6,
        "penalty_bp": 100,
    },
)


def ensure_products(koperasi) -> dict[str, SavingsProduct]:
    """The default product of each kind (created once, idempotent): ``{kind: product}``."""
    existing = {p.code: p for p in SavingsProduct.objects.filter(koperasi=koperasi)}
    out: dict[str, SavingsProduct] = {}
    for spec in DEFAULT_PRODUCTS:
        product = existing.get(spec["code"])
        if product is None:
            product = SavingsProduct.objects.create(koperasi=koperasi, **spec)
        out[str(spec["kind"])] = product
    return out


def default_product(koperasi, kind: str) -> SavingsProduct:
    product = (
        SavingsProduct.objects.filter(koperasi=koperasi, kind=kind, is_active=True)
        .order_by("code")
        .first()
    )
    return product or ensure_products(koperasi)[str(kind)]


def _new_account(member, product, date: dt.date, **extra) -> SavingsAccount:
    koperasi = member.koperasi
    _ensure_liability_accounts(koperasi)
    letter = KIND_LETTER[SavingsKind(product.kind)]
    if product.kind == SavingsKind.TERM:
        n = SavingsAccount.objects.filter(
            koperasi=koperasi, member=member, kind=SavingsKind.TERM
        ).count()
        number = f"{member.number}-{letter}{n + 1}"
    else:
        number = f"{member.number}-{letter}"
        if product.code not in {"pokok", "wajib", "sukarela"}:
            number = f"{member.number}-{letter}-{product.code}"[:30]
    return SavingsAccount.objects.create(
        koperasi=koperasi,
        member=member,
        product=product,
        kind=product.kind,
        number=number,
        ledger_code=ledger_code(koperasi, product.kind),
        opened_on=date,
        **extra,
    )


def account_for(
    member, kind: str, *, date: dt.date, product: SavingsProduct | None = None
) -> SavingsAccount:
    """The member's account of a non-term kind in its default product, opened if missing.

    Call inside the caller's transaction (under the lock).
    """
    product = product or default_product(member.koperasi, kind)
    account = SavingsAccount.objects.filter(
        koperasi_id=member.koperasi_id, member=member, product=product
    ).first()
    return account or _new_account(member, product, date)


def open_account(member, *, actor, kind: str = SavingsKind.VOLUNTARY, date: dt.date):
    """Open (or return) the member's account of ``kind`` in the default product."""
    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    if kind == SavingsKind.TERM:
        raise SavingsError(_("A term deposit is opened by placing it."), field="kind")
    _require_member_active(member, allow_candidate=kind == SavingsKind.PRINCIPAL)
    with transaction.atomic():
        existing = SavingsAccount.objects.filter(
            koperasi=koperasi, member=member, product=default_product(koperasi, kind)
        ).first()
        if existing is not None:
            return existing
        # Not before the books start, never in the future (an account "opened" in 9999
        # would refuse every movement); opening is no posting, so a closed month is fine.
        try:
            day = ledger.check_business_date(koperasi, _check_date(date), last_closed_period=None)
        except LedgerError as exc:
            raise SavingsError(exc.message, field="date") from exc
        account = account_for(member, kind, date=day)
        record(
            "savings.account.opened",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=account,
            summary={"number": account.number, "kind": account.kind},
        )
    return account


# --- the movement core --------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One signed movement on a savings account (+ into savings, - out of savings)."""

    account: SavingsAccount
    kind: str
    amount: int
    memo: str = ""


@dataclass
class _Fresh:
    """An account's row as read under the lock."""

    pk: Any
    balance: int
    last_seq: int
    status: str
    ledger_code: str
    member_id: Any
    number: str


_TXN_COLUMNS = (
    "id", "koperasi_id", "account_id", "member_id", "seq", "kind", "date", "amount",
    "balance_after", "entry_id", "idempotency_key", "memo", "created_by_id", "created_at",
)  # fmt: skip


_TXN_ROW = "(" + ", ".join(["%s"] * len(_TXN_COLUMNS)) + ")"
_TXN_ROWS_PER_STATEMENT = 500  # 7,000 parameters: inside SQLite's and PostgreSQL's limits


def _transaction_inserts(txns: Sequence[SavingsTransaction]) -> list[tuple[str, list]]:
    """Multi-row INSERTs of passbook rows (bulk_create's per-field preparation dominated
    the monthly jasa run); the instances count as saved."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for t in txns:
        t.created_at = now
        rows.extend(
            (
                _db_uuid(t.id), _db_uuid(t.koperasi_id), _db_uuid(t.account_id),
                _db_uuid(t.member_id), t.seq, t.kind, ops.adapt_datefield_value(t.date),
                t.amount, t.balance_after, _db_uuid(t.entry_id) if t.entry_id else None,
                t.idempotency_key, t.memo, _maybe_uuid(t.created_by_id), now,
            )
        )  # fmt: skip
        t._state.adding = False
        t._state.db = connection.alias
    width = len(_TXN_COLUMNS) * _TXN_ROWS_PER_STATEMENT
    return [
        (
            f"INSERT INTO savings_savingstransaction ({', '.join(_TXN_COLUMNS)}) VALUES "  # noqa: S608 (constants)
            + ", ".join([_TXN_ROW] * (len(chunk) // len(_TXN_COLUMNS))),
            chunk,
        )
        for chunk in (rows[start : start + width] for start in range(0, len(rows), width))
    ]


def _replay_statement(koperasi, moves: Sequence[Move], key: str) -> tuple[str, list]:
    # Plain SQL: on every teller call this finds nothing, and the ORM's query compilation
    # would cost more than the lookup (bench savings_teller).
    first = moves[0]
    return (
        "SELECT entry_id FROM savings_savingstransaction WHERE koperasi_id = %s "
        "AND account_id = %s AND kind = %s AND idempotency_key = %s LIMIT 1",
        [_db_uuid(koperasi.pk), _db_uuid(first.account.pk), first.kind, key],
    )


def _replay(
    koperasi, moves: Sequence[Move], key: str, found: list[tuple] | None = None
) -> list[SavingsTransaction] | None:
    """The movements already recorded under ``key`` (same content), or None if new.

    ``found``: the rows of ``_replay_statement`` when the caller read them in its batch.
    """
    if found is None:
        (found,) = execute_batch([_replay_statement(koperasi, moves, key)])
    if not found:
        return None
    found = found[0]
    txns = list(
        SavingsTransaction.objects.filter(
            koperasi=koperasi, idempotency_key=key, entry_id=_maybe_uuid(found[0])
        )
    )
    recorded = sorted((str(t.account_id), t.kind, t.amount) for t in txns)
    wanted = sorted((str(m.account.pk), m.kind, m.amount) for m in moves)
    if recorded != wanted:
        raise ConflictError(
            _(
                "This idempotency key was already used for another transaction with different "
                "content. Nothing was recorded."
            ),
            field="idempotency_key",
        )
    by_key = {(str(t.account_id), t.kind): t for t in txns}
    out = [by_key[(str(m.account.pk), m.kind)] for m in moves]
    for t in out:
        t.replayed = True
    return out


def _accounts_statement(koperasi, ids) -> tuple[str, list]:
    """The accounts ``_apply`` re-reads under the lock: plain rows, not model instances
    (the ORM's query compilation would cost a teller call more than the read)."""
    id_list = [_db_uuid(pk) for pk in ids]
    return (
        "SELECT id, balance, last_seq, status, ledger_code, member_id, number "  # noqa: S608 (placeholders only)
        "FROM savings_savingsaccount WHERE koperasi_id = %s "
        f"AND id IN ({', '.join(['%s'] * len(id_list))})",
        [_db_uuid(koperasi.pk), *id_list],
    )


def _apply(
    koperasi,
    *,
    actor,
    date: dt.date,
    memo: str,
    moves: Sequence[Move],
    other_lines: Sequence[LineDraft],
    key: str,
    source: str,
    allow_closed: bool = False,
    reverses=None,
    entry_kind: str | None = None,
    account_rows: list[tuple] | None = None,
    prefetched: ledger.Prefetch | None = None,
    writes: list[tuple[str, list[Any]]] | None = None,
) -> list[SavingsTransaction]:
    """Post ``moves`` (+ the counter lines) as one entry and record the passbook rows.

    Must run inside ``transaction.atomic()`` after ``_lock``. Re-reads the accounts under
    the lock (or takes ``account_rows``, the rows of ``_accounts_statement`` the caller
    read under it) and refuses any move that would take a balance below zero.
    ``prefetched`` and ``writes`` are ``ledger.post``'s: the teller reads everything in
    one batch and writes everything in another (``_single``).
    """
    ids = {m.account.pk for m in moves}
    rows = account_rows
    if rows is None:
        (rows,) = execute_batch([_accounts_statement(koperasi, ids)])
    fresh = {}
    for pk, balance, last_seq, status, code, member_id, number in rows:
        pk = uuid.UUID(str(pk))
        fresh[pk] = _Fresh(pk, balance, last_seq, status, code, uuid.UUID(str(member_id)), number)
    balances = {pk: a.balance for pk, a in fresh.items()}
    seqs = {pk: a.last_seq for pk, a in fresh.items()}
    lines: list[LineDraft] = []
    for m in moves:
        account = fresh[m.account.pk]
        # Not before the account was opened; an opening balance is the account's start.
        opened_on = getattr(m.account, "opened_on", None) if m.kind != TxnKind.OPENING else None
        try:
            dates.check_not_before_opening(date, opened_on, "rekening dibuka")
        except dates.BusinessDateError as exc:
            raise SavingsError(exc.message, field="date") from exc
        if account.status != AccountStatus.OPEN and not allow_closed:
            raise _closed(account.number)
        balances[account.pk] += m.amount
        if balances[account.pk] < 0:
            raise _not_enough(account.number, balances[account.pk] - m.amount)
        line = LineDraft.credit if m.amount > 0 else LineDraft.debit
        lines.append(
            line(
                account.ledger_code,
                abs(m.amount),
                subledger_kind=SUBLEDGER,
                subledger_ref=str(account.pk),
                memo=(m.memo or account.number)[:200],
            )
        )
    try:
        entry = ledger.post(
            koperasi,
            actor=actor,
            date=date,
            memo=memo,
            lines=[*lines, *other_lines],
            idempotency_key=_ledger_key(key),
            source=source,
            source_ref=str(moves[0].account.pk) if len(ids) == 1 else "",
            reverses=reverses,
            # Every caller of _apply records its own event naming the passbook row(s),
            # which carry the entry: one audit event per teller operation.
            audited_by_caller=True,
            prefetched=prefetched,
            writes=writes,
            **({"kind": entry_kind} if entry_kind else {}),
        )
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise SavingsError(exc.message, field=exc.field) from exc
    running = {pk: fresh[pk].balance for pk in fresh}
    txns: list[SavingsTransaction] = []
    for m in moves:
        pk = m.account.pk
        seqs[pk] += 1
        running[pk] += m.amount
        txns.append(
            SavingsTransaction(
                koperasi=koperasi,
                account_id=pk,
                member_id=fresh[pk].member_id,
                seq=seqs[pk],
                kind=m.kind,
                date=date,
                amount=m.amount,
                balance_after=running[pk],
                entry=entry,
                idempotency_key=key,
                memo=(m.memo or memo)[:200],
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
        )
    # The passbook rows and the accounts' new balances: one round trip on PostgreSQL.
    statements = [
        *_transaction_inserts(txns),
        *(
            (
                "UPDATE savings_savingsaccount SET balance = %s, last_seq = %s WHERE id = %s",
                [running[pk], seqs[pk], _db_uuid(pk)],
            )
            for pk in fresh
        ),
    ]
    if writes is None:
        execute_batch(statements)
    else:
        writes.extend(statements)
    for m in moves:
        m.account.balance = running[m.account.pk]
        m.account.last_seq = seqs[m.account.pk]
    return txns


def _ledger_key(key: str) -> str:
    """The journal entry's idempotency key for a savings operation's key."""
    return f"savings:{key}"


def _db_uuid(value):
    return value if connection.features.has_native_uuid_field else value.hex


def _maybe_uuid(value):
    return _db_uuid(value) if isinstance(value, uuid.UUID) else value


def _cash(koperasi) -> str:
    return chart.CASH


def resolve_counter_account(koperasi, code: str | None = None) -> str:
    """The cash or bank account money crosses the counter through: Kas when not chosen.

    Only Kas (1-1100) and the koperasi's open leaf accounts under Kas or Bank (see
    ``selectors.counter_accounts``); anything else (another koperasi's code, a savings or
    revenue account, a closed one) is refused, so a teller can never post a deposit to,
    say, a loan receivable.
    """
    from kopdes.savings.selectors import counter_accounts

    code = str(code or "").strip()
    if not code:
        return chart.CASH
    if code not in dict(counter_accounts(koperasi)):
        raise SavingsError(
            _("Choose Kas or one of the koperasi's bank accounts."), field="counter_account"
        )
    return code


class _MemberState(NamedTuple):
    status: str
    number: str


def _member_statement(member_id) -> tuple[str, list]:
    """The member's status as it is now, to read under the lock (a plain query)."""
    return "SELECT status, number FROM members_member WHERE id = %s", [_db_uuid(member_id)]


def _single(
    account: SavingsAccount,
    *,
    actor,
    roles,
    kind: str,
    amount: int,
    date: dt.date,
    key: str,
    memo: str,
    action: str,
    other_lines: Sequence[LineDraft],
    allow_candidate: bool = False,
) -> SavingsTransaction:
    koperasi = account.koperasi
    move = Move(account, kind, amount, memo)
    # Every other teller of the koperasi waits while this one holds the lock, so under it
    # the operation is two round trips on PostgreSQL: the reads, then the writes with the
    # COMMIT.
    books = ledger.Prefetch(
        koperasi,
        idempotency_key=_ledger_key(key),
        codes=[account.ledger_code, *(line.account for line in other_lines)],
        dates=[date],
    )
    chain = AuditPrefetch(koperasi)
    with transaction.atomic():
        # The lock, the idempotency check, the member's status, the account, what the
        # ledger and the audit chain will read.
        own = [
            lock_statement(ledger.lock_name(koperasi)),
            _replay_statement(koperasi, [move], key),
            _member_statement(account.member_id),
            _accounts_statement(koperasi, [account.pk]),
        ]
        own_rows, book_rows, chain_rows = execute_groups(
            [own, books.statements(), chain.statements()]
        )
        *_lock_rows, found, member_rows, account_rows = own_rows
        books.take(book_rows)
        chain.take(chain_rows)
        replay = _replay(koperasi, [move], key, found)
        if replay is not None:
            return replay[0]
        _require_member_active(_MemberState(*member_rows[0]), allow_candidate=allow_candidate)
        writes: list[tuple[str, list[Any]]] = []
        (txn,) = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=memo or book_text(koperasi, MEMOS[kind], number=account.number),
            moves=[move],
            other_lines=other_lines,
            key=key,
            source=f"savings.{kind}",
            account_rows=account_rows,
            prefetched=books,
            writes=writes,
        )
        record(
            action,
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=txn,
            summary={
                "account": account.number,
                "amount": abs(amount),
                "balance_after": txn.balance_after,
                "entry": txn.entry.number if txn.entry else None,
            },
            prefetched=chain,
            writes=writes,
        )
        execute_batch(writes, commit=True)
    return txn


# --- teller -------------------------------------------------------------------------------


def deposit(
    account: SavingsAccount,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    memo: str = "",
    counter_account: str = "",
) -> SavingsTransaction | WithdrawalRequest:
    """Setoran: cash in (debit Kas, or the bank account chosen) to the member's account
    (credit its control account).

    Above the AD/ART ``deposit_approval_threshold``, or dated more than the AD/ART
    ``backdate_approval_days`` before today, nothing moves yet: a ``WithdrawalRequest``
    of kind ``deposit`` waits for a second officer (``approve_withdrawal``), as a large
    withdrawal does.

    Pokok, wajib and sukarela take deposits; a term deposit is placed once
    (``place_term_deposit``). A deposit to pokok by a calon activates the member.
    """
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    key = _check_key(idempotency_key)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    if account.kind == SavingsKind.TERM:
        raise SavingsError(_("Money cannot be added to a term deposit."), field="account")
    if account.kind == SavingsKind.PRINCIPAL:
        return pay_principal(
            account.member,
            actor=actor,
            date=date,
            idempotency_key=key,
            amount=amount,
            counter_account=counter,
        )
    if amount > koperasi.adart.deposit_approval_threshold or _backdated(koperasi, date):
        # Maker-checker, as for a large withdrawal: nothing moves until another officer
        # approves (approve_withdrawal, which handles both directions). The date is
        # checked now; approval checks it again when it posts. A deposit dated further
        # back than the AD/ART backdate_approval_days waits the same way.
        _business_date(koperasi, date, account)
        return _request_withdrawal(
            account, actor, roles, amount, date, key, memo, counter, kind=TxnKind.DEPOSIT
        )
    return _single(
        account,
        actor=actor,
        roles=roles,
        kind=TxnKind.DEPOSIT,
        amount=amount,
        date=date,
        key=key,
        memo=memo,
        action="savings.deposit.posted",
        other_lines=[LineDraft.debit(counter, amount)],
    )


def pay_principal(
    member,
    *,
    actor,
    date: dt.date,
    idempotency_key: str,
    amount: int | None = None,
    counter_account: str = "",
) -> SavingsTransaction:
    """Simpanan pokok (once, the AD/ART amount). Paying it activates a calon member."""
    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    key = _check_key(idempotency_key)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    _refuse_backdated_deposit(koperasi, date)
    required = koperasi.adart.simpanan_pokok_amount
    if amount is not None and check_amount(amount) != required:
        raise SavingsError(
            _("Simpanan pokok is exactly %(amount)s (AD/ART).")
            % {"amount": format_rupiah(required)},
            field="amount",
        )
    _require_member_active(member, allow_candidate=True)
    with transaction.atomic():
        _lock(koperasi)
        account = account_for(member, SavingsKind.PRINCIPAL, date=date)
        move = Move(account, TxnKind.DEPOSIT, required)
        replay = _replay(koperasi, [move], key)
        if replay is not None:
            return replay[0]
        # Balance, not history: a pokok taken by mistake and corrected can be paid again.
        if account.balance > 0:
            raise SavingsError(
                _("Simpanan pokok of %(member)s has already been paid.")
                % {"member": member.number},
                field="member",
            )
        (txn,) = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["pokok"], member=member.number),
            moves=[move],
            other_lines=[LineDraft.debit(counter, required)],
            key=key,
            source="savings.pokok",
        )
        record(
            "savings.principal.paid",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=txn,
            summary={"member": member.number, "amount": required},
        )
        if member.status == MemberStatus.CANDIDATE:
            from kopdes.members.services import activate_member

            activate_member(member, actor=actor, date=date)
    return txn


def withdraw(
    account: SavingsAccount,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    memo: str = "",
    counter_account: str = "",
) -> SavingsTransaction | WithdrawalRequest:
    """Penarikan from sukarela: never overdraws (balance checked under the ledger lock).

    Above the AD/ART ``withdrawal_approval_threshold``, or dated more than the AD/ART
    ``backdate_approval_days`` before today, nothing moves yet: a ``WithdrawalRequest``
    waits for a second officer (``approve_withdrawal``).
    """
    koperasi = account.koperasi
    roles, amount, date, counter = _withdrawal_inputs(
        account, actor=actor, amount=amount, date=date, counter_account=counter_account
    )
    key = _check_key(idempotency_key)
    # A large or back-dated withdrawal waits for a second officer; its date is checked
    # now (nothing is posted until approval, which checks it again).
    if _withdrawal_waits(koperasi, amount, date):
        _business_date(koperasi, date, account)
        return _request_withdrawal(account, actor, roles, amount, date, key, memo, counter)
    return _single(
        account,
        actor=actor,
        roles=roles,
        kind=TxnKind.WITHDRAWAL,
        amount=-amount,
        date=date,
        key=key,
        memo=memo,
        action="savings.withdrawal.posted",
        other_lines=[LineDraft.credit(counter, amount)],
    )


def _withdrawal_waits(koperasi, amount: int, date: dt.date) -> bool:
    """A large or back-dated withdrawal waits for a second officer (``WithdrawalRequest``)."""
    return amount > koperasi.adart.withdrawal_approval_threshold or _backdated(koperasi, date)


def _withdrawal_inputs(
    account: SavingsAccount, *, actor, amount: Any, date: Any, counter_account: str
) -> tuple[frozenset, int, dt.date, str]:
    """What ``withdraw`` refuses before it takes the lock, shared with ``check_withdrawal``:
    ``(roles, amount, date, counter account)``."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    if account.kind != SavingsKind.VOLUNTARY:
        raise SavingsError(
            _("Only voluntary savings can be withdrawn; pokok and wajib return on exit."),
            field="account",
        )
    return roles, amount, date, counter


def _refuse_second_request(
    koperasi, account: SavingsAccount, kind: str = TxnKind.WITHDRAWAL
) -> None:
    """One waiting withdrawal (or one waiting deposit) per account at a time."""
    if WithdrawalRequest.objects.filter(
        koperasi=koperasi, account_id=account.pk, kind=kind, status=RequestStatus.PENDING
    ).exists():
        raise SavingsError(
            _("A withdrawal from this account is already waiting for approval.")
            if kind == TxnKind.WITHDRAWAL
            else _("A deposit to this account is already waiting for approval."),
            field="account",
        )


@dataclass(frozen=True)
class WithdrawalCheck:
    """What the review step shows once ``check_withdrawal`` found nothing to refuse."""

    amount: int
    balance: int
    needs_approval: bool


def check_withdrawal(
    account: SavingsAccount, *, actor, amount: Any, date: Any, counter_account: str = ""
) -> WithdrawalCheck:
    """A dry run of ``withdraw`` for the review step (page) and the API's check: the same
    refusals with the same messages (permission, amount, date, account kind, counter
    account, the business date, a member who is not active, a closed account, the
    balance, a large withdrawal already waiting), read without the lock; nothing is
    written. ``withdraw`` checks
    everything again under the lock when the teller confirms."""
    koperasi = account.koperasi
    _roles, amount, date, _counter = _withdrawal_inputs(
        account, actor=actor, amount=amount, date=date, counter_account=counter_account
    )
    found = (
        SavingsAccount.objects.filter(koperasi=koperasi, pk=account.pk)
        .values_list("balance", "status", "number", "member__status", "member__number")
        .first()
    )
    if found is None:
        raise SavingsError(_("The account was not found."), field="account")
    balance, status, number, member_status, member_number = found
    _require_member_active(_MemberState(member_status, member_number))
    if status != AccountStatus.OPEN:
        raise _closed(number)
    if balance < amount:
        raise _not_enough(number, balance)
    _business_date(koperasi, date, account)
    needs_approval = _withdrawal_waits(koperasi, amount, date)
    if needs_approval:
        _refuse_second_request(koperasi, account)
    return WithdrawalCheck(amount=amount, balance=balance, needs_approval=needs_approval)


def _request_withdrawal(
    account, actor, roles, amount, date, key, memo, counter=chart.CASH, kind=TxnKind.WITHDRAWAL
) -> WithdrawalRequest:
    """A teller movement that waits for a second officer: a large (or back-dated)
    withdrawal, or a deposit above the AD/ART ``deposit_approval_threshold`` (``kind``)."""
    koperasi = account.koperasi
    with transaction.atomic():
        _lock(koperasi)
        existing = WithdrawalRequest.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            if (existing.account_id, existing.amount, existing.kind) != (
                account.pk,
                amount,
                kind,
            ):
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another transaction with "
                        "different content. Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            existing.replayed = True
            return existing
        member = Member.objects.get(pk=account.member_id)
        _require_member_active(member)
        fresh = SavingsAccount.objects.get(pk=account.pk)
        if kind == TxnKind.WITHDRAWAL and fresh.balance < amount:
            raise _not_enough(fresh.number, fresh.balance)
        _refuse_second_request(koperasi, account, kind)
        request = WithdrawalRequest.objects.create(
            koperasi=koperasi,
            account=account,
            kind=kind,
            amount=amount,
            date=date,
            memo=(memo or "")[:200],
            idempotency_key=key,
            counter_account=counter,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record(
            f"savings.{kind}.requested",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=request,
            summary={"account": account.number, "amount": amount},
        )
    return request


def _second_officer(request, actor, permission: str) -> frozenset:
    """Maker-checker: the deciding officer holds ``permission`` and did not ask."""
    roles = require_perm(actor, request.koperasi, permission)
    if request.requested_by_id == actor.pk:
        raise PermissionDeniedError(
            _("The officer who asked for this cannot approve it; another officer must.")
        )
    return roles


def _reject(request, *, actor, permission, reason, reason_field, action, summary) -> None:
    """Turn a pending request (withdrawal, correction) down, once; nothing moves."""
    roles = _second_officer(request, actor, permission)
    with transaction.atomic():
        updated = (
            type(request)
            .objects.filter(koperasi=request.koperasi, pk=request.pk, status=RequestStatus.PENDING)
            .update(
                status=RequestStatus.REJECTED,
                decided_by=actor,
                decided_at=timezone.now(),
                **{reason_field: (reason or "")[:300]},
            )
        )
        if not updated:
            raise SavingsError(_("This request has already been decided."))
        request.refresh_from_db()
        record(
            action,
            actor=actor,
            koperasi=request.koperasi,
            role=role_label(roles),
            obj=request,
            summary=summary(request),
        )


def approve_withdrawal(request: WithdrawalRequest, *, actor) -> SavingsTransaction:
    """A second officer approves a waiting withdrawal (the balance is checked again) or a
    large deposit (``request.kind``): the money moves now.

    The officer who asked can never approve (also a database check constraint).
    """
    koperasi = request.koperasi
    roles = _second_officer(request, actor, "savings.approve_withdrawal")
    with transaction.atomic():
        _lock(koperasi)
        request = WithdrawalRequest.objects.select_related("account").get(pk=request.pk)
        if request.status != RequestStatus.PENDING:
            raise SavingsError(_("This request has already been decided."))
        account = request.account
        member = Member.objects.get(pk=account.member_id)
        _require_member_active(member)
        incoming = request.kind == TxnKind.DEPOSIT
        counter_line = LineDraft.debit if incoming else LineDraft.credit
        (txn,) = _apply(
            koperasi,
            actor=actor,
            date=request.date,
            memo=request.memo or book_text(koperasi, MEMOS[request.kind], number=account.number),
            moves=[
                Move(
                    account,
                    request.kind,
                    request.amount if incoming else -request.amount,
                    request.memo,
                )
            ],
            other_lines=[counter_line(request.counter_account, request.amount)],
            key=request.idempotency_key,
            source=f"savings.{request.kind}",
        )
        request.status = RequestStatus.APPROVED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.transaction = txn
        request.save(update_fields=["status", "decided_by", "decided_at", "transaction"])
        record(
            f"savings.{request.kind}.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=request,
            summary={
                "account": account.number,
                "amount": request.amount,
                "requested_by": str(request.requested_by),
                "entry": txn.entry.number if txn.entry else None,
            },
        )
    return txn


def reject_withdrawal(request: WithdrawalRequest, *, actor, reason: str = "") -> WithdrawalRequest:
    """A second officer turns a waiting withdrawal or deposit down; nothing moves."""
    _reject(
        request, actor=actor, permission="savings.approve_withdrawal", reason=reason,
        reason_field="reason", action=f"savings.{request.kind}.rejected",
        summary=lambda r: {"amount": r.amount, "reason": r.reason},
    )  # fmt: skip
    return request


TRANSFER_TARGETS = {SavingsKind.VOLUNTARY, SavingsKind.MANDATORY}


def _transfer_inputs(
    source: SavingsAccount, target: SavingsAccount, *, actor, amount: Any, date: Any
) -> tuple[frozenset, int, dt.date]:
    """What ``transfer`` refuses before it takes the lock, shared with ``check_transfer``."""
    koperasi = source.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    date = _check_date(date)
    if target.koperasi_id != source.koperasi_id or target.member_id != source.member_id:
        raise SavingsError(_("A transfer stays within one member's savings."), field="target")
    if source.pk == target.pk:
        raise SavingsError(_("Choose two different accounts."), field="target")
    if source.kind != SavingsKind.VOLUNTARY or target.kind not in TRANSFER_TARGETS:
        raise SavingsError(
            _("Transfers go from voluntary savings to voluntary or mandatory savings."),
            field="target",
        )
    if amount > koperasi.adart.withdrawal_approval_threshold:
        raise SavingsError(
            _("A transfer above %(limit)s must be done as an approved withdrawal and a deposit.")
            % {"limit": format_rupiah(koperasi.adart.withdrawal_approval_threshold)},
            field="amount",
        )
    return roles, amount, date


def check_transfer(
    source: SavingsAccount, target: SavingsAccount, *, actor, amount: Any, date: Any
) -> int:
    """A dry run of ``transfer`` for the review step: its refusals (as ``check_withdrawal``
    for a withdrawal), read without the lock, nothing written. The source's balance."""
    koperasi = source.koperasi
    _roles, amount, date = _transfer_inputs(source, target, actor=actor, amount=amount, date=date)
    _business_date(koperasi, date, source)
    _business_date(koperasi, date, target)
    rows = dict(
        (pk, rest)
        for pk, *rest in SavingsAccount.objects.filter(
            koperasi=koperasi, pk__in=[source.pk, target.pk]
        ).values_list("pk", "balance", "status", "number", "member__status", "member__number")
    )
    if len(rows) != 2:
        raise SavingsError(_("The account was not found."), field="account")
    balance, _status, number, member_status, member_number = rows[source.pk]
    _require_member_active(_MemberState(member_status, member_number))
    for pk in (source.pk, target.pk):
        if rows[pk][1] != AccountStatus.OPEN:
            raise _closed(rows[pk][2])
    if balance < amount:
        raise _not_enough(number, balance)
    return balance


def transfer(
    source: SavingsAccount,
    target: SavingsAccount,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    memo: str = "",
) -> tuple[SavingsTransaction, SavingsTransaction]:
    """Pemindahbukuan between one member's accounts: from sukarela to sukarela or wajib."""
    koperasi = source.koperasi
    roles, amount, date = _transfer_inputs(source, target, actor=actor, amount=amount, date=date)
    key = _check_key(idempotency_key)
    moves = [
        Move(
            source,
            TxnKind.TRANSFER_OUT,
            -amount,
            memo or book_text(koperasi, MEMOS["to"], number=target.number),
        ),
        Move(
            target,
            TxnKind.TRANSFER_IN,
            amount,
            memo or book_text(koperasi, MEMOS["from"], number=source.number),
        ),
    ]
    with transaction.atomic():
        _lock(koperasi)
        replay = _replay(koperasi, moves, key)
        if replay is not None:
            return replay[0], replay[1]
        member = Member.objects.get(pk=source.member_id)
        _require_member_active(member)
        out, into = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["transfer"], source=source.number, target=target.number),
            moves=moves,
            other_lines=[],
            key=key,
            source="savings.transfer",
        )
        record(
            "savings.transfer.posted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=out,
            summary={"from": source.number, "to": target.number, "amount": amount},
        )
    return out, into


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


# --- monthly jasa -------------------------------------------------------------------------


@dataclass
class _AccountRef:
    """What a jasa move needs of an account, read once under the ledger lock."""

    pk: Any
    balance: int
    last_seq: int
    member_id: Any
    product_id: Any
    ledger_code: str = chart.VOLUNTARY_SAVINGS


def _uuid_adapter():
    """``uuid -> database value`` for raw statements, decided once per call (reading
    ``connection.features`` per value cost more than the insert in the jasa run)."""
    if connection.features.has_native_uuid_field:
        return lambda value: value
    return lambda value: value.hex


def _insert_jasa_postings(koperasi, period: int, rows: Sequence[tuple]) -> None:
    """(account id, basis, jasa, tax, entry id) rows in one prepared statement."""
    if not rows:
        return
    db = _uuid_adapter()
    kop = db(koperasi.pk)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO savings_jasaposting (id, koperasi_id, account_id, period, "
            "basis_amount, jasa_amount, tax_amount, entry_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (db(uuid7()), kop, db(acc), period, basis, jasa, tax, db(entry) if entry else None)
                for acc, basis, jasa, tax, entry in rows
            ],
        )


@dataclass
class JasaRun:
    period: int
    accounts: int = 0  # accounts that earned jasa in this run
    skipped: int = 0  # already done for this month
    jasa_total: int = 0
    tax_total: int = 0
    entries: list[int] = field(default_factory=list)


def post_monthly_jasa(koperasi, *, actor, year: int, month: int) -> JasaRun:
    """Credit a month's jasa to every open sukarela account; withhold the final tax.

    Idempotent per account per month (``JasaPosting``): running it twice posts once. The
    basis is each product's (lowest or average daily balance); the tax is on each member's
    jasa of the month (incl. term-deposit jasa already paid that month) above the
    threshold, withheld to 2-1400. Dated the month's last day, one entry per
    ``JASA_BATCH`` accounts (a total debit to beban jasa simpanan).
    """
    roles = require_perm(actor, koperasi, "savings.run_jasa")
    if not (2000 <= int(year) <= 9999 and 1 <= int(month) <= 12):
        raise SavingsError(_("The month is not valid."), field="month")
    first = dt.date(year, month, 1)
    last = dt.date(year, month, rules.days_in_month(year, month))
    if last >= timezone.localdate():
        raise SavingsError(_("Jasa for a month is posted after the month has ended."))
    period = year * 100 + month
    run = JasaRun(period=period)
    with transaction.atomic():
        _lock(koperasi)
        done = set(
            JasaPosting.objects.filter(koperasi=koperasi, period=period).values_list(
                "account_id", flat=True
            )
        )
        products = {p.pk: p for p in SavingsProduct.objects.filter(koperasi=koperasi)}
        rates = {pk: _rate(p.rate_percent, p.rate_per) for pk, p in products.items()}
        # Plain rows (10,000 model instances cost more than the arithmetic).
        accounts = [
            _AccountRef(pk, balance, last_seq, member_id, product_id, code)
            for pk, balance, last_seq, member_id, product_id, code in SavingsAccount.objects.filter(
                koperasi=koperasi,
                kind=SavingsKind.VOLUNTARY,
                status=AccountStatus.OPEN,
                opened_on__lte=last,
            ).values_list("pk", "balance", "last_seq", "member_id", "product_id", "ledger_code")
            if pk not in done
        ]
        run.skipped = len(done)
        if not accounts:
            return run
        # Movements from the month's first day on: the month's points and, summed, what
        # takes the current balance back to the opening balance.
        # Raw rows (tens of thousands): the ORM's per-value uuid and date converters cost
        # more than the query; ids stay in the database's form, days are parsed only for
        # the month's own points.
        since: dict[Any, int] = defaultdict(int)
        points: dict[Any, list[tuple[Any, int, int]]] = defaultdict(list)
        sql, params = (
            SavingsTransaction.objects.filter(
                koperasi=koperasi, date__gte=first, account__kind=SavingsKind.VOLUNTARY
            )
            .order_by()
            .values_list("account_id", "date", "seq", "amount")
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            movements = cursor.fetchall()
        text_days = bool(movements) and isinstance(movements[0][1], str)
        cut = last.isoformat() if text_days else last
        for acc_id, day, seq, amount in movements:
            since[acc_id] += amount
            if day <= cut:
                points[acc_id].append((day, seq, amount))
        db = _uuid_adapter()
        earned: list[tuple[SavingsAccount, int, int]] = []  # account, basis, jasa
        zero: list[tuple] = []
        for a in accounts:
            key = db(a.pk)
            opening = a.balance - since.get(key, 0)
            running = opening
            changes = []
            for day, _seq, amount in sorted(points.get(key, [])):
                running += amount
                changes.append((dt.date.fromisoformat(day) if text_days else day, running))
            product = products[a.product_id]
            rate = rates[a.product_id]
            basis = rules.jasa_basis(product.jasa_basis, opening, changes, year, month)
            jasa = rules.jasa_on(basis, rate, minimum_balance=product.minimum_balance)
            basis_sen = int(basis)
            if jasa > 0:
                earned.append((a, basis_sen, jasa))
            else:
                zero.append((a.pk, basis_sen, 0, 0, None))
        _insert_jasa_postings(koperasi, period, zero)
        # Tax per member over the month's jasa (this run + what was paid earlier).
        member_ids = {a.member_id for a, _b, _j in earned}
        prior: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        for member_id, kind, total in (
            SavingsTransaction.objects.filter(
                koperasi=koperasi,
                kind__in=[TxnKind.JASA, TxnKind.TAX],
                date__gte=first,
                date__lte=last,
            )
            .values_list("member_id", "kind")
            .annotate(total=Sum("amount"))
            .values_list("member_id", "kind", "total")
        ):
            if member_id in member_ids:
                prior[member_id][0 if kind == TxnKind.JASA else 1] += abs(total)
        by_member: dict[Any, list[int]] = defaultdict(list)
        for i, (a, _b, _j) in enumerate(earned):
            by_member[a.member_id].append(i)
        taxes = [0] * len(earned)
        for member_id, idxs in by_member.items():
            run_jasa = sum(earned[i][2] for i in idxs)
            pj, pt = prior[member_id]
            due = max(rules.jasa_tax(pj + run_jasa) - pt, 0)
            if due:
                parts = allocate_by_weights(due // 100, [earned[i][2] for i in idxs])
                for i, part in zip(idxs, parts, strict=True):
                    taxes[i] = part * 100
        _post_jasa(koperasi, actor, run, earned, taxes, year=year, month=month, last=last)
        run.accounts = len(earned)
        record(
            "savings.jasa.posted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            object_type="savings.jasaposting",
            summary={
                "period": period,
                "accounts": run.accounts,
                "jasa": run.jasa_total,
                "tax": run.tax_total,
                "entries": run.entries,
            },
        )
    return run


def _post_jasa(koperasi, actor, run: JasaRun, earned, taxes, *, year, month, last) -> None:
    """Post the run's entries (one per ``JASA_BATCH`` accounts) and record their rows.

    The month's bulk path: the accounts were read once under the lock (nothing else can
    move them meanwhile), the entries go to the books in one ``ledger.post_many`` call
    when the ledger has it (else one ``post`` each), and the passbook rows, the balance
    updates and the ``JasaPosting`` rows are each one prepared statement for the whole
    run, built as plain tuples (10,000 model instances cost more than the inserts).
    """
    period = year * 100 + month
    label = f"{month:02d}/{year}"
    jasa_memo = book_text(koperasi, MEMOS["jasa"], month=label)
    tax_memo = book_text(koperasi, MEMOS["jasa_tax"], month=label)
    batches = []
    for start in range(0, len(earned), JASA_BATCH):
        batch = earned[start : start + JASA_BATCH]
        batch_tax = taxes[start : start + JASA_BATCH]
        lines: list[LineDraft] = []
        for (a, _b, j), t in zip(batch, batch_tax, strict=True):
            ref = str(a.pk)
            lines.append(
                LineDraft.credit(
                    a.ledger_code, j, subledger_kind=SUBLEDGER, subledger_ref=ref,
                    memo=jasa_memo,
                )
            )  # fmt: skip
            if t:
                lines.append(
                    LineDraft.debit(
                        a.ledger_code, t, subledger_kind=SUBLEDGER, subledger_ref=ref,
                        memo=tax_memo,
                    )
                )  # fmt: skip
        total_jasa = sum(j for _a, _b, j in batch)
        total_tax = sum(batch_tax)
        lines.append(LineDraft.debit(chart.SAVINGS_INTEREST_EXPENSE, total_jasa))
        if total_tax:
            lines.append(LineDraft.credit(chart.TAX_PAYABLE, total_tax))
        digest = hashlib.sha256(",".join(str(a.pk) for a, _b, _j in batch).encode())
        key = f"jasa:{period}:{digest.hexdigest()[:32]}"
        batches.append((batch, batch_tax, key, lines, total_jasa, total_tax))
    memo = book_text(koperasi, MEMOS["jasa_run"], month=label)
    try:
        posted = _post_entries(koperasi, actor, last, memo, batches)
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise SavingsError(exc.message, field=exc.field) from exc
    db = _uuid_adapter()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value(last)
    kop = db(koperasi.pk)
    by = None
    if actor is not None and actor.is_authenticated:
        by = db(actor.pk) if isinstance(actor.pk, uuid.UUID) else actor.pk
    txn_rows, account_rows, postings = [], [], []
    for (batch, batch_tax, key, _lines, total_jasa, total_tax), (entry_id, number, replayed) in zip(
        batches, posted, strict=True
    ):
        run.entries.append(number)
        run.jasa_total += total_jasa
        run.tax_total += total_tax
        if replayed:  # recorded by an earlier, identical run: rows exist already
            continue
        entry = db(entry_id)
        for (a, basis, j), t in zip(batch, batch_tax, strict=True):
            acc, member = db(a.pk), db(a.member_id)
            seq, balance = a.last_seq + 1, a.balance + j
            txn_rows.append(
                (db(uuid7()), kop, acc, member, seq, TxnKind.JASA.value, day, j, balance,
                 entry, key, jasa_memo, by, now)
            )  # fmt: skip
            if t:
                seq, balance = seq + 1, balance - t
                txn_rows.append(
                    (db(uuid7()), kop, acc, member, seq, TxnKind.TAX.value, day, -t, balance,
                     entry, key, tax_memo, by, now)
                )  # fmt: skip
            account_rows.append((balance, seq, acc))
            postings.append((a.pk, basis, j, t, entry_id))
    columns = ", ".join(_TXN_COLUMNS)
    marks = ", ".join(["%s"] * len(_TXN_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO savings_savingstransaction ({columns}) VALUES ({marks})",  # noqa: S608
            txn_rows,
        )
        cursor.executemany(
            "UPDATE savings_savingsaccount SET balance = %s, last_seq = %s WHERE id = %s",
            account_rows,
        )
    _insert_jasa_postings(koperasi, period, postings)


def _post_entries(koperasi, actor, date: dt.date, memo: str, batches) -> list[tuple]:
    """``[(entry id, number, replayed)]`` for the jasa batches, in order."""
    post_many = getattr(ledger, "post_many", None)
    if post_many is not None:
        requests = [
            ledger.EntryRequest(
                date=date, memo=memo, lines=lines, idempotency_key=f"savings:{key}",
                source="savings.jasa",
            )
            for _b, _t, key, lines, _j, _x in batches
        ]  # fmt: skip
        return [(p.id, p.number, p.replayed) for p in post_many(koperasi, actor=actor,
                                                                entries=requests)]  # fmt: skip
    out = []
    for _b, _t, key, lines, _j, _x in batches:
        entry = ledger.post(
            koperasi, actor=actor, date=date, memo=memo, lines=lines,
            idempotency_key=f"savings:{key}", source="savings.jasa",
        )  # fmt: skip
        out.append((entry.pk, entry.number, getattr(entry, "replayed", False)))
    return out


# --- passbook -----------------------------------------------------------------------------


def mark_passbook_printed(account: SavingsAccount, *, actor, upto_seq: int) -> SavingsAccount:
    """Remember that the passbook is printed up to movement ``upto_seq`` (never backwards)."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    with transaction.atomic():
        fresh = SavingsAccount.objects.get(koperasi=koperasi, pk=account.pk)
        if not isinstance(upto_seq, int) or not fresh.printed_seq < upto_seq <= fresh.last_seq:
            raise SavingsError(_("Nothing new to mark as printed."), field="upto_seq")
        SavingsAccount.objects.filter(pk=fresh.pk).update(printed_seq=upto_seq)
        record(
            "savings.passbook.printed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=fresh,
            summary={"account": fresh.number, "from": fresh.printed_seq + 1, "to": upto_seq},
        )
        fresh.printed_seq = upto_seq
    return fresh


# --- exit ---------------------------------------------------------------------------------


def settle_member_exit(member, *, actor, date: dt.date) -> dict[str, Any]:
    """Return a leaving member's savings less what they still owe, and close the accounts.

    Called by ``members`` when an exit is approved (inside its transaction). Pokok, wajib
    and sukarela are paid out; open term deposits their principal without penalty or
    jasa. What the member owes on ``date`` (each active loan's payoff amount: denda, jasa
    to date and pokok, from the providers in ``platform.core.obligations``) is paid off
    first, as a pelunasan through the loans service, so the schedule closes; only the
    remainder leaves in cash. In the books the savings are paid out in Kas (one entry)
    and each loan is paid off into Kas (its own entry): the net cash out is the
    remainder. If the savings do not cover the debts the exit is refused (nothing is
    written; the member pays the difference first or the loan goes through the loans
    app's write-off). Unpaid wajib months are not deducted: wajib collected now would be
    returned at once. Idempotent: a second call finds nothing left and returns zeros.
    """
    from kopdes.platform.core.obligations import member_obligations

    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.settle_exit")
    date = _check_date(date)
    with transaction.atomic():
        _lock(koperasi)
        accounts = list(
            SavingsAccount.objects.filter(
                koperasi=koperasi, member=member, status=AccountStatus.OPEN
            ).order_by("number")
        )
        paying = [a for a in accounts if a.balance > 0]
        total = sum(a.balance for a in paying)
        per_kind: dict[str, int] = defaultdict(int)
        for a in paying:
            per_kind[a.kind] += a.balance
        debts = member_obligations(member, date)
        owed = sum(d.amount for d in debts)
        if owed > total:
            raise SavingsError(
                _(
                    "%(member)s still owes %(owed)s but has only %(savings)s in savings: "
                    "the difference of %(short)s must be paid first (or the loan handled in "
                    "the loans menu). The exit was not recorded."
                )
                % {
                    "member": member.number,
                    "owed": format_rupiah(owed),
                    "savings": format_rupiah(total),
                    "short": format_rupiah(owed - total),
                },
                field="member",
            )
        if paying:
            returned = book_text(koperasi, MEMOS["returned"])
            _apply(
                koperasi,
                actor=actor,
                date=date,
                memo=book_text(koperasi, MEMOS["exit"], member=member.number),
                moves=[Move(a, TxnKind.PAYOUT, -a.balance, returned) for a in paying],
                other_lines=[LineDraft.credit(_cash(koperasi), total)],
                key=f"exit:{member.pk}",
                source="savings.exit",
            )
        for debt in debts:
            debt.settle(actor=actor, idempotency_key=f"exit:{member.pk}:{debt.kind}:{debt.ref}")
        SavingsAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(
            status=AccountStatus.CLOSED, closed_on=date
        )
        WithdrawalRequest.objects.filter(
            koperasi=koperasi, account__member=member, status=RequestStatus.PENDING
        ).update(status=RequestStatus.REJECTED, reason="Anggota keluar", decided_at=timezone.now())
        offsets = [{"kind": d.kind, "ref": d.ref, "amount": d.amount} for d in debts]
        record(
            "savings.exit.settled",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=member,
            summary={
                "member": member.number,
                "total": total,
                "per_kind": dict(per_kind),
                "offset": owed,
                "paid": total - owed,
                "obligations": offsets,
            },
        )
    return {
        "total": total,
        "per_kind": dict(per_kind),
        "accounts": len(accounts),
        "offset": owed,
        "paid": total - owed,
        "obligations": offsets,
    }


# --- batch posting (demo, opening balances) -----------------------------------------------


def post_cash_batch(
    koperasi,
    *,
    actor,
    date: dt.date,
    moves: Sequence[Move],
    idempotency_key: str,
    memo: str,
    source: str = "savings.batch",
    counter_account: str = chart.CASH,
) -> list[SavingsTransaction]:
    """Many members' deposits (+) / withdrawals (-) in one entry against ``counter_account``.

    For collections (wajib day in the village hall), the demo and opening balances. Every
    member must be active (pokok: or a calon); balances never go below zero.
    """
    roles = require_perm(actor, koperasi, "savings.teller")
    key = _check_key(idempotency_key)
    date = _check_date(date)
    if not moves:
        raise SavingsError(_("Nothing to post."))
    for m in moves:
        if m.account.koperasi_id != koperasi.pk:
            raise SavingsError(_("The account was not found."), field="account")
        if not isinstance(m.amount, int) or m.amount == 0 or abs(m.amount) > MAX_SEN:
            raise SavingsError(_("The amount must be more than zero."), field="amount")
    with transaction.atomic():
        _lock(koperasi)
        replay = _replay(koperasi, moves, key)
        if replay is not None:
            return replay
        statuses = dict(
            Member.objects.filter(
                koperasi=koperasi, pk__in={m.account.member_id for m in moves}
            ).values_list("pk", "status")
        )
        for m in moves:
            allowed = {MemberStatus.ACTIVE}
            if m.account.kind == SavingsKind.PRINCIPAL:
                allowed.add(MemberStatus.CANDIDATE)
            if statuses.get(m.account.member_id) not in allowed:
                raise SavingsError(
                    _("Savings are only for active members; %(member)s is not an active member.")
                    % {"member": m.account.number},
                    field="member",
                )
        net = sum(m.amount for m in moves)
        other = []
        if net > 0:
            other.append(LineDraft.debit(counter_account, net))
        elif net < 0:
            other.append(LineDraft.credit(counter_account, -net))
        txns = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=memo,
            moves=moves,
            other_lines=other,
            key=key,
            source=source,
        )
        record(
            "savings.batch.posted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            object_type="savings.batch",
            summary={"moves": len(moves), "net": net, "entry": txns[0].entry.number},
        )
    return txns


# --- corrections (koreksi) ----------------------------------------------------------------

# Teller movements a correction may undo, and the entries they can come from. Jasa, tax,
# opening balances, term deposits and exit payouts have their own flows; a savings move
# made by the loans app is corrected there.
CORRECTABLE_KINDS = frozenset(
    {TxnKind.DEPOSIT, TxnKind.WITHDRAWAL, TxnKind.TRANSFER_IN, TxnKind.TRANSFER_OUT}
)
CORRECTABLE_SOURCES = frozenset(
    {"savings.deposit", "savings.withdrawal", "savings.pokok", "savings.transfer", "savings.batch"}
)


def _correction_scope(txn: SavingsTransaction) -> tuple[bool, list[SavingsTransaction]]:
    """(whole entry?, the rows to mirror). One member's operation (a deposit, both sides
    of a transfer) is undone as a whole; a collection of many members only this row."""
    rows = list(
        SavingsTransaction.objects.filter(koperasi_id=txn.koperasi_id, entry_id=txn.entry_id)
        .select_related("account")
        .order_by("id")
    )
    if len({r.member_id for r in rows}) == 1:
        return True, rows
    return False, [r for r in rows if r.pk == txn.pk]


def _check_reason(reason: str) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise SavingsError(_("Please write the reason for the correction."), field="reason")
    if len(reason) > 300:
        raise SavingsError(_("The reason may be at most 300 characters."), field="reason")
    return reason


def _already_corrected(koperasi, txn: SavingsTransaction, whole: bool, rows) -> None:
    from kopdes.ledger.models import JournalEntry

    open_requests = Correction.objects.filter(koperasi=koperasi).exclude(
        status=RequestStatus.REJECTED
    )
    if whole:
        open_requests = open_requests.filter(entry_id=txn.entry_id)
    else:
        open_requests = open_requests.filter(
            Q(transaction_id=txn.pk) | Q(entry_id=txn.entry_id, whole_entry=True)
        )
    found = open_requests.first()
    if found is not None:
        if found.status == RequestStatus.PENDING:
            raise SavingsError(
                _("A correction of this transaction is already waiting for approval.")
            )
        raise SavingsError(_("This transaction has already been corrected."))
    if JournalEntry.objects.filter(koperasi=koperasi, reverses_id=txn.entry_id).exists():
        raise SavingsError(_("This transaction has already been corrected."))


def request_correction(
    txn: SavingsTransaction,
    *,
    actor,
    reason: str,
    idempotency_key: str,
    date: dt.date | None = None,
):
    """Ask for a posted teller movement to be corrected (koreksi). Maker step.

    Deposits, withdrawals, transfers and pokok/wajib collections can be corrected; a
    second officer with ``savings.approve_correction`` approves (``approve_correction``).
    Nothing moves yet. The same key again returns the first request (``replayed``).
    Audited as ``savings.correction.requested``.
    """

    koperasi = txn.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    reason = _check_reason(reason)
    key = _check_key(idempotency_key)
    date = _business_date(koperasi, _check_date(date or koperasi.today()), txn.account)
    with transaction.atomic():
        _lock(koperasi)
        existing = Correction.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            if existing.transaction_id != txn.pk:
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another transaction with "
                        "different content. Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            existing.replayed = True
            return existing
        txn = SavingsTransaction.objects.select_related("entry", "account").get(pk=txn.pk)
        if (
            txn.kind not in CORRECTABLE_KINDS
            or txn.entry is None
            or txn.entry.source not in CORRECTABLE_SOURCES
        ):
            raise SavingsError(
                _(
                    "Only deposits, withdrawals, transfers and pokok/wajib collections made at "
                    "the counter can be corrected here."
                ),
                field="transaction",
            )
        if date < txn.date:
            raise SavingsError(
                _("The correction cannot be dated before the transaction."), field="date"
            )
        whole, rows = _correction_scope(txn)
        _already_corrected(koperasi, txn, whole, rows)
        if not whole and len(_counter_lines(txn.entry)) != 1:
            raise SavingsError(
                _("This collection cannot be corrected row by row; ask the bookkeeper."),
                field="transaction",
            )
        correction = Correction.objects.create(
            koperasi=koperasi,
            transaction=rows[0] if whole else txn,
            entry=txn.entry,
            whole_entry=whole,
            reason=reason,
            date=date,
            idempotency_key=key,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record(
            "savings.correction.requested",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=correction,
            summary={
                "account": txn.account.number,
                "kind": txn.kind,
                "amount": txn.amount,
                "entry": txn.entry.number,
                "reason": reason,
            },
        )
    return correction


def _counter_lines(entry) -> list[LineDraft]:
    """The entry's lines off the savings sub-ledger (the cash side), mirrored."""
    return ledger_selectors.mirrored_lines(entry, except_subledger=SUBLEDGER)


def _refuse_negative(koperasi, rows) -> None:
    """A correction never takes a balance below zero: the money put in by the wrong
    deposit may already have been taken out (or moved on)."""
    effect: dict[Any, int] = defaultdict(int)
    for r in rows:
        effect[r.account_id] -= r.amount
    for acc_id, number, balance, status in SavingsAccount.objects.filter(
        koperasi=koperasi, pk__in=list(effect)
    ).values_list("pk", "number", "balance", "status"):
        if status != AccountStatus.OPEN:
            raise SavingsError(
                _("Account %(number)s is closed; it cannot be corrected.") % {"number": number},
                field="transaction",
            )
        if balance + effect[acc_id] < 0:
            raise SavingsError(
                _(
                    "This correction would make the balance of %(number)s negative: only "
                    "%(balance)s is left, the money has already been taken out. Nothing was "
                    "recorded."
                )
                % {"number": number, "balance": format_rupiah(balance)},
                field="transaction",
            )


def approve_correction(correction, *, actor):
    """A second officer approves a correction: the reversing entry is posted now.

    The officer who asked can never approve (also a database check constraint). A whole
    operation is mirrored line for line and the new entry ``reverses`` the original; a
    row of a many-member collection is mirrored with its share of the counter line. Each
    undone row gets a new passbook row of kind ``correction`` (the original is never
    edited). Refused if a balance would go below zero. Approving an approved correction
    again returns it unchanged (``replayed``). Audited as ``savings.correction.approved``.
    """
    from kopdes.ledger.choices import EntryKind

    koperasi = correction.koperasi
    roles = _second_officer(correction, actor, "savings.approve_correction")
    with transaction.atomic():
        _lock(koperasi)
        c = Correction.objects.select_related("entry", "transaction").get(
            koperasi=koperasi, pk=correction.pk
        )
        if c.status == RequestStatus.APPROVED:
            c.replayed = True
            return c
        if c.status != RequestStatus.PENDING:
            raise SavingsError(_("This request has already been decided."))
        if c.whole_entry:
            rows = list(
                SavingsTransaction.objects.filter(koperasi=koperasi, entry_id=c.entry_id)
                .select_related("account")
                .order_by("id")
            )
            other = _counter_lines(c.entry)
        else:
            rows = [SavingsTransaction.objects.select_related("account").get(pk=c.transaction_id)]
            (counter,) = [line.account for line in _counter_lines(c.entry)]
            amount = rows[0].amount
            other = [
                LineDraft.credit(counter, amount)
                if amount > 0
                else LineDraft.debit(counter, -amount)
            ]
        _refuse_negative(koperasi, rows)
        moves = [
            Move(
                r.account,
                TxnKind.CORRECTION,
                -r.amount,
                book_text(koperasi, MEMOS["correction_row"], seq=r.seq, reason=c.reason)[:200],
            )
            for r in rows
        ]
        correction_memo = book_text(
            koperasi, MEMOS["correction"], number=c.entry.number, reason=c.reason
        )
        txns = _apply(
            koperasi,
            actor=actor,
            date=c.date,
            memo=correction_memo[:500],
            moves=moves,
            other_lines=other,
            key=f"correction:{c.pk}",
            source="savings.correction",
            reverses=c.entry if c.whole_entry else None,
            entry_kind=EntryKind.REVERSAL,
        )
        entry = txns[0].entry
        c.status = RequestStatus.APPROVED
        c.decided_by = actor
        c.decided_at = timezone.now()
        c.reversal_entry = entry
        c.save(update_fields=["status", "decided_by", "decided_at", "reversal_entry"])
        _undo_activation(koperasi, rows, actor=actor, date=c.date)
        record(
            "savings.correction.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=c,
            summary={
                "entry": c.entry.number,
                "reversal": entry.number,
                "rows": [{"account": r.account.number, "amount": -r.amount} for r in rows],
                "requested_by": str(c.requested_by_id),
            },
        )
    c.transactions = txns
    return c


def _undo_activation(koperasi, rows, *, actor, date: dt.date) -> None:
    """A corrected pokok that had made a calon aktif: the member is a calon again."""
    for r in rows:
        if r.account.kind != SavingsKind.PRINCIPAL:
            continue
        if SavingsAccount.objects.filter(pk=r.account_id, balance__gt=0).exists():
            continue
        from kopdes.members.services import return_to_candidate

        others = SavingsAccount.objects.filter(
            koperasi=koperasi, member_id=r.member_id, balance__gt=0
        ).exclude(kind=SavingsKind.PRINCIPAL)
        if others.exists():
            raise SavingsError(
                _(
                    "Without simpanan pokok this member is a candidate again, but they still "
                    "have other savings: correct or return those first. Nothing was recorded."
                ),
                field="transaction",
            )
        member = Member.objects.get(koperasi=koperasi, pk=r.member_id)
        member.koperasi = koperasi
        return_to_candidate(member, actor=actor, date=date)


def reject_correction(correction, *, actor, reason: str = ""):
    """A second officer turns a correction down; nothing moves. Audited."""
    _reject(
        correction, actor=actor, permission="savings.approve_correction", reason=reason,
        reason_field="reject_reason", action="savings.correction.rejected",
        summary=lambda c: {"entry_id": str(c.entry_id), "reason": c.reject_reason},
    )  # fmt: skip
    return correction
