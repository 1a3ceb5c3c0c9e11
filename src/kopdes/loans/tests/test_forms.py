"""The loan pages read their input through ``loans.forms``: bad input is refused on the page
in Bahasa Indonesia and writes nothing (no loan, repayment, proposal, entry or audit)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.ledger.models import JournalEntry
from kopdes.loans import forms, services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.models import Loan, LoanProduct, LoanProposal, Repayment
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db

WHOLE_NUMBER = "Tulis bilangan bulat."
DATE_MESSAGE = "Tulis tanggal sebagai hh-bb-tttt"


def url(name, koperasi, **kw):
    return reverse(f"loans:{name}", kwargs={"slug": koperasi.slug, **kw})


def counts() -> dict[str, int]:
    return {
        "loans": Loan.objects.count(),
        "repayments": Repayment.objects.count(),
        "proposals": LoanProposal.objects.count(),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
        "products": LoanProduct.objects.count(),
    }


def page_text(response) -> str:
    return response.content.decode()


# --- application --------------------------------------------------------------------------


@pytest.fixture
def applying(client, koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"])
    member = active_member(koperasi)
    data = {
        "member": member.number,
        "product": str(prod.pk),
        "principal": "1.200.000",
        "term": "12",
        "applied_on": "02-03-2026",
        "idempotency_key": "app-forms-1",
        "step": "apply",
    }
    return login(client, officers["maker"]), data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("principal", "1,5 juta", "Jumlah tidak boleh memakai kata"),
        ("principal", "", "Jumlah wajib diisi."),
        ("principal", "0", "Jumlah harus lebih dari nol."),
        ("term", "dua belas", WHOLE_NUMBER),
        ("term", "", WHOLE_NUMBER),
        ("member", "9999", "Tidak ada anggota dengan nomor ini."),
        ("product", "not-a-uuid", "Jenis pinjaman tidak ditemukan."),
        ("applied_on", "31-02-2026", DATE_MESSAGE),
        ("collateral_value", "lima juta", "Jumlah tidak boleh memakai kata"),
        ("purpose", "modal\x00usaha", "karakter kontrol"),
    ],
)
def test_a_bad_application_is_refused_in_indonesian_and_writes_nothing(
    applying, koperasi, field, value, message
):
    c, data = applying
    before = counts()
    response = c.post(url("loan-apply", koperasi), {**data, field: value})
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_a_good_application_still_records_the_loan(applying, koperasi):
    c, data = applying
    response = c.post(url("loan-apply", koperasi), {**data, "collateral_value": ""})
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert (loan.principal, loan.term, loan.collateral_value) == (1_200_000_00, 12, 0)
    assert loan.status == LoanStatus.APPLIED


def test_the_portal_refuses_a_bad_principal_and_writes_nothing(client, koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"])
    user = make_user("anggota", koperasi)
    member = active_member(koperasi)
    member.user = user
    member.save(update_fields=["user"])
    c = login(client, user)
    before = counts()
    response = c.post(
        reverse("loans_portal:apply", kwargs={"slug": koperasi.slug}),
        {"product": str(prod.pk), "principal": "sejuta", "term": "6", "step": "apply"},
    )
    assert response.status_code == 400
    assert "Jumlah tidak boleh memakai kata" in page_text(response)
    assert counts() == before


# --- repayment ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "abc", "Jumlah tidak bisa dibaca."),
        ("amount", "0", "Jumlah harus lebih dari nol."),
        ("amount", "-50.000", "Jumlah tidak boleh negatif."),
        ("date", "2026-13-40", DATE_MESSAGE),
        ("source", "bitcoin", "Masukkan pilihan yang valid"),
    ],
)
@pytest.mark.parametrize("step", ["confirm", "post"])
def test_a_bad_repayment_is_refused_in_indonesian_and_writes_nothing(
    client, koperasi, officers, field, value, message, step
):
    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["payer"])
    data = {"amount": "100.000", "date": "02-04-2026", "source": "cash", "step": step}
    data["idempotency_key"] = "repay-forms-1"
    before = counts()
    response = c.post(url("loan-repay", koperasi, loan_id=loan.pk), {**data, field: value})
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before
    loan.refresh_from_db()
    assert loan.principal_paid == 0 and loan.interest_paid == 0


# --- restructuring and write-off proposals ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("term", "enam", WHOLE_NUMBER),
        ("grace_periods", "1,5", WHOLE_NUMBER),
        ("capitalised_interest", "seratus ribu", "Jumlah tidak boleh memakai kata"),
        ("start_date", "kemarin", DATE_MESSAGE),
    ],
)
def test_a_bad_restructuring_proposal_is_refused_and_writes_nothing(
    client, koperasi, officers, field, value, message
):
    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["maker"])
    data = {
        "reason": "usaha gagal panen",
        "term": "18",
        "rate_percent": "1",
        "start_date": "02-04-2026",
        "grace_periods": "0",
        "capitalised_interest": "",
    }
    before = counts()
    response = c.post(url("loan-restructure", koperasi, loan_id=loan.pk), {**data, field: value})
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_a_write_off_reason_with_a_control_character_is_refused(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["maker"])
    before = counts()
    response = c.post(
        url("loan-write-off", koperasi, loan_id=loan.pk),
        {"reason": "macet\u202e lama"},
        follow=True,
    )
    assert "karakter kontrol" in page_text(response)
    assert counts() == before


# --- disbursement -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "32-03-2026", DATE_MESSAGE),
        ("method", "transfer", "Masukkan pilihan yang valid"),
    ],
)
def test_a_bad_disbursement_is_refused_and_writes_nothing(
    client, koperasi, officers, field, value, message
):
    prod = testing.product(koperasi, actor=officers["checker"])
    loan = services.apply_for_loan(
        active_member(koperasi),
        actor=officers["maker"],
        product=prod,
        principal=1_200_000_00,
        term=12,
        applied_on=testing.DAY,
    )
    services.approve_loan(loan, actor=officers["checker"])
    c = login(client, officers["payer"])
    data = {"method": "cash", "date": "02-03-2026", "step": "post", "idempotency_key": "d-1"}
    before = counts()
    response = c.post(
        url("loan-disburse", koperasi, loan_id=loan.pk), {**data, field: value}, follow=True
    )
    assert message in page_text(response)
    assert counts() == before
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED and loan.disbursed_on is None


# --- the other pages ----------------------------------------------------------------------


def test_a_bad_product_percent_is_refused_and_writes_nothing(client, koperasi, officers):
    testing.product(koperasi, actor=officers["checker"])  # the books exist
    c = login(client, officers["checker"])
    before = counts()
    response = c.post(
        url("product-list", koperasi),
        {
            "code": "PX",
            "name": "Pinjaman X",
            "method": "flat",
            "rate_percent": "1",
            "rate_per": "month",
            "term_min": "1",
            "term_max": "12",
            "admin_fee_percent": "satu",
        },
    )
    assert response.status_code == 400
    assert "Tulis persentase dengan angka" in page_text(response)
    assert counts() == before


def test_a_bad_recovery_amount_is_refused_and_writes_nothing(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["payer"])
    before = counts()
    response = c.post(
        url("loan-recovery", koperasi, loan_id=loan.pk),
        {"amount": "1.000.000.000.000.000.000", "idempotency_key": "rec-1"},
        follow=True,
    )
    assert "Jumlah melebihi batas" in page_text(response)
    assert counts() == before


def test_an_unknown_officer_is_refused_as_a_relative(client, koperasi):
    c = login(client, make_user("ketua", koperasi))
    member = active_member(koperasi)
    response = c.post(
        url("relationship-list", koperasi),
        {"member": member.number, "username": "tidak-ada", "relation": "adik"},
    )
    assert response.status_code == 400
    assert "Petugas ini tidak ditemukan." in page_text(response)
    from kopdes.loans.models import Relationship

    assert not Relationship.objects.exists()


def test_error_lines_name_the_field():
    form = forms.RepaymentForm({"amount": "x"})
    assert not form.is_valid()
    (line,) = forms.error_messages(form)
    assert line.startswith("Jumlah (Rp): ") and "Jumlah tidak bisa dibaca." in line
