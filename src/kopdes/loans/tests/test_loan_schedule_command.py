"""``kopdes loan-schedule``: the same numbers as the engine, as a table or JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kopdes.domain.loans import (
    LoanMethod,
    LoanTerms,
    Rounding,
    build_schedule,
    format_sen_decimal,
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("loan_schedule", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_promised_shape_and_the_engine_numbers():
    data = json.loads(
        run(
            "--method", "anuitas", "--principal", "5000000", "--rate", "1", "--per", "month",
            "--term", "10", "--rounding", "sen", "--json",
        )
    )  # fmt: skip
    assert set(data) == {"installments", "total_interest", "total_paid"}
    assert len(data["installments"]) == 10
    first = data["installments"][0]
    assert set(first) == {"period", "principal", "interest", "installment", "balance"}
    assert first["installment"] == "527910.38"
    assert first["period"] == 1
    engine = build_schedule(
        LoanTerms(LoanMethod.ANUITAS, 5_000_000_00, Fraction(1, 100), 10, rounding=Rounding.SEN)
    )
    for row, want in zip(data["installments"], engine.installments, strict=True):
        assert row["principal"] == format_sen_decimal(want.principal)
        assert row["interest"] == format_sen_decimal(want.interest)
        assert row["installment"] == format_sen_decimal(want.installment)
        assert row["balance"] == format_sen_decimal(want.balance)
    assert data["total_interest"] == format_sen_decimal(engine.total_interest)
    assert data["total_paid"] == format_sen_decimal(engine.total_paid)
    assert data["installments"][-1]["balance"] == "0.00"


def test_default_rounding_is_rupiah_and_yearly_rate_is_divided_by_twelve():
    data = json.loads(
        run("--method", "efektif", "--principal", "5.000.000", "--rate", "22", "--per", "year",
            "--term", "12", "--json")
    )  # fmt: skip
    rows = data["installments"]
    assert rows[0]["principal"] == "416667.00"
    assert rows[0]["interest"] == "91667.00"
    assert rows[-1]["principal"] == "416663.00"
    assert data["total_paid"] == "5595834.00"


def test_weekly_frequency_and_start_date_give_due_dates():
    data = json.loads(
        run("--method", "flat", "--principal", "520000", "--rate", "26", "--per", "year",
            "--frequency", "week", "--term", "4", "--start-date", "2025-07-01", "--json")
    )  # fmt: skip
    assert [r["due_date"] for r in data["installments"]] == [
        "2025-07-08",
        "2025-07-15",
        "2025-07-22",
        "2025-07-29",
    ]
    assert data["installments"][0]["interest"] == "2600.00"


def test_table_is_the_default_and_shows_rupiah():
    text = run("--method", "flat", "--principal", "48000000", "--rate", "24", "--per", "year",
               "--term", "12")  # fmt: skip
    assert "Jadwal angsuran bunga flat" in text
    assert "Rp 4.960.000" in text
    assert "Rp 59.520.000" in text  # total paid
    assert text.count("\n") >= 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--principal", "-5000000"], "Pokok pinjaman: Jumlah tidak boleh negatif"),
        (["--principal", "0"], "Pokok pinjaman"),
        (["--principal", "lima juta"], "Pokok pinjaman"),
        (["--term", "0"], "Jangka waktu (--term) paling sedikit 1"),
        (["--term", "dua"], "Jangka waktu (--term) harus bilangan bulat"),
        (["--method", "syariah"], "Metode 'syariah' tidak dikenal"),
        (["--rate", "1x"], "Suku bunga '1x' tidak bisa dibaca"),
        (["--rate", "-1"], "Suku bunga tidak boleh negatif"),
        (["--rounding", "10"], "Pembulatan '10' tidak dikenal"),
        (["--per", "day"], "--per harus"),
        (["--frequency", "daily"], "--frequency harus"),
        (["--start-date", "1/7/2025"], "Tanggal '1/7/2025' tidak bisa dibaca"),
    ],
)
def test_bad_input_gets_an_indonesian_message(args, message):
    good = {"--method": "flat", "--principal": "5000000", "--rate": "1", "--term": "10"}
    good.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [part for pair in good.items() for part in pair]
    with pytest.raises(CommandError) as excinfo:
        run(*flat)
    assert message in str(excinfo.value)


def test_missing_arguments_are_named():
    with pytest.raises(CommandError, match="Wajib diisi: --method, --principal, --rate, --term"):
        run()


def test_kopdes_loan_schedule_runs_from_the_shell():
    kopdes = Path(sys.executable).parent / "kopdes"
    ok = subprocess.run(
        [str(kopdes), "loan-schedule", "--method", "anuitas", "--principal", "5000000",
         "--rate", "1", "--per", "month", "--term", "10", "--rounding", "sen", "--json"],
        capture_output=True, text=True, env=os.environ.copy(), timeout=60, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["installments"][0]["installment"] == "527910.38"
    bad = subprocess.run(
        [str(kopdes), "loan-schedule", "--method", "flat", "--principal", "-1", "--rate", "1",
         "--term", "10"],
        capture_output=True, text=True, env=os.environ.copy(), timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "Pokok pinjaman: Jumlah tidak boleh negatif." in bad.stderr
    assert bad.stdout == ""


def test_a_flat_loans_jasa_is_exactly_principal_times_rate_times_term_at_rupiah_rounding():
    """Issue 13: 20 juta, 10% a year flat, 24 months; rounding each month's jasa to the
    rupiah used to charge 24 x Rp166.667 = Rp4.000.008; the last installment now settles
    the drift, so the jasa is the Rp4.000.000 of the formula."""
    args = ["--method", "flat", "--principal", "20000000", "--rate", "10", "--per", "year"]
    data = json.loads(run(*args, "--term", "24", "--rounding", "rupiah", "--json"))
    assert data["total_interest"] == "4000000.00"
    assert data["total_paid"] == "24000000.00"
    assert data["installments"][0]["interest"] == "166667.00"
    assert data["installments"][-1]["interest"] == "166659.00"


@pytest.mark.parametrize(
    ("rounding", "step"), [("down100", 100), ("down1000", 1000), ("down10000", 10000)]
)
def test_rounding_down_keeps_round_installments_and_puts_the_rest_in_the_last(rounding, step):
    args = ["--method", "flat", "--principal", "5000000", "--rate", "1,5", "--term", "12"]
    data = json.loads(run(*args, "--rounding", rounding, "--json"))
    rows = data["installments"]
    regular = {Fraction(r["installment"]) for r in rows[:-1]}
    assert len(regular) == 1
    installment = regular.pop()
    assert installment % step == 0 and installment <= Fraction(491_666_67, 100)
    assert Fraction(rows[-1]["installment"]) >= installment
    assert data["total_interest"] == "900000.00"  # 5.000.000 x 1,5% x 12, exactly
    assert sum(Fraction(r["principal"]) for r in rows) == 5_000_000
    table = run(*args, "--rounding", rounding)
    assert "Jadwal angsuran bunga flat" in table


def test_an_unknown_rounding_names_the_choices():
    with pytest.raises(CommandError, match="down10000"):
        run("--method", "flat", "--principal", "1000000", "--rate", "1", "--term", "3",
            "--rounding", "down5")  # fmt: skip
