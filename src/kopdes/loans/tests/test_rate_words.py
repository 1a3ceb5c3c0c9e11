"""Rates in plain Indonesian on the loan pages: "1,5% per bulan", denda "0,1% per hari",
fees as percentages typed and shown in percent; never "1,5000%", "bp" or "basis poin"."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kopdes.loans import testing
from kopdes.loans.models import LoanProduct
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db

JARGON = re.compile(r"\bbp\b|basis poin|basis point|1,5000|\d,\d*0%", re.IGNORECASE)


def url(name, koperasi, **kw):
    return reverse(f"loans:{name}", kwargs={"slug": koperasi.slug, **kw})


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_product_pages_say_rates_in_plain_words(officer_client, koperasi):
    product = testing.product(koperasi)
    listing = _text(officer_client.get(url("product-list", koperasi)))
    assert "1,5% per bulan" in listing
    assert "1–24 bulan" in listing
    detail = _text(officer_client.get(url("product-detail", koperasi, product_id=product.pk)))
    assert "1,5% per bulan" in detail
    assert "1% / 1% dari pinjaman" in detail
    assert "0,1% per hari dari angsuran yang terlambat, setelah 3 hari masa tenggang" in detail
    apply = _text(officer_client.get(url("loan-apply", koperasi)))
    assert "(1,5% per bulan, 1–24 bulan)" in apply
    for page in (listing, detail, apply):
        assert not JARGON.search(page), JARGON.search(page)


def test_loan_page_and_agreement_say_the_rate_and_the_penalty(client, koperasi, officers):
    from kopdes.platform.core.testing import login

    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["checker"])
    page = _text(c.get(url("loan-detail", koperasi, loan_id=loan.pk)))
    assert "1,5% per bulan" in page
    assert not JARGON.search(page)
    pdf = c.get(url("loan-agreement", koperasi, loan_id=loan.pk))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "1,5% per bulan" in text
    assert "denda 0,1% per hari" in text
    assert "basis" not in text


def test_fees_and_penalty_are_typed_in_percent(officer_client, koperasi):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    form = {
        "code": "UT",
        "name": "Usaha tani",
        "method": "flat",
        "rate_percent": "1,5",
        "rate_per": "month",
        "rounding": "rupiah",
        "term_min": "3",
        "term_max": "24",
        "admin_fee_percent": "1",
        "provisi_percent": "0,5",
        "fee_mode": "deducted",
        "penalty_percent": "0,1",
        "penalty_per": "day",
    }
    page = _text(officer_client.get(url("product-list", koperasi)))
    assert "Denda (% dari angsuran yang terlambat, misalnya 0,1)" in page
    response = officer_client.post(url("product-list", koperasi), form)
    assert response.status_code == 302
    product = LoanProduct.objects.get(koperasi=koperasi, code="UT")
    assert (product.admin_fee_bp, product.provisi_bp, product.penalty_bp) == (100, 50, 10)


@pytest.mark.parametrize("bad", ["sepuluh", "0,125", "-1", "150"])
def test_a_bad_percentage_is_refused_in_indonesian_and_nothing_is_written(
    officer_client, koperasi, bad
):
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
            "term_min": "1",
            "term_max": "6",
            "fee_mode": "deducted",
            "penalty_percent": bad,
            "penalty_per": "day",
        },
    )
    assert response.status_code == 400
    assert "ersentase" in _text(response)
    assert not LoanProduct.objects.filter(koperasi=koperasi).exists()


def test_savings_term_deposit_page_says_the_rate(client, koperasi):
    from kopdes.ledger.testing import with_books
    from kopdes.platform.core.testing import login, make_user

    with_books(koperasi)
    member = active_member(koperasi)
    c = login(client, make_user("kasir", koperasi))
    response = c.get(
        reverse("savings:term-place", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    )
    assert response.status_code == 200
    text = _text(response)
    assert re.search(r"\(\d+(,\d+)?% per (tahun|bulan)\)", text), text[:2000]
    assert not JARGON.search(text)


def test_restructure_form_offers_the_current_rate_as_people_write_it(client, koperasi, officers):
    from kopdes.platform.core.testing import login

    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["maker"])
    response = c.get(url("loan-restructure", koperasi, loan_id=loan.pk))
    assert response.status_code == 200
    assert 'value="1,5"' in response.content.decode()


def test_member_portal_application_says_the_rate_and_the_term(client, koperasi, officers):
    from kopdes.platform.core.testing import login, make_user

    loan = testing.active_loan(koperasi, officers=officers)
    user = make_user("anggota", koperasi)
    loan.member.user = user
    loan.member.save(update_fields=["user"])
    c = login(client, user)
    page = _text(c.get(reverse("loans_portal:apply", kwargs={"slug": koperasi.slug})))
    assert "(1,5% per bulan, 1–24 bulan)" in page
    assert not JARGON.search(page)
