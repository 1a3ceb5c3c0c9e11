"""Plain-text accounting export: hledger reads it and agrees with our balances."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from conftest import require
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from kopdes.ledger import export
from kopdes.ledger.models import Account, AccountBalance
from kopdes.ledger.tests.report_data import books_for

pytestmark = pytest.mark.django_db

HLEDGER = shutil.which("hledger") or "/usr/bin/hledger"
BEANCOUNT_ACCOUNT = re.compile(
    r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$"
)


def _our_balances(koperasi) -> dict[str, Decimal]:
    names = {a.id: export.account_name(a) for a in Account.objects.filter(koperasi=koperasi)}
    out = {}
    for row in (
        AccountBalance.objects.filter(koperasi=koperasi)
        .values("account_id")
        .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
    ):
        net = row["d"] - row["c"]
        if net:
            out[names[row["account_id"]]] = Decimal(net) / 100
    return out


def test_account_names_are_valid_in_both_formats(koperasi):
    books_for(koperasi)
    names = [export.account_name(a) for a in Account.objects.filter(koperasi=koperasi)]
    assert "Assets:Kas-1-1100" in names
    assert len(set(names)) == len(names)
    for name in names:
        assert BEANCOUNT_ACCOUNT.match(name), name


def test_hledger_reads_the_export_and_agrees_with_our_balances(koperasi, other_koperasi, tmp_path):
    require(shutil.which("hledger") is not None, "hledger is not installed (apt install hledger)")
    books_for(koperasi)
    books_for(other_koperasi)  # must not leak into koperasi's export
    path = tmp_path / "kopdes.journal"
    call_command("export_ledger", format="hledger", koperasi=koperasi.slug, output=str(path))
    result = subprocess.run(
        [HLEDGER, "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    theirs = {}
    for row in list(csv.reader(io.StringIO(result.stdout)))[1:]:
        account, amount = row[0], row[1]
        theirs[account] = Decimal(amount.replace("IDR", "").replace(",", "").strip())
    assert theirs == _our_balances(koperasi)
    check = subprocess.run(
        [HLEDGER, "-f", str(path), "check", "--strict"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_beancount_export_has_open_directives_and_balanced_transactions(koperasi):
    books_for(koperasi)
    text = "".join(export.export_beancount(koperasi))
    assert 'option "operating_currency" "IDR"' in text
    opened = set(re.findall(r"^\d{4}-\d\d-\d\d open (\S+) IDR$", text, re.M))
    used = set(re.findall(r"^  ([A-Z]\S+)  -?\d+\.\d\d IDR$", text, re.M))
    assert used <= opened
    for block in text.split("\n\n"):
        amounts = re.findall(r"^  [A-Z]\S+  (-?\d+\.\d\d) IDR$", block, re.M)
        if amounts:
            assert sum(Decimal(a) for a in amounts) == 0


def test_memos_cannot_break_the_format(koperasi):
    from kopdes.domain.ledger import LineDraft
    from kopdes.ledger import services

    actor = books_for(koperasi)
    import datetime as dt

    services.post(
        koperasi,
        actor=actor,
        date=dt.date(2026, 2, 9),
        memo='Nota "A"; \\ baris\nkedua',
        lines=[LineDraft.debit("5-2100", 100), LineDraft.credit("1-1100", 100)],
        idempotency_key="memo",
    )
    hledger_text = "".join(export.export_hledger(koperasi))
    assert 'Nota "A", \\ baris kedua' in hledger_text
    bean = "".join(export.export_beancount(koperasi))
    assert '"Nota \\"A\\"; \\\\ baris kedua"' in bean


def test_command_needs_a_known_koperasi(koperasi, other_koperasi):
    with pytest.raises(CommandError):
        call_command("export_ledger", format="hledger", koperasi="tidak-ada")
    with pytest.raises(CommandError):
        call_command("export_ledger", format="hledger")  # two koperasi: which one?


def test_kopdes_export_ledger_command_writes_beancount(koperasi, tmp_path):
    from kopdes.cli import main

    books_for(koperasi)
    path = tmp_path / "kopdes.beancount"
    main(["kopdes", "export-ledger", "--format", "beancount", "--output", str(path)])
    text = path.read_text(encoding="utf-8")
    assert "open Assets:Kas-1-1100 IDR" in text
    assert "Pinjaman bank Himbara" in text
