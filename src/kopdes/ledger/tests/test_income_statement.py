"""The statement of SHU in the cooperative format: partisipasi bruto, beban pokok,
partisipasi neto, non-member revenue apart, beban usaha and perkoperasian, other income
and expenses, SHU before and after tax; the figures are the ledger's balances, and the
page, PDF and XLSX show the same sections and amounts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import chart, reports, services
from kopdes.ledger.models import Account, AccountBalance
from kopdes.ledger.tests.report_data import RP, books_for
from kopdes.platform.core import testing

pytestmark = pytest.mark.django_db

PERIOD = 202602
D, C = LineDraft.debit, LineDraft.credit

# (debit, credit, amount in sen) of the February 2026 entries added to report_data's books
EXTRA = [
    ("1-1200", "4-2100", 400_000 * RP),  # jasa pinjaman (member)
    ("5-2200", "1-1100", 100_000 * RP),  # jasa simpanan (beban pokok)
    ("1-1101", "4-1201", 250_000 * RP),  # more sales to the public
    ("5-1201", "1-1101", 200_000 * RP + 25),  # their cost
    ("5-2500", "1-1100", 75_000 * RP),  # RAT (beban perkoperasian)
    ("1-1200", "4-9000", 30_000 * RP),  # jasa giro (other income)
    ("5-9000", "1-1200", 10_000 * RP),  # bank charges (other expense)
    ("5-9100", "2-1400", 20_000 * RP),  # PPh final
    ("5-2500.01", "1-1100", 5_000 * RP),  # an officer's sub-account under 5-2500
]


def _books_from_2024(koperasi) -> None:
    """The sample books start in 2025: let the koperasi's books start before that."""
    if hasattr(koperasi, "books_start"):
        koperasi.books_start = dt.date(2024, 1, 1)
        koperasi.save(update_fields=["books_start"])


@pytest.fixture
def books(koperasi):
    _books_from_2024(koperasi)
    actor = books_for(koperasi)
    services.create_account(
        koperasi,
        actor=actor,
        parent_code="5-2500",
        code="5-2500.01",
        name="Beban pendidikan anggota",
    )
    for n, (debit, credit, amount) in enumerate(EXTRA):
        services.post(
            koperasi,
            actor=actor,
            date=dt.date(2026, 2, 10),
            memo=f"Contoh {n}",
            lines=[D(debit, amount), C(credit, amount)],
            idempotency_key=f"shu-{n}",
        )
    return actor


def ledger_balance(koperasi, codes: list[str]) -> int:
    """Fiscal-year 2026 movement of ``codes`` (revenue credit - debit, expense debit -
    credit) straight from the monthly balance rows."""
    total = 0
    for row in AccountBalance.objects.filter(
        koperasi=koperasi, account__code__in=codes, period__gte=202601, period__lte=PERIOD
    ).select_related("account"):
        net = row.credit_total - row.debit_total
        total += net if row.account.type == "pendapatan" else -net
    return total


def test_sections_equal_the_ledger_balances(koperasi, books):
    t = reports.statement_of_income(koperasi, PERIOD).totals
    assert t["member_revenue"] == ledger_balance(koperasi, ["4-1101", "4-2100"])
    assert t["member_revenue"] == (1_500_000 + 400_000) * RP
    assert t["member_cost"] == ledger_balance(koperasi, ["5-1101", "5-2200"])
    assert t["member_cost"] == (1_200_000 + 100_000) * RP
    assert t["net_participation"] == t["member_revenue"] - t["member_cost"] == 600_000 * RP
    assert t["non_member_revenue"] == ledger_balance(koperasi, ["4-1201"]) == 750_000 * RP
    assert t["non_member_cost"] == ledger_balance(koperasi, ["5-1201"]) == 200_000 * RP + 25
    assert t["non_member_profit"] == 550_000 * RP - 25
    assert t["gross_shu"] == t["net_participation"] + t["non_member_profit"]
    assert t["operating_expenses"] == ledger_balance(koperasi, ["5-2100"]) == 300_000 * RP + 50
    assert t["cooperative_expenses"] == ledger_balance(koperasi, ["5-2500", "5-2500.01"])
    assert t["cooperative_expenses"] == 80_000 * RP
    assert t["other_income"] == ledger_balance(koperasi, ["4-9000"]) == 30_000 * RP
    assert t["other_expenses"] == ledger_balance(koperasi, ["5-9000"]) == 10_000 * RP
    assert t["income_tax"] == ledger_balance(koperasi, ["5-9100"]) == 20_000 * RP
    # SHU before tax = partisipasi neto + laba kotor non-anggota - beban + lain-lain.
    assert t["shu_before_tax"] == (
        t["net_participation"]
        + t["non_member_profit"]
        - t["operating_expenses"]
        - t["cooperative_expenses"]
        + t["other_income"]
        - t["other_expenses"]
    )
    assert t["shu_before_tax"] == (600_000 + 550_000 - 300_000 - 80_000 + 20_000) * RP - 75
    assert t["shu_after_tax"] == t["shu_before_tax"] - t["income_tax"] == t["shu"]
    # ... and it is the books' result: every revenue less every expense.
    revenue = list(
        Account.objects.filter(koperasi=koperasi, type="pendapatan").values_list("code", flat=True)
    )
    expense = list(
        Account.objects.filter(koperasi=koperasi, type="beban").values_list("code", flat=True)
    )
    assert t["shu_after_tax"] == ledger_balance(koperasi, revenue) - ledger_balance(
        koperasi, expense
    )


def test_each_business_unit_adds_up_to_the_consolidated_statement(koperasi, books):
    whole = reports.statement_of_income(koperasi, PERIOD).totals
    units = [
        reports.statement_of_income(koperasi, PERIOD, u).totals for u in koperasi.business_units
    ]
    for key in (
        "member_revenue",
        "non_member_revenue",
        "net_participation",
        "shu_before_tax",
        "shu",
    ):
        assert sum(u[key] for u in units) == whole[key], key


def test_rows_come_in_the_cooperative_order(koperasi, books):
    with translation.override("id"):
        labels = [row.label for row in reports.statement_of_income(koperasi, PERIOD).rows]
    order = [
        "PARTISIPASI ANGGOTA",
        "Partisipasi bruto (pendapatan dari anggota)",
        "Beban pokok",
        "Partisipasi neto",
        "PENDAPATAN DARI NON-ANGGOTA",
        "Laba kotor dari non-anggota",
        "SHU kotor",
        "Beban usaha",
        "Beban perkoperasian",
        "SHU usaha",
        "PENDAPATAN DAN BEBAN LAIN-LAIN",
        "SHU sebelum pajak",
        "Pajak penghasilan",
        "SHU setelah pajak",
    ]
    positions = [labels.index(label) for label in order]
    assert positions == sorted(positions)


def test_an_empty_year_shows_every_section_at_zero(koperasi):
    services.setup_koperasi_books(koperasi)
    report = reports.statement_of_income(koperasi, PERIOD)
    assert report.totals["shu_before_tax"] == report.totals["shu"] == 0
    totals = [r for r in report.rows if r.kind == "total"]
    assert len(totals) == 5  # partisipasi neto, SHU kotor, usaha, before and after tax
    assert all(r.values == (0, 0) for r in totals)
    assert len([r for r in report.rows if r.kind == "subtotal"]) == 11  # 9 sections, 2 nets


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _amount(sen: int) -> str:
    return format_rupiah(sen, prefix="")


HEADLINES = {
    "Jumlah partisipasi bruto": "member_revenue",
    "Jumlah beban pokok": "member_cost",
    "Partisipasi neto": "net_participation",
    "Jumlah pendapatan dari non-anggota": "non_member_revenue",
    "Jumlah beban usaha": "operating_expenses",
    "Jumlah beban perkoperasian": "cooperative_expenses",
    "SHU sebelum pajak": "shu_before_tax",
    "Jumlah pajak penghasilan": "income_tax",
    "SHU setelah pajak": "shu_after_tax",
}


def test_page_pdf_and_xlsx_show_the_sections_with_the_ledgers_figures(client, koperasi, books):
    testing.login(client, testing.make_user("pengawas", koperasi))
    totals = reports.statement_of_income(koperasi, PERIOD).totals
    url = reverse("ledger:statement-income", kwargs={"slug": koperasi.slug})

    page = client.get(url, {"periode": "2026-02"}).content.decode()
    pdf = _pdf_text(client.get(url, {"periode": "2026-02", "format": "pdf"}).content)
    for text in (page, pdf):
        for label, key in HEADLINES.items():
            assert label in text, label
            assert _amount(totals[key]) in text, label
        assert "Beban pajak penghasilan" in text

    sheet = client.get(url, {"periode": "2026-02", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    by_label = {str(r[1]).strip(): r for r in rows if len(r) > 2 and r[1]}
    for label, key in HEADLINES.items():
        match = next(v for k, v in by_label.items() if k.startswith(label))
        assert match[2] == Decimal(totals[key]) / 100, label


def test_migration_gives_an_existing_chart_the_new_accounts(koperasi):
    """A koperasi whose chart was installed before 0006: the new accounts come, the member
    HPP is renamed where nobody renamed it, 4-2000 counts as member participation."""
    import importlib

    migration = importlib.import_module("kopdes.ledger.migrations.0006_shu_statement_accounts")
    services.setup_koperasi_books(koperasi)
    new = ["4-9000", "5-1200", "5-9000", "5-9100"] + [
        chart.unit_code("5-1200", u) for u in koperasi.business_units if chart.UNIT_DIGITS[u]
    ]
    for account in Account.objects.filter(koperasi=koperasi, code__in=new).order_by("-code"):
        account.delete()  # children first
    Account.objects.filter(koperasi=koperasi, code="5-1100").update(
        name="Harga pokok penjualan (HPP)"
    )
    Account.objects.filter(koperasi=koperasi, code="5-1101").update(name="HPP beras dan minyak")
    Account.objects.filter(koperasi=koperasi, code="4-2000").update(is_member_revenue=False)

    migration.forwards(django_apps, None)
    migration.forwards(django_apps, None)  # twice: nothing more

    accounts = {a.code: a for a in Account.objects.filter(koperasi=koperasi)}
    assert set(new) <= set(accounts)
    assert accounts["5-1200"].type == "beban" and accounts["5-1200"].normal_side == "D"
    assert accounts["4-9000"].normal_side == "C"
    assert accounts[chart.unit_code("5-1200", "sembako")].parent_id == accounts["5-1200"].id
    assert accounts["5-1100"].name == "Harga pokok penjualan (HPP) - anggota"
    assert accounts["5-1101"].name == "HPP beras dan minyak"  # the officer's name stays
    assert accounts["4-2000"].is_member_revenue
    assert len(accounts) == len(chart.expand(list(koperasi.business_units)))


def test_a_koperasi_without_a_chart_is_left_to_its_setup(koperasi):
    import importlib

    migration = importlib.import_module("kopdes.ledger.migrations.0006_shu_statement_accounts")
    migration.forwards(django_apps, None)
    assert not Account.objects.filter(koperasi=koperasi).exists()


def test_demo_bank_interest_is_other_income_and_posted_once(koperasi):
    import random

    from kopdes.ledger.demo import add_bank_interest
    from kopdes.ledger.models import JournalEntry

    testing.make_user("bendahara", koperasi, username=f"bendahara.{koperasi.slug}")
    _books_from_2024(koperasi)
    add_bank_interest(koperasi, random.Random(1))
    add_bank_interest(koperasi, random.Random(1))  # idempotent
    from django.utils import timezone

    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    t = reports.statement_of_income(koperasi, last.year * 100 + last.month).totals
    assert t["other_income"] > 0
    # The store rings up the demo's sales (store.demo); nothing here is store revenue.
    assert t["member_revenue"] == 0 and t["non_member_revenue"] == 0
    assert JournalEntry.objects.filter(koperasi=koperasi, source="demo.giro").count() == 12
