"""The whole journal as plain-text accounting (hledger or beancount) for auditors.

Account names are valid in both tools: ``<Root>:<Name>-<code>`` with the root from the
account type (aset -> Assets, kewajiban -> Liabilities, ekuitas -> Equity, pendapatan ->
Income, beban -> Expenses) and a component that starts with a capital letter and holds
only ASCII letters, digits and dashes, e.g. ``Assets:Kas-1-1100``. Amounts are decimals
with two places in IDR, debit positive and credit negative, so each transaction sums to
zero and ``hledger bal`` / ``bean-check`` reproduce our balances.

Every text (memo, source, account and koperasi names) goes through ``_one_line``: one line,
and a character no journal should hold (a NUL or another control character, a bidi
override, a lone surrogate: ``domain.text.printable``) shown as U+FFFD, so a row stored
before such text was refused cannot break either file (issue 13).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from kopdes.domain.text import printable
from kopdes.ledger.models import Account, JournalEntry, JournalLine

ROOTS = {
    "aset": "Assets",
    "kewajiban": "Liabilities",
    "ekuitas": "Equity",
    "pendapatan": "Income",
    "beban": "Expenses",
}
FORMATS = ("hledger", "beancount")
CHUNK = 2000


def account_name(account: Account) -> str:
    """``Assets:Kas-1-1100``: valid as an hledger and a beancount account."""
    text = unicodedata.normalize("NFKD", account.name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    words = "-".join(words.split("-")[:6]) or "Akun"
    component = f"{words}-{account.code}".replace(".", "-")
    component = re.sub(r"[^A-Za-z0-9-]", "-", component)
    component = re.sub(r"-+", "-", component)
    component = component[0].upper() + component[1:]
    if not component[0].isalpha():
        component = "A" + component
    return f"{ROOTS[account.type]}:{component}"


def amount_text(sen: int) -> str:
    sign = "-" if sen < 0 else ""
    rupiah, rest = divmod(abs(sen), 100)
    return f"{sign}{rupiah}.{rest:02d}"


def _one_line(text: str) -> str:
    return " ".join(printable(text or "").split())


def _entries(koperasi) -> Iterator[tuple[JournalEntry, list[JournalLine]]]:
    """Entries in number order with their lines, read in chunks (no N+1, bounded memory)."""
    last = 0
    while True:
        entries = list(
            JournalEntry.objects.filter(koperasi=koperasi, number__gt=last).order_by("number")[
                :CHUNK
            ]
        )
        if not entries:
            return
        lines: dict = {}
        for line in JournalLine.objects.filter(
            koperasi=koperasi, entry_id__in=[e.id for e in entries]
        ).order_by("entry_id", "line_no"):
            lines.setdefault(line.entry_id, []).append(line)
        for entry in entries:
            yield entry, lines.get(entry.id, [])
        last = entries[-1].number


def _signed(line: JournalLine) -> int:
    return line.amount if line.side == "D" else -line.amount


def export_hledger(koperasi) -> Iterator[str]:
    """hledger journal text, one chunk per transaction."""
    accounts = {a.id: a for a in Account.objects.filter(koperasi=koperasi)}
    names = {aid: account_name(a) for aid, a in accounts.items()}
    yield f"; kopdes journal export: {_one_line(koperasi.name)} ({koperasi.slug})\n"
    yield "; amounts in IDR, debit positive, credit negative\n\n"
    yield "commodity 1000.00 IDR\n\n"
    for aid in sorted(names, key=lambda a: accounts[a].code):
        yield f"account {names[aid]}  ; {_one_line(accounts[aid].name).replace(';', ',')}\n"
    yield "\n"
    for entry, lines in _entries(koperasi):
        # In hledger a ';' starts a comment, so it cannot stay in the description.
        memo = _one_line(entry.memo).replace(";", ",")
        yield f"{entry.date.isoformat()} * ({entry}) {memo}\n"
        yield f"    ; kind:{entry.kind}, source:{_one_line(entry.source)}\n"
        for line in lines:
            yield f"    {names[line.account_id]}  {amount_text(_signed(line))} IDR\n"
        yield "\n"


def _bean_string(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def export_beancount(koperasi) -> Iterator[str]:
    """beancount text: options, one ``open`` per account, then the transactions."""
    accounts = {a.id: a for a in Account.objects.filter(koperasi=koperasi)}
    names = {aid: account_name(a) for aid, a in accounts.items()}
    first = (
        JournalEntry.objects.filter(koperasi=koperasi)
        .order_by("date")
        .values_list("date", flat=True)
    ).first()
    opened = first.isoformat() if first else "2000-01-01"
    yield f"; kopdes journal export: {_one_line(koperasi.name)} ({koperasi.slug})\n"
    yield f'option "title" {_bean_string(koperasi.name)}\n'
    yield 'option "operating_currency" "IDR"\n\n'
    yield "1900-01-01 commodity IDR\n\n"
    for aid in sorted(names, key=lambda a: accounts[a].code):
        yield f"{opened} open {names[aid]} IDR\n"
    yield "\n"
    for entry, lines in _entries(koperasi):
        yield (
            f"{entry.date.isoformat()} * {_bean_string(str(entry))} {_bean_string(entry.memo)}\n"
        )
        yield f"  kind: {_bean_string(entry.kind)}\n"
        for line in lines:
            yield f"  {names[line.account_id]}  {amount_text(_signed(line))} IDR\n"
        yield "\n"


def export_ledger(koperasi, fmt: str) -> Iterator[str]:
    if fmt == "hledger":
        return export_hledger(koperasi)
    if fmt == "beancount":
        return export_beancount(koperasi)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
