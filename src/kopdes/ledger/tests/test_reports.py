"""Books and statements: the cooperative identities hold, and the page, PDF and XLSX
carry the same totals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import reports, services
from kopdes.ledger.models import Account, AccountBalance
from kopdes.ledger.tests.report_data import RP, books_for
from kopdes.platform.core import testing
from kopdes.platform.documents.xlsx import safe_text

pytestmark = pytest.mark.django_db

PERIOD = 202602


@pytest.fixture
def books(koperasi):
    return books_for(koperasi)


@pytest.fixture
def officer(client, koperasi, books):
    return testing.login(client, testing.make_user("pengawas", koperasi))


def url(koperasi, name, **kwargs):
    return reverse(f"ledger:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def test_statement_of_position_balances_with_the_current_result(koperasi, books):
    report = reports.statement_of_position(koperasi, PERIOD)
    t = report.totals
    assert t["total_assets"] == t["total_liabilities"] + t["total_equity"]
    assert t["total_assets"] == t["total_liabilities_and_equity"]
    # Hibah 60 jt + result of 2025 (5 jt) and 2026 so far (2 jt - 1,5 jt - 300.000,50).
    assert t["result"] == (500_000 + 499_999) * RP + 50
    assert t["total_liabilities"] == 20_000_000 * RP


def test_statement_of_position_balances_per_unit(koperasi, books):
    for unit in koperasi.business_units:
        t = reports.statement_of_position(koperasi, PERIOD, unit).totals
        assert t["total_assets"] == t["total_liabilities_and_equity"], unit


def test_income_statement_keeps_member_and_non_member_revenue_apart(koperasi, books):
    t = reports.statement_of_income(koperasi, PERIOD).totals
    assert t["member_revenue"] == 1_500_000 * RP
    assert t["non_member_revenue"] == 500_000 * RP
    assert t["total_revenue"] == 2_000_000 * RP
    assert t["total_expenses"] == 1_500_000 * RP + 50
    assert t["shu"] == 499_999 * RP + 50
    sembako = reports.statement_of_income(koperasi, PERIOD, "sembako").totals
    kantor = reports.statement_of_income(koperasi, PERIOD, "kantor").totals
    assert sembako["shu"] + kantor["shu"] == t["shu"]
    assert kantor["total_revenue"] == 0


def test_previous_period_is_shown_beside(koperasi, books):
    report = reports.statement_of_income(koperasi, 202606)
    assert report.totals["previous_shu"] == 500_000 * RP
    assert len(report.value_headers) == 2


def test_year_end_closing_keeps_the_year_visible_and_the_balance_sheet_balanced(koperasi, books):
    ketua = testing.make_user("ketua", koperasi)
    for month in range(3, 13):
        proposal = services.propose_period_close(koperasi, actor=books, year=2025, month=month)
        services.approve_period_change(proposal, actor=ketua)
    shu_2025 = reports.statement_of_income(koperasi, 202512).totals["shu"]
    assert shu_2025 == 500_000 * RP
    t = reports.statement_of_position(koperasi, PERIOD).totals
    assert t["total_assets"] == t["total_liabilities_and_equity"]
    equity = reports.statement_of_equity(koperasi, PERIOD).totals
    assert equity["closing_equity"] == t["total_equity"]


def test_equity_statement_ties_to_the_balance_sheet(koperasi, books):
    equity = reports.statement_of_equity(koperasi, PERIOD).totals
    position = reports.statement_of_position(koperasi, PERIOD).totals
    assert equity["closing_equity"] == position["total_equity"]
    assert equity["opening_equity"] == 60_000_000 * RP + 500_000 * RP


def test_cash_flow_statement_ties_opening_to_closing_cash(koperasi, books):
    for unit in [None, *koperasi.business_units]:
        t = reports.statement_of_cash_flows(koperasi, PERIOD, unit).totals
        assert t["opening_cash"] + t["net_change"] == t["closing_cash"], unit
    t = reports.statement_of_cash_flows(koperasi, PERIOD).totals
    # Sales 2 jt in, HPP 1,2 jt, listrik 300.000,50, etalase 5 jt out, bank loan 20 jt in.
    assert t["net_change"] == (2_000_000 - 1_200_000 - 5_000_000 + 20_000_000 - 300_000) * RP - 50


def test_trial_balance_debits_equal_credits(koperasi, books):
    t = reports.trial_balance(koperasi, PERIOD).totals
    assert t["debit"] == t["credit"] > 0


def test_cash_book_runs_from_opening_to_closing(koperasi, books):
    report = reports.cash_book(koperasi, PERIOD)
    t = report.totals
    assert t["opening"] + t["debit"] - t["credit"] == t["closing"]
    cash = Account.objects.filter(koperasi=koperasi, code__startswith="1-11")
    rows = AccountBalance.objects.filter(koperasi=koperasi, account__in=cash, period__lte=PERIOD)
    assert t["closing"] == sum(r.debit_total - r.credit_total for r in rows)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _xlsx_values(content: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(content))
    return [list(row) for row in wb.active.iter_rows(values_only=True)]


def _amount(sen: int) -> str:
    return format_rupiah(sen, prefix="")


@pytest.mark.parametrize(
    "name,builder,total_key,label",
    [
        ("statement-position", reports.statement_of_position, "total_assets", "Total"),
        ("statement-income", reports.statement_of_income, "shu", "SHU"),
        ("statement-cash-flows", reports.statement_of_cash_flows, "closing_cash", "Kas"),
        ("statement-equity", reports.statement_of_equity, "closing_equity", "Total"),
        ("trial-balance", reports.trial_balance, "debit", "Total"),
        ("cash-book", reports.cash_book, "closing", "Saldo"),
        ("bank-book", reports.bank_book, "closing", "Saldo"),
    ],
)
def test_page_pdf_and_xlsx_carry_the_same_totals(
    officer, koperasi, name, builder, total_key, label, django_assert_max_num_queries
):
    expected = builder(koperasi, PERIOD).totals[total_key]
    assert expected
    with django_assert_max_num_queries(25):
        page = officer.get(url(koperasi, name), {"periode": "2026-02"})
    assert page.status_code == 200
    assert _amount(expected) in page.content.decode()
    pdf = officer.get(url(koperasi, name), {"periode": "2026-02", "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert koperasi.name in text
    assert _amount(expected) in text
    sheet = officer.get(url(koperasi, name), {"periode": "2026-02", "format": "xlsx"})
    assert sheet.status_code == 200
    values = [v for row in _xlsx_values(sheet.content) for v in row]
    assert Decimal(expected) / 100 in values


def test_reports_per_unit_pages_open(officer, koperasi):
    for name in ("statement-position", "statement-income", "statement-cash-flows"):
        response = officer.get(url(koperasi, name), {"periode": "2026-02", "unit": "sembako"})
        assert response.status_code == 200
    # An unknown unit or month falls back to consolidated / this month, never an error.
    response = officer.get(url(koperasi, "statement-position"), {"periode": "x", "unit": "zzz"})
    assert response.status_code == 200


def test_general_ledger_of_an_account(officer, koperasi):
    bank = Account.objects.get(koperasi=koperasi, code="1-1200")
    response = officer.get(
        url(koperasi, "account-ledger", account_id=bank.pk), {"periode": "2026-02"}
    )
    assert response.status_code == 200
    assert "Pinjaman bank Himbara" in response.content.decode()


def test_general_ledger_of_another_koperasis_account_is_404(officer, koperasi, other_koperasi):
    services.setup_koperasi_books(other_koperasi)
    foreign = Account.objects.get(koperasi=other_koperasi, code="1-1200")
    response = officer.get(url(koperasi, "account-ledger", account_id=foreign.pk))
    assert response.status_code == 404


def test_spreadsheet_text_cells_cannot_run_formulas(koperasi, books, client):
    services.post(
        koperasi,
        actor=books,
        date=dt.date(2026, 2, 10),
        memo='=HYPERLINK("http://x","klik")',
        lines=[LineDraft.debit("5-2100", 1000), LineDraft.credit("1-1100", 1000)],
        idempotency_key="formula",
    )
    testing.login(client, testing.make_user("ketua", koperasi))
    sheet = client.get(url(koperasi, "cash-book"), {"periode": "2026-02", "format": "xlsx"})
    values = [v for row in _xlsx_values(sheet.content) for v in row if isinstance(v, str)]
    assert not any(v.startswith("=") for v in values)
    assert any(v.startswith("'=HYPERLINK") for v in values)
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_text(dangerous).startswith("'")
    assert safe_text("Kas") == "Kas"


def test_report_pages_need_ledger_view(client, koperasi, books):
    testing.login(client, testing.make_user("anggota", koperasi))
    assert client.get(url(koperasi, "statement-position")).status_code == 403


def test_statements_cost_the_same_queries_with_every_business_unit(
    client, django_assert_max_num_queries
):
    from kopdes.ledger.chart import UNIT_DIGITS

    big = testing.make_koperasi("semua-unit", business_units=list(UNIT_DIGITS))
    books_for(big)
    testing.login(client, testing.make_user("ketua", big))
    for name in ("statement-income", "statement-position", "statement-equity"):
        with django_assert_max_num_queries(15):
            response = client.get(url(big, name), {"periode": "2026-02"})
        assert response.status_code == 200
