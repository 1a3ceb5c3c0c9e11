"""Loan pages: the flows an officer clicks through, bad input, reports read back."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.models import Loan, LoanProduct, Repayment
from kopdes.platform.core.testing import login, make_user
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db


def url(name, koperasi, **kw):
    return reverse(f"loans:{name}", kwargs={"slug": koperasi.slug, **kw})


@pytest.fixture
def kasir_client(client, koperasi):
    return login(client, make_user("kasir", koperasi))


def test_every_list_page_renders(officer_client, koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    for name in (
        "home",
        "loan-list",
        "product-list",
        "loan-apply",
        "collection-list",
        "proposal-list",
        "relationship-list",
        "report-portfolio",
        "report-aging",
        "report-monthly",
        "bank-loan-list",
    ):
        response = officer_client.get(url(name, koperasi))
        assert response.status_code == 200, name


def test_officer_simulates_then_applies_at_the_counter(client, koperasi, officers):
    c = login(client, officers["maker"])
    prod = testing.product(koperasi, actor=officers["checker"])
    member = active_member(koperasi)
    data = {
        "member": member.number,
        "product": str(prod.pk),
        "principal": "1.200.000",
        "term": "12",
        "applied_on": "2026-03-02",
        "idempotency_key": "app-1",
        "step": "simulate",
    }
    response = c.post(url("loan-apply", koperasi), data)
    assert response.status_code == 200
    assert "satu juta dua ratus ribu" in response.content.decode()
    assert Loan.objects.count() == 0
    response = c.post(url("loan-apply", koperasi), {**data, "step": "apply"})
    assert response.status_code == 302
    c.post(url("loan-apply", koperasi), {**data, "step": "apply"})  # double click
    assert Loan.objects.count() == 1


def test_over_plafond_application_shows_indonesian_message(client, koperasi, officers):
    c = login(client, officers["maker"])
    prod = testing.product(koperasi, actor=officers["checker"], plafond_max=500_000_00)
    member = active_member(koperasi)
    response = c.post(
        url("loan-apply", koperasi),
        {
            "member": member.number,
            "product": str(prod.pk),
            "principal": "1.000.000",
            "term": "6",
            "step": "apply",
        },
    )
    assert response.status_code == 400
    assert "plafon" in response.content.decode().lower()
    assert Loan.objects.count() == 0


def test_repayment_confirmation_shows_words_and_records_once(kasir_client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    data = {"amount": "118.000", "date": "2026-04-02", "source": "cash", "idempotency_key": "k1"}
    response = kasir_client.post(
        url("loan-repay", koperasi, loan_id=loan.pk), {**data, "step": "confirm"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "seratus delapan belas ribu" in body
    assert Repayment.objects.count() == 0
    response = kasir_client.post(
        url("loan-repay", koperasi, loan_id=loan.pk), {**data, "step": "post"}
    )
    assert response.status_code == 302
    kasir_client.post(url("loan-repay", koperasi, loan_id=loan.pk), {**data, "step": "post"})
    assert Repayment.objects.count() == 1
    receipt = kasir_client.get(response["Location"])
    text = receipt.content.decode()
    assert "https://wa.me/?text=" in text and "seratus delapan belas ribu" in text


def test_repayment_of_zero_is_refused_on_the_page(kasir_client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    response = kasir_client.post(
        url("loan-repay", koperasi, loan_id=loan.pk),
        {
            "amount": "0",
            "date": "2026-04-02",
            "source": "cash",
            "idempotency_key": "z",
            "step": "post",
        },
    )
    assert response.status_code == 400
    assert "lebih dari nol" in response.content.decode()
    assert Repayment.objects.count() == 0


def test_approve_and_disburse_through_the_pages(client, koperasi, officers):
    loan = services.apply_for_loan(
        active_member(koperasi),
        actor=officers["maker"],
        product=testing.product(koperasi, actor=officers["checker"]),
        principal=500_000_00,
        term=5,
        applied_on=testing.DAY,
    )
    # The loan page's buttons are the inbox's one decide pair, coming back to the page.
    page = url("loan-detail", koperasi, loan_id=loan.pk)
    approve = reverse(
        "approvals:approve",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "loans-application",
            "approval_item_id": loan.pk,
        },
    )
    maker = login(client, officers["maker"])
    maker.post(approve, {"next": page})
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPLIED  # maker refused
    client.logout()
    ketua = login(client, officers["checker"])
    assert f'action="{approve}"' in ketua.get(page).content.decode()
    response = ketua.post(approve, {"next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.APPROVED
    client.logout()
    payer = login(client, officers["payer"])
    confirm = payer.get(
        url("loan-disburse", koperasi, loan_id=loan.pk), {"method": "cash", "date": "2026-03-02"}
    )
    assert "empat ratus sembilan puluh ribu" in confirm.content.decode()
    payer.post(
        url("loan-disburse", koperasi, loan_id=loan.pk),
        {"method": "cash", "date": "2026-03-02", "idempotency_key": "d1", "step": "post"},
    )
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE
    pdf = payer.get(url("loan-agreement", koperasi, loan_id=loan.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_reports_pdf_and_xlsx_agree_with_the_page(officer_client, koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    services.run_daily(koperasi, actor=None, as_of=dt.date(2026, 5, 15))
    response = officer_client.get(url("report-portfolio", koperasi), {"format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    from decimal import Decimal

    assert Decimal("1200000.00") in values
    pdf = officer_client.get(url("report-aging", koperasi), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    page = officer_client.get(url("report-aging", koperasi)).content.decode()
    assert "1.200.000" in page


def test_product_form_refuses_inverted_term_range(officer_client, koperasi):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    response = officer_client.post(
        url("product-list", koperasi),
        {
            "code": "X",
            "name": "X",
            "method": "flat",
            "rate_percent": "1",
            "rate_per": "month",
            "rounding": "rupiah",
            "term_min": "12",
            "term_max": "6",
            "fee_mode": "deducted",
            "penalty_per": "day",
        },
    )
    assert response.status_code == 400
    assert LoanProduct.objects.count() == 0


def test_member_sees_own_loans_in_the_portal_and_applies(client, koperasi, officers):
    from kopdes.platform.identity.models import RoleAssignment

    loan = testing.active_loan(koperasi, officers=officers)
    user = make_user("anggota", koperasi)
    member = loan.member
    member.user = user
    member.save(update_fields=["user"])
    c = login(client, user)
    page = c.get(reverse("loans_portal:home", kwargs={"slug": koperasi.slug}))
    assert page.status_code == 200 and loan.number in page.content.decode()
    assert "118.000" in page.content.decode()
    response = c.post(
        reverse("loans_portal:apply", kwargs={"slug": koperasi.slug}),
        {
            "product": str(loan.product_id),
            "principal": "300.000",
            "term": "3",
            "idempotency_key": "p1",
            "step": "apply",
        },
    )
    assert response.status_code == 302
    assert Loan.objects.filter(member=member, channel="portal").count() == 1
    # Another member's loan is a 404.
    other = testing.active_loan(koperasi, officers=officers)
    assert (
        c.get(
            reverse("loans_portal:loan", kwargs={"slug": koperasi.slug, "loan_id": other.pk})
        ).status_code
        == 404
    )
    assert RoleAssignment.objects.filter(user=user).exists()


def test_bank_loan_page_shows_next_installments(officer_client, koperasi):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    response = officer_client.post(
        url("bank-loan-list", koperasi),
        {
            "lender": "BRI",
            "plafond": "3.000.000.000",
            "rate_percent": "6",
            "term": "72",
            "grace_periods": "6",
            "start_date": "2026-01-05",
        },
    )
    assert response.status_code == 302
    page = officer_client.get(response["Location"])
    assert page.status_code == 200


def test_member_statement_and_monthly_report_read_back(officer_client, koperasi, officers):
    from decimal import Decimal

    loan = testing.active_loan(koperasi, officers=officers)
    services.repay_loan(
        loan, actor=officers["kasir"], amount=118_000_00, date=dt.date(2026, 4, 2),
        idempotency_key="st",
    )  # fmt: skip
    xlsx = officer_client.get(url("loan-statement", koperasi, loan_id=loan.pk), {"format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert Decimal("100000.00") in cells and Decimal("1100000.00") in cells
    pdf = officer_client.get(url("loan-statement", koperasi, loan_id=loan.pk), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    monthly = officer_client.get(
        url("report-monthly", koperasi), {"year": "2026", "format": "xlsx"}
    )
    wb = openpyxl.load_workbook(io.BytesIO(monthly.content))
    rows = {r[0]: r for r in wb.active.iter_rows(values_only=True) if r and r[0]}
    assert rows["2026-03"][2] == Decimal("1200000.00")
    assert rows["2026-04"][3] == Decimal("100000.00") and rows["2026-04"][4] == Decimal("18000.00")


def test_collection_list_shows_late_loans_with_whatsapp(officer_client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    page = officer_client.get(url("collection-list", koperasi), {"date": "2026-05-10"})
    body = page.content.decode()
    assert loan.number in body and "https://wa.me/62" in body


def test_dashboard_shows_the_loans_tile_and_menu(officer_client, koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    body = officer_client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content
    text = body.decode()
    assert "1.200.000" in text and url("home", koperasi) in text
