"""Worked examples from Indonesian teaching material, as readable tables.

Each table is copied in whole rupiah as the source prints it; the engine's schedule (rounded
to the rupiah, the CLI default) must reproduce it. Spreadsheet sources keep unrounded
balances and only display whole rupiah, so for them later rows may differ by a few rupiah;
the tolerance is stated next to the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kopdes.domain.loans import LoanMethod, LoanTerms, Rounding, build_schedule, periodic_rate


@dataclass(frozen=True)
class Row:
    period: int
    principal: int
    interest: int
    installment: int
    balance: int | None


def parse_table(text: str, columns: str) -> list[Row]:
    """Rows of whole-rupiah figures written with dot thousands ("4.583.333").

    ``columns`` names the columns in the order the source prints them, from
    period/principal/interest/installment/balance; "-" marks a missing balance.
    """
    names = columns.split()
    rows = []
    for line in text.strip().splitlines():
        cells = dict(zip(names, line.split(), strict=True))
        values = {k: None if v == "-" else int(v.replace(".", "")) for k, v in cells.items()}
        rows.append(
            Row(
                period=values["period"] or 0,
                principal=values["principal"] or 0,
                interest=values["interest"] or 0,
                installment=values.get("installment") or 0,
                balance=values.get("balance"),
            )
        )
    return rows


def rupiah_rows(terms: LoanTerms) -> list[Row]:
    schedule = build_schedule(terms)
    return [
        Row(r.period, r.principal // 100, r.interest // 100, r.installment // 100, r.balance // 100)
        for r in schedule.installments
    ]


# Source: "Sistem Efektif (Bunga Menurun)", Ibu Nur, bersamarohman.blogspot.com/2015/04.
# Pinjaman Rp5.000.000, 22% per tahun, 12 bulan; pokok dibulatkan ke rupiah, angsuran
# terakhir menyerap sisa (416.663).
EFEKTIF_5JT_22PA_12 = """
 1  416.667  4.583.333  91.667  508.334
 2  416.667  4.166.666  84.028  500.695
 3  416.667  3.749.999  76.389  493.056
 4  416.667  3.333.332  68.750  485.417
 5  416.667  2.916.665  61.111  477.778
 6  416.667  2.499.998  53.472  470.139
 7  416.667  2.083.331  45.833  462.500
 8  416.667  1.666.664  38.194  454.861
 9  416.667  1.249.997  30.556  447.223
10  416.667    833.330  22.917  439.584
11  416.667    416.663  15.278  431.945
12  416.663          0   7.639  424.302
"""


def test_efektif_matches_textbook_table_row_for_row() -> None:
    expected = parse_table(EFEKTIF_5JT_22PA_12, "period principal balance interest installment")
    terms = LoanTerms(LoanMethod.EFEKTIF, 5_000_000_00, periodic_rate(22, per="year"), 12)
    assert rupiah_rows(terms) == expected
    assert build_schedule(terms).total_paid == 5_595_834_00


# Source: "Tabel Perhitungan Kredit dengan Flat Rate", pahleviboby.blogspot.com/2018/04
# (Sistem Informasi Perbankan). Rp48.000.000, 24% p.a., 12 bulan.
FLAT_48JT_24PA_12 = """
 1  4.960.000  4.000.000  960.000  44.000.000
 2  4.960.000  4.000.000  960.000  40.000.000
 3  4.960.000  4.000.000  960.000  36.000.000
 4  4.960.000  4.000.000  960.000  32.000.000
 5  4.960.000  4.000.000  960.000  28.000.000
 6  4.960.000  4.000.000  960.000  24.000.000
 7  4.960.000  4.000.000  960.000  20.000.000
 8  4.960.000  4.000.000  960.000  16.000.000
 9  4.960.000  4.000.000  960.000  12.000.000
10  4.960.000  4.000.000  960.000   8.000.000
11  4.960.000  4.000.000  960.000   4.000.000
12  4.960.000  4.000.000  960.000           0
"""


def test_flat_matches_bank_textbook_table() -> None:
    expected = parse_table(FLAT_48JT_24PA_12, "period installment principal interest balance")
    terms = LoanTerms(LoanMethod.FLAT, 48_000_000_00, periodic_rate(24, per="year"), 12)
    assert rupiah_rows(terms) == expected
    schedule = build_schedule(terms)
    # "Jumlah 59.520.000 / 48.000.000 / 11.520.000"
    assert (schedule.total_paid, schedule.total_principal, schedule.total_interest) == (
        59_520_000_00,
        48_000_000_00,
        11_520_000_00,
    )


# Koperasi exercises (flat), each: principal, rate, per, term -> monthly installment,
# interest per month, principal per month, total interest.
# - kudo.tips "Seseorang meminjam uang di koperasi sebesar Rp 9.000.000,00 ... 12 bulan ...
#   1% per bulan" -> angsuran Rp840.000.
# - brain.universityku.com "Bu Katy meminjam uang di koperasi sebesar Rp3.000.000,00 ...
#   20 bulan ... 9% per tahun" -> 150.000 + 22.500 = Rp172.500 per bulan.
# - id.scribd.com/document/423090835 "Tugas Mankeu II": harga mesin 90.000.000, bunga flat
#   1% per bulan, 36 bulan -> 3.400.000 = 2.500.000 pokok + 900.000 bunga.
# - kumpulanpanduan.blogspot.com/2010/12 "Sistem Bunga Tetap (Flat Interest)": Rp20 juta,
#   10% per tahun, 24 bulan -> angsuran Rp1.000.000, total bunga Rp4.000.000 (the engine
#   rounds the monthly interest 166.666,67 to the sen here; see the test).
FLAT_KOPERASI_EXERCISES = [
    # principal, rate %, per, term, installment, interest, principal part, total interest
    (9_000_000, 1, "month", 12, 840_000, 90_000, 750_000, 1_080_000),
    (3_000_000, 9, "year", 20, 172_500, 22_500, 150_000, 450_000),
    (90_000_000, 1, "month", 36, 3_400_000, 900_000, 2_500_000, 32_400_000),
]


@pytest.mark.parametrize(
    ("principal", "rate", "per", "term", "installment", "interest", "part", "total_interest"),
    FLAT_KOPERASI_EXERCISES,
)
def test_flat_koperasi_exercises(
    principal: int,
    rate: int,
    per: str,
    term: int,
    installment: int,
    interest: int,
    part: int,
    total_interest: int,
) -> None:
    terms = LoanTerms(LoanMethod.FLAT, principal * 100, periodic_rate(rate, per=per), term)
    schedule = build_schedule(terms)
    for row in schedule.installments:
        assert (row.installment, row.interest, row.principal) == (
            installment * 100,
            interest * 100,
            part * 100,
        )
    assert schedule.total_interest == total_interest * 100


def test_flat_20_juta_keeps_the_installment_and_the_last_absorbs_the_sen() -> None:
    terms = LoanTerms(
        LoanMethod.FLAT,
        20_000_000_00,
        periodic_rate(10, per="year"),
        24,
        rounding=Rounding.SEN,
    )
    schedule = build_schedule(terms)
    first, last = schedule.installments[0], schedule.installments[-1]
    assert first.installment == 1_000_000_00  # the textbook's Rp1.000.000
    assert first.interest == 166_666_67
    assert last.principal == 20_000_000_00 - 23 * 833_333_33
    assert schedule.total_principal == 20_000_000_00
    # Rp4.000.000 in the textbook, exactly: the last installment settles the 8 sen that
    # per-period rounding to the sen would add over 24 months (it used to be charged).
    assert schedule.total_interest == 4_000_000_00
    assert last.interest == 166_666_67 - 8
    assert last.installment == 1_000_000_00


# Source: "Contoh perhitungan angsuran (anuitas)", simulasi angsuran KPR,
# id.scribd.com/doc/87151512. Rp200.000.000, 16% p.a. (efektif), 36 bulan,
# angsuran Rp7.031.407. Columns: sisa pokok, angsuran pokok, bunga. The spreadsheet pays
# the unrounded Rp7.031.406,61 and keeps unrounded balances, so a schedule that pays the
# rounded Rp7.031.407 repays about Rp0,40 more principal a month: the first row is exact,
# principal and interest stay within Rp2 and the balance within Rp1 per month elapsed.
ANUITAS_200JT_16PA_36 = """
 1  195.635.260  4.364.740  2.666.667
 2  191.212.324  4.422.936  2.608.470
 3  186.730.415  4.481.909  2.549.498
 4  182.188.747  4.541.668  2.489.739
 5  177.586.524  4.602.223  2.429.183
 6  172.922.937  4.663.586  2.367.820
 7  168.197.170  4.725.767  2.305.639
 8  163.408.392  4.788.778  2.242.629
 9  158.555.764  4.852.628  2.178.779
10  153.638.434  4.917.330  2.114.077
11  148.655.540  4.982.894  2.048.512
12  143.606.207  5.049.333  1.982.074
13  138.489.550  5.116.657  1.914.749
14  133.304.671  5.184.879  1.846.527
15  128.050.660  5.254.011  1.777.396
16  122.726.596  5.324.064  1.707.342
17  117.331.544  5.395.052  1.636.355
18  111.864.558  5.466.986  1.564.421
19  106.324.678  5.539.879  1.491.527
"""


def test_anuitas_matches_kpr_simulation_within_spreadsheet_drift() -> None:
    expected = parse_table(ANUITAS_200JT_16PA_36, "period balance principal interest")
    terms = LoanTerms(LoanMethod.ANUITAS, 200_000_000_00, periodic_rate(16, per="year"), 36)
    got = rupiah_rows(terms)
    assert got[0].installment == 7_031_407
    assert got[0] == Row(1, 4_364_740, 2_666_667, 7_031_407, 195_635_260)
    for want, have in zip(expected, got, strict=False):
        assert abs(want.principal - have.principal) <= 2, want.period
        assert abs(want.interest - have.interest) <= 2, want.period
        assert want.balance is not None
        assert have.balance is not None
        assert abs(want.balance - have.balance) <= want.period, want.period


# Source: "Rumus Simulasi KPR" (Adhitya Mulya), id.scribd.com/document/709357747:
# Rp400.000.000, 4% fixed, 15 tahun (180 bulan), angsuran Rp2.958.752;
# bulan 1: bunga 1.333.333, bulan 2: bunga 1.327.915, bulan 3: bunga 1.322.479.
def test_anuitas_matches_kpr_fixed_rate_installment() -> None:
    terms = LoanTerms(LoanMethod.ANUITAS, 400_000_000_00, periodic_rate(4, per="year"), 180)
    got = rupiah_rows(terms)
    assert {row.installment for row in got[:-1]} == {2_958_752}
    assert [row.interest for row in got[:3]] == [1_333_333, 1_327_915, 1_322_479]


def test_anuitas_command_example_527910_38() -> None:
    """The issue's own example: Rp5.000.000 at 1% a month over 10 months, to the sen."""
    terms = LoanTerms(
        LoanMethod.ANUITAS,
        5_000_000_00,
        periodic_rate(1),
        10,
        rounding=Rounding.SEN,
    )
    schedule = build_schedule(terms)
    assert {row.installment for row in schedule.installments[:-1]} == {527_910_38}
    assert schedule.installments[0].interest == 50_000_00
