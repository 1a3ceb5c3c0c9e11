"""Issue 13 on the pages: "pelunasan dipercepat" as a checkbox that the confirmation and
the receipt name; the loan page and the portal show which installments are paid and the
payment history; "Usulkan hapus buku" only where the AD/ART allows a write-off; the
collateral's binding at application."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.loans import services, testing
from kopdes.loans.models import Loan, LoanProposal, Repayment
from kopdes.platform.core.testing import login, make_user
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db


def url(name, koperasi, **kw):
    return reverse(f"loans:{name}", kwargs={"slug": koperasi.slug, **kw})


def _repay(c, koperasi, loan, **data):
    base = {"source": "cash", "idempotency_key": "k-" + data["amount"]}
    return c.post(url("loan-repay", koperasi, loan_id=loan.pk), {**base, **data})


def test_an_early_payment_pays_installment_1_and_the_pages_show_it(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    kasir = login(client, officers["kasir"])
    form = kasir.get(url("loan-repay", koperasi, loan_id=loan.pk)).content.decode()
    assert 'name="accelerated"' in form and "pelunasan dipercepat" in form.lower()
    confirm = _repay(kasir, koperasi, loan, amount="118.000", date="2026-03-02", step="confirm")
    body = confirm.content.decode()
    assert confirm.status_code == 200 and 'data-testid="confirm-allocation"' in body
    assert 'data-testid="confirm-accelerated"' not in body
    done = _repay(kasir, koperasi, loan, amount="118.000", date="2026-03-02", step="post")
    assert done.status_code == 302
    receipt = kasir.get(done["Location"]).content.decode()
    assert 'data-testid="receipt-installments"' in receipt and "receipt-accelerated" not in receipt
    page = kasir.get(url("loan-detail", koperasi, loan_id=loan.pk)).content.decode()
    assert page.count('data-state="paid"') == 1
    assert page.count('data-state="open"') + page.count('data-state="late"') == 11
    assert 'data-testid="repayment-installments">1<' in page


def test_accelerated_payoff_is_a_checkbox_the_receipt_names(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    kasir = login(client, officers["kasir"])
    data = {"amount": "300.000", "date": "2026-03-20", "accelerated": "1"}
    confirm = _repay(kasir, koperasi, loan, **data, step="confirm").content.decode()
    assert 'data-testid="confirm-accelerated"' in confirm
    assert 'name="accelerated" value="1"' in confirm  # carried to the recording step
    done = _repay(kasir, koperasi, loan, **data, step="post")
    assert done.status_code == 302
    rep = Repayment.objects.get()
    assert rep.accelerated and rep.principal == 300_000_00
    receipt = kasir.get(done["Location"]).content.decode()
    assert 'data-testid="receipt-accelerated"' in receipt
    assert "pelunasan dipercepat" in receipt.lower()
    page = kasir.get(url("loan-detail", koperasi, loan_id=loan.pk)).content.decode()
    assert 'data-testid="repayment-accelerated"' in page


def test_ticking_accelerated_for_only_what_is_due_is_refused_on_the_confirmation(
    client, koperasi, officers
):
    loan = testing.active_loan(koperasi, officers=officers)
    kasir = login(client, officers["kasir"])
    data = {"amount": "118.000", "date": "2026-04-02", "accelerated": "1", "step": "confirm"}
    response = _repay(kasir, koperasi, loan, **data)
    assert response.status_code == 400
    assert Repayment.objects.count() == 0


def test_the_portal_shows_the_payment_history_and_paid_installments(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    services.repay_loan(
        loan, actor=officers["kasir"], amount=236_000_00, date=testing.DAY, idempotency_key="p"
    )
    user = make_user("anggota", koperasi)
    member = loan.member
    member.user = user
    member.save(update_fields=["user"])
    c = login(client, user)
    page = c.get(
        reverse("loans_portal:loan", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    ).content.decode()
    assert page.count('data-state="paid"') == 2
    assert 'data-testid="repayments"' in page and "236.000" in page
    assert 'data-testid="repayment-installments">1, 2<' in page


def test_a_lancar_loan_cannot_be_proposed_for_write_off(client, koperasi, officers):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    loan = testing.active_loan(koperasi, officers=officers, date=today - dt.timedelta(days=5))
    c = login(client, officers["maker"])
    page = c.get(url("loan-detail", koperasi, loan_id=loan.pk)).content.decode()
    assert url("loan-write-off", koperasi, loan_id=loan.pk) not in page
    assert 'data-testid="write-off-not-allowed"' in page and "macet" in page.lower()
    response = c.post(url("loan-write-off", koperasi, loan_id=loan.pk), {"reason": "Pindah"})
    assert response.status_code in (302, 400)
    assert LoanProposal.objects.count() == 0
    with pytest.raises(services.LoanError, match=r"hapus buku|write-off"):
        services.propose_write_off(loan, actor=officers["maker"], reason="Pindah")


def test_a_macet_loan_offers_the_write_off(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)  # March 2026: long overdue
    assert services.current_kolektibilitas(loan) == 5
    c = login(client, officers["maker"])
    page = c.get(url("loan-detail", koperasi, loan_id=loan.pk)).content.decode()
    assert url("loan-write-off", koperasi, loan_id=loan.pk) in page


def test_the_application_records_the_collateral_binding(client, koperasi, officers):
    c = login(client, officers["maker"])
    prod = testing.product(koperasi, actor=officers["checker"])
    member = active_member(koperasi)
    data = {
        "member": member.number,
        "product": str(prod.pk),
        "principal": "1.200.000",
        "term": "12",
        "applied_on": "2026-03-02",
        "idempotency_key": "app-c",
        "collateral_value": "2.000.000",
        "collateral_binding": "fidusia",
        "collateral_note": "BPKB motor",
        "step": "apply",
    }
    form = c.get(url("loan-apply", koperasi)).content.decode()
    assert 'name="collateral_binding"' in form and "hak tanggungan" in form
    assert c.post(url("loan-apply", koperasi), data).status_code == 302
    loan = Loan.objects.get()
    assert (loan.collateral_value, loan.collateral_binding) == (2_000_000_00, "fidusia")
    page = c.get(url("loan-detail", koperasi, loan_id=loan.pk)).content.decode()
    assert "1.000.000" in page  # fidusia counts 50% of the appraised 2.000.000
    bad = c.post(
        url("loan-apply", koperasi),
        {**data, "idempotency_key": "app-d", "collateral_binding": "gadai"},
    )
    assert bad.status_code == 400 and Loan.objects.count() == 1


def test_a_product_may_round_installments_down_and_the_loan_keeps_it(
    officer_client, koperasi, officers
):
    form = officer_client.get(url("product-list", koperasi)).content.decode()
    for value in ("down100", "down1000", "down10000"):
        assert f'value="{value}"' in form
    prod = testing.product(koperasi, actor=officers["checker"], rounding="down1000")
    loan = testing.active_loan(koperasi, officers=officers, prod=prod, principal=5_000_000_00)
    assert loan.rounding == "down1000"
    rows = list(loan.installments.order_by("period"))
    assert {r.principal + r.interest for r in rows[:-1]} == {491_000_00}
    assert sum(r.interest for r in rows) == 900_000_00  # 5 juta x 1,5% x 12, exactly
    assert sum(r.principal for r in rows) == 5_000_000_00
    with pytest.raises(services.LoanError):
        testing.product(koperasi, actor=officers["checker"], rounding="down5")
