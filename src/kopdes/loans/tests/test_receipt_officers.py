"""A loan receipt names the officer who took the money, and the loan page names who paid
the loan out and who approved it, apart (issue 13, part 7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.loans import services
from kopdes.loans.testing import DAY, active_loan, key
from kopdes.platform.core.testing import login

pytestmark = pytest.mark.django_db


def test_repayment_receipt_names_the_teller_who_received_it(client, koperasi, officers):
    loan = active_loan(koperasi, officers=officers)
    kasir = officers["kasir"]
    rep = services.repay_loan(loan, actor=kasir, amount=50_000_00, date=DAY, idempotency_key=key())
    page = login(client, kasir).get(
        reverse("loans:repayment-receipt", kwargs={"slug": koperasi.slug, "repayment_id": rep.pk})
    )
    assert page.status_code == 200
    assert f"Diterima oleh: {kasir.full_name}" in page.content.decode()


def test_loan_page_names_who_paid_out_and_who_approved(client, koperasi, officers):
    loan = active_loan(koperasi, officers=officers)
    page = login(client, officers["kasir"]).get(
        reverse("loans:loan-detail", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    )
    html = page.content.decode()
    assert f"Dibayar oleh: {officers['payer'].full_name}" in html
    assert f"Disetujui oleh: {officers['checker'].full_name}" in html


def test_an_undisbursed_loan_names_nobody_as_payer(client, koperasi, officers):
    from kopdes.loans.testing import product
    from kopdes.savings.testing import active_member

    loan = services.apply_for_loan(
        active_member(koperasi), actor=officers["maker"], product=product(koperasi),
        principal=1_000_000_00, term=10, applied_on=DAY,
    )  # fmt: skip
    page = login(client, officers["kasir"]).get(
        reverse("loans:loan-detail", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    )
    assert "Dibayar oleh" not in page.content.decode()


def test_loan_memos_are_indonesian_whatever_the_officers_language(koperasi, officers):
    from django.utils import translation

    with translation.override("en"):
        loan = active_loan(koperasi, officers=officers)
        rep = services.repay_loan(
            loan, actor=officers["kasir"], amount=50_000_00, date=DAY, idempotency_key=key()
        )
    loan.refresh_from_db()
    assert loan.disbursement_entry.memo.startswith(f"Pencairan pinjaman {loan.number} ")
    assert rep.entry.memo.startswith(f"Angsuran pinjaman {loan.number}")
