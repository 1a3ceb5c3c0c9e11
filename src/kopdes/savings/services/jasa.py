"""The monthly jasa run (its bulk reads and inserts are in ``savings.posting``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import savings as rules
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import allocate_by_weights
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.ids import uuid7
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings import posting
from kopdes.savings.choices import (
    AccountStatus,
    SavingsKind,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    JasaPosting,
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
)
from kopdes.savings.services._common import MEMOS, SUBLEDGER, _lock
from kopdes.savings.services.term_deposits import _rate

JASA_BATCH = 400  # accounts per jasa journal entry
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
        movements = posting.movements_since(
            SavingsTransaction.objects.filter(
                koperasi=koperasi, date__gte=first, account__kind=SavingsKind.VOLUNTARY
            )
            .order_by()
            .values_list("account_id", "date", "seq", "amount")
        )
        text_days = bool(movements) and isinstance(movements[0][1], str)
        cut = last.isoformat() if text_days else last
        for acc_id, day, seq, amount in movements:
            since[acc_id] += amount
            if day <= cut:
                points[acc_id].append((day, seq, amount))
        db = posting.uuid_adapter()
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
        _post_jasa(koperasi, actor, run, earned, taxes, zero, year=year, month=month, last=last)
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


def _post_jasa(koperasi, actor, run: JasaRun, earned, taxes, zero, *, year, month, last) -> None:
    """Post the run's entries (one per ``JASA_BATCH`` accounts) and record their rows.

    The month's bulk path: the accounts were read once under the lock (nothing else can
    move them meanwhile), the entries go to the books in one ``ledger.post_many`` call
    when the ledger has it (else one ``post`` each), and the passbook rows, the balance
    updates and the ``JasaPosting`` rows are each one prepared statement for the whole
    run, built as plain tuples (10,000 model instances cost more than the inserts).
    ``zero``: the ``JasaPosting`` rows of the accounts that earned nothing.
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
    db = posting.uuid_adapter()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value(last)
    kop = db(koperasi.pk)
    by = None
    if actor is not None and actor.is_authenticated:
        by = db(actor.pk) if isinstance(actor.pk, uuid.UUID) else actor.pk

    def jasa_posting(acc, basis, jasa, tax, entry_id) -> posting.JasaPostingRow:
        entry = db(entry_id) if entry_id else None
        return posting.JasaPostingRow(db(uuid7()), kop, db(acc), period, basis, jasa, tax, entry)

    txn_rows: list[posting.TxnRow] = []
    balances: list[posting.BalanceUpdate] = []
    postings = [jasa_posting(*row) for row in zero]
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
                posting.TxnRow(db(uuid7()), kop, acc, member, seq, TxnKind.JASA.value, day, j,
                               balance, entry, key, jasa_memo, by, now)
            )  # fmt: skip
            if t:
                seq, balance = seq + 1, balance - t
                txn_rows.append(
                    posting.TxnRow(db(uuid7()), kop, acc, member, seq, TxnKind.TAX.value, day,
                                   -t, balance, entry, key, tax_memo, by, now)
                )  # fmt: skip
            balances.append(posting.BalanceUpdate(balance, seq, acc))
            postings.append(jasa_posting(a.pk, basis, j, t, entry_id))
    posting.write_run(txn_rows, balances, postings)


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
