"""Double-entry rules of the journal: validation, canonical form and the hash chain.

Pure: the posting service (``kopdes.ledger.services.post``) reads accounts and periods from
the database, then asks this module whether the entry may be posted, how it is serialised
and what its hash is. ``kopdes verify`` uses the same ``canonical_entry``/``chain_hash``, so
writer and verifier can never disagree about the bytes.

Amounts are integer sen (1 rupiah = 100 sen); each line is strictly positive and carries
its side ("D" debit or "C" credit), as in a paper journal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.encoder
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kopdes.domain.money import MAX_SEN, format_rupiah

GENESIS_HASH = "0" * 64
HASH_VERSION = 1


class Side(StrEnum):
    DEBIT = "D"
    CREDIT = "C"

    @property
    def opposite(self) -> Side:
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class AccountType(StrEnum):
    """The five account types, with their normal side."""

    ASSET = "aset"
    LIABILITY = "kewajiban"
    EQUITY = "ekuitas"
    REVENUE = "pendapatan"
    EXPENSE = "beban"

    @property
    def normal_side(self) -> Side:
        return Side.DEBIT if self in (AccountType.ASSET, AccountType.EXPENSE) else Side.CREDIT

    @property
    def is_result(self) -> bool:
        """Revenue and expense accounts are closed into SHU tahun berjalan at year end."""
        return self in (AccountType.REVENUE, AccountType.EXPENSE)


class LedgerError(ValueError):
    """A journal entry breaks a rule. ``message`` is Bahasa Indonesia, safe to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LineDraft:
    """One line of an entry to post. ``account`` is the account code ("1-1100")."""

    account: str
    side: Side
    amount: int
    subledger_kind: str = ""
    subledger_ref: str = ""
    business_unit: str = ""
    memo: str = ""

    @classmethod
    def debit(cls, account: str, amount: int, **extra: str) -> LineDraft:
        return cls(account=account, side=Side.DEBIT, amount=amount, **extra)

    @classmethod
    def credit(cls, account: str, amount: int, **extra: str) -> LineDraft:
        return cls(account=account, side=Side.CREDIT, amount=amount, **extra)

    def mirrored(self) -> LineDraft:
        """The same line on the other side: what a reversal posts."""
        return LineDraft(
            account=self.account,
            side=self.side.opposite,
            amount=self.amount,
            subledger_kind=self.subledger_kind,
            subledger_ref=self.subledger_ref,
            business_unit=self.business_unit,
            memo=self.memo,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "side": str(self.side),
            "amount": self.amount,
            "subledger_kind": self.subledger_kind,
            "subledger_ref": self.subledger_ref,
            "business_unit": self.business_unit,
            "memo": self.memo,
        }


@dataclass(frozen=True)
class AccountFacts:
    """What validation needs to know about an account (read by the service)."""

    code: str
    koperasi_id: str
    is_active: bool
    subledger_kind: str = ""  # non-empty: a control account; every line names its sub-ledger


@dataclass(frozen=True)
class EntryDraft:
    """The content of an entry as the caller asked for it (before number and hash)."""

    date: dt.date
    memo: str
    lines: tuple[LineDraft, ...]
    source: str = "manual"
    source_ref: str = ""
    business_unit: str = ""
    reverses: str = ""  # id of the entry this one reverses

    def fingerprint(self) -> dict[str, Any]:
        """The request content an idempotency key is bound to (compared on a retry)."""
        return {
            "date": self.date.isoformat(),
            "memo": self.memo,
            "source": self.source,
            "source_ref": self.source_ref,
            "business_unit": self.business_unit,
            "reverses": self.reverses,
            "lines": [line.as_dict() for line in self.lines],
        }


MAX_LINES = 500
MAX_MEMO = 500


def period_of(day: dt.date) -> int:
    """The month key of a date: ``yyyymm`` as an int (2026-11-28 -> 202611)."""
    return day.year * 100 + day.month


def validate_entry(
    draft: EntryDraft,
    *,
    koperasi_id: str,
    accounts: Mapping[str, AccountFacts],
    is_period_open: Callable[[int], bool],
) -> None:
    """Raise ``LedgerError`` unless ``draft`` may be posted in ``koperasi_id``.

    Rules: at least two lines; every amount a positive whole number of sen within 10^15
    rupiah; total debits = total credits; every account known, open and of this koperasi;
    a control account's line names its sub-ledger (and only those do); the month is open.
    ``accounts`` maps code -> facts for the codes the caller could find (missing = unknown).
    """
    if not draft.memo.strip():
        raise LedgerError("Keterangan jurnal wajib diisi.", field="memo")
    if len(draft.memo) > MAX_MEMO:
        raise LedgerError(f"Keterangan jurnal paling panjang {MAX_MEMO} huruf.", field="memo")
    if len(draft.lines) < 2:
        raise LedgerError("Jurnal harus punya paling sedikit dua baris.", field="lines")
    if len(draft.lines) > MAX_LINES:
        raise LedgerError(f"Jurnal paling banyak {MAX_LINES} baris.", field="lines")
    debit = credit = 0
    for n, line in enumerate(draft.lines, start=1):
        where = f"Baris {n}"
        if not isinstance(line.amount, int) or isinstance(line.amount, bool):
            raise LedgerError(f"{where}: jumlah harus bilangan bulat sen.", field="lines")
        if line.amount <= 0:
            raise LedgerError(f"{where}: jumlah harus lebih dari nol.", field="lines")
        if line.amount > MAX_SEN:
            raise LedgerError(
                f"{where}: jumlah melebihi batas {format_rupiah(MAX_SEN)}.", field="lines"
            )
        if line.side not in (Side.DEBIT, Side.CREDIT):
            raise LedgerError(f"{where}: sisi harus debit atau kredit.", field="lines")
        facts = accounts.get(line.account)
        if facts is None:
            raise LedgerError(f"{where}: akun {line.account} tidak dikenal.", field="lines")
        if facts.koperasi_id != koperasi_id:
            raise LedgerError(f"{where}: akun {line.account} tidak dikenal.", field="lines")
        if not facts.is_active:
            raise LedgerError(f"{where}: akun {line.account} sudah ditutup.", field="lines")
        if facts.subledger_kind:
            if line.subledger_kind != facts.subledger_kind or not line.subledger_ref:
                raise LedgerError(
                    f"{where}: akun {line.account} adalah akun kontrol; baris harus menyebut "
                    f"buku pembantu '{facts.subledger_kind}'.",
                    field="lines",
                )
        elif line.subledger_kind or line.subledger_ref:
            raise LedgerError(
                f"{where}: akun {line.account} bukan akun kontrol buku pembantu.", field="lines"
            )
        if line.side is Side.DEBIT:
            debit += line.amount
        else:
            credit += line.amount
    if debit != credit:
        raise LedgerError(
            f"Jurnal tidak seimbang: debit {format_rupiah(debit)}, kredit "
            f"{format_rupiah(credit)} (selisih {format_rupiah(abs(debit - credit))}).",
            field="lines",
        )
    if debit > MAX_SEN:
        raise LedgerError(f"Total jurnal melebihi batas {format_rupiah(MAX_SEN)}.", field="lines")
    if not is_period_open(period_of(draft.date)):
        raise LedgerError(
            f"Bulan {draft.date.month:02d}/{draft.date.year} sudah ditutup; "
            "jurnal tidak bisa dicatat di bulan itu.",
            field="date",
        )


def total_debit(lines: Iterable[LineDraft]) -> int:
    return sum(line.amount for line in lines if line.side is Side.DEBIT)


def differences(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    """Names of the fingerprint fields that differ (for a 409 on a reused key)."""
    names: list[str] = []
    for key in sorted(set(first) | set(second)):
        if key == "lines":
            a, b = list(first.get(key, [])), list(second.get(key, []))
            if len(a) != len(b):
                names.append("lines (jumlah baris)")
                continue
            for n, (la, lb) in enumerate(zip(a, b, strict=True), start=1):
                for sub in sorted(set(la) | set(lb)):
                    if la.get(sub) != lb.get(sub):
                        names.append(f"lines[{n}].{sub}")
        elif first.get(key) != second.get(key):
            names.append(key)
    return names


@dataclass(frozen=True)
class PostedLine:
    """A stored line as the chain sees it (ids as strings)."""

    line_no: int
    account_id: str
    side: str
    amount: int
    subledger_kind: str
    subledger_ref: str
    business_unit: str
    memo: str


@dataclass(frozen=True)
class PostedEntry:
    """A stored entry as the chain sees it: everything the hash covers."""

    id: str
    koperasi_id: str
    number: int
    date: dt.date
    memo: str
    source: str
    source_ref: str
    business_unit: str
    idempotency_key: str
    reverses_id: str
    kind: str
    lines: Sequence[PostedLine]
    posted_at: str = ""  # ISO 8601 with offset
    posted_by: str = ""  # user id as text, "" for the system


def canonical_entry(entry: PostedEntry) -> bytes:
    """Deterministic bytes of an entry: sorted-key compact JSON, UTF-8, lines by number."""
    body = {
        "v": HASH_VERSION,
        "id": entry.id,
        "koperasi": entry.koperasi_id,
        "number": entry.number,
        "date": entry.date.isoformat(),
        "memo": entry.memo,
        "source": entry.source,
        "source_ref": entry.source_ref,
        "business_unit": entry.business_unit,
        "idempotency_key": entry.idempotency_key,
        "reverses": entry.reverses_id,
        "kind": entry.kind,
        "posted_at": entry.posted_at,
        "posted_by": entry.posted_by,
        "lines": [
            {
                "n": line.line_no,
                "account": line.account_id,
                "side": line.side,
                "amount": line.amount,
                "sl_kind": line.subledger_kind,
                "sl_ref": line.subledger_ref,
                "unit": line.business_unit,
                "memo": line.memo,
            }
            for line in sorted(entry.lines, key=lambda x: x.line_no)
        ],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, entry: PostedEntry) -> str:
    """sha256(previous hash + canonical content), hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_entry(entry)).hexdigest()


# The same bytes as ``canonical_entry``, built by string formatting from values already in
# their text form (what ``kopdes verify`` reads straight from the database), skipping the
# dataclasses and the generic encoder: a million entries must verify in under a minute.
# Keys are written in sorted order; strings go through the very function
# ``json.dumps(ensure_ascii=False)`` uses; ints print as ``int.__repr__`` does in JSON.
# ``ledger/tests/test_verification.py`` proves byte identity with ``canonical_entry``.
_quote = json.encoder.encode_basestring
_ENTRY_FORMAT = (
    '{"business_unit":%s,"date":%s,"id":%s,"idempotency_key":%s,"kind":%s,"koperasi":%s,'
    '"lines":[%s],"memo":%s,"number":%d,"posted_at":%s,"posted_by":%s,"reverses":%s,'
    '"source":%s,"source_ref":%s,"v":%d}'
)
_LINE_FORMAT = (
    '{"account":%s,"amount":%d,"memo":%s,"n":%d,"side":%s,"sl_kind":%s,"sl_ref":%s,"unit":%s}'
)
# Most lines have no sub-ledger, unit or memo: the same bytes with those already quoted.
_PLAIN_LINE_FORMAT = (
    '{"account":%s,"amount":%d,"memo":"","n":%d,"side":%s,"sl_kind":"","sl_ref":"","unit":""}'
)
_line_no = operator.itemgetter(0)


def canonical_from_fields(
    koperasi_id: str,
    head: Sequence[Any],
    lines: Iterable[Sequence[Any]],
    account_json: Mapping[Any, str] | None = None,
) -> bytes:
    """``canonical_entry`` of an entry given as plain values (no ``PostedEntry``).

    ``head`` starts with (id, number, date ISO text, memo, source, source_ref,
    business_unit, idempotency_key, reverses_id, kind, posted_at, posted_by), each as
    ``PostedEntry`` holds it (ids and dates as text); each line starts with (line_no,
    account_id, side, amount, subledger_kind, subledger_ref, business_unit, memo). Later
    items are ignored, so database rows can be passed as they come. ``account_json``, if
    given, maps each line's account item to its JSON string (quotes included), so a row
    may carry the account id as stored.
    """
    q = _quote
    ordered = sorted(lines, key=_line_no)
    if account_json is None:
        accounts = [q(x[1]) for x in ordered]
    else:
        accounts = [account_json[x[1]] for x in ordered]
    body = ",".join(
        [
            _LINE_FORMAT % (a, x[3], q(x[7]), x[0], q(x[2]), q(x[4]), q(x[5]), q(x[6]))
            if x[4] or x[5] or x[6] or x[7]
            else _PLAIN_LINE_FORMAT % (a, x[3], x[0], q(x[2]))
            for a, x in zip(accounts, ordered, strict=True)
        ]
    )
    text = _ENTRY_FORMAT % (
        q(head[6]),
        q(head[2]),
        q(head[0]),
        q(head[7]),
        q(head[9]),
        q(koperasi_id),
        body,
        q(head[3]),
        head[1],
        q(head[10]),
        q(head[11]),
        q(head[8]),
        q(head[4]),
        q(head[5]),
        HASH_VERSION,
    )
    return text.encode()


def chain_hash_from_fields(
    prev_hash: str,
    koperasi_id: str,
    head: Sequence[Any],
    lines: Iterable[Sequence[Any]],
    account_json: Mapping[Any, str] | None = None,
) -> str:
    """``chain_hash`` over ``canonical_from_fields`` (same digest as over the entry)."""
    return hashlib.sha256(
        prev_hash.encode("ascii") + canonical_from_fields(koperasi_id, head, lines, account_json)
    ).hexdigest()


def is_balanced(lines: Iterable[tuple[str, int]]) -> bool:
    """True when (side, amount) pairs have equal debit and credit totals and >= 2 lines."""
    debit = credit = count = 0
    for side, amount in lines:
        count += 1
        if side == Side.DEBIT:
            debit += amount
        else:
            credit += amount
    return count >= 2 and debit == credit


def signed_balance(normal_side: Side, debit: int, credit: int) -> int:
    """The balance on the account's normal side (positive for a normal balance)."""
    return debit - credit if normal_side is Side.DEBIT else credit - debit
