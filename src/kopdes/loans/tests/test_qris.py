"""Repayment by QRIS: the kasir's QR page, the "payment received" confirmation posting to
the QRIS clearing account once, bad input, and the same QR in the member portal."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from kopdes.ledger.models import JournalLine
from kopdes.loans import qris, selectors, services, testing
from kopdes.loans.models import Repayment
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db


def url(koperasi, loan, **query):
    base = reverse("loans:loan-qris", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    return f"{base}?{urlencode(query)}" if query else base


@pytest.fixture
def kasir_client(client, koperasi):
    return login(client, make_user("kasir", koperasi))


# --- the payload ---------------------------------------------------------------------------


def test_crc_matches_the_ccitt_false_check_value():
    assert qris.crc16_ccitt("123456789") == "29B1"


def test_payload_carries_amount_reference_and_a_valid_checksum():
    text = qris.payment_payload(
        merchant_name="Koperasi Desa Merah Putih Sukamaju Jaya Abadi",
        merchant_id="3201123456",
        city="Bogor",
        amount=118_000_00,
        reference="PJ-000001",
    )
    fields = qris.parse_payload(text)
    assert fields["54"] == "118000" and fields["53"] == "360" and fields["58"] == "ID"
    assert fields["59"] == "KOPERASI DESA MERAH PUTIH"  # cut to 25 characters
    assert "PJ-000001" in fields["62"]
    assert fields["01"] == "12"
    broken = text[:-1] + ("0" if text[-1] != "0" else "1")
    with pytest.raises(ValueError):
        qris.parse_payload(broken)


def test_payload_amount_keeps_sen_and_refuses_nothing_to_pay():
    assert qris.format_amount(118_000_50) == "118000.50"
    for bad in (0, -100, True):
        with pytest.raises(ValueError):
            qris.format_amount(bad)


def test_payload_flattens_non_ascii_names():
    text = qris.payment_payload(
        merchant_name="Koperasi Désa ٣", merchant_id="1", city="Bandung", amount=1, reference="x"
    )
    assert text.isascii() and qris.parse_payload(text)["59"] == "KOPERASI DESA"


# --- the kasir page ------------------------------------------------------------------------


def test_kasir_shows_the_code_for_the_installment_due_then_records_it_once(
    kasir_client, koperasi, officers
):
    loan = testing.active_loan(koperasi, officers=officers)
    page = kasir_client.get(url(koperasi, loan, date="2026-04-02"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "seratus delapan belas ribu rupiah" in html
    assert re.search(r'src="data:image/svg\+xml[^"]+"', html)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    code = selectors.qris_code(koperasi, loan, 118_000_00)
    assert qris.parse_payload(code["payload"])["54"] == "118000"
    assert Repayment.objects.count() == 0  # showing the code records nothing

    data = {
        "amount": "118.000",
        "date": "2026-04-02",
        "idempotency_key": key,
        "received": "yes",
        "step": "post",
    }
    response = kasir_client.post(url(koperasi, loan), data)
    assert response.status_code == 302, response.content.decode()
    again = kasir_client.post(url(koperasi, loan), data)  # a double click
    assert again.status_code == 302
    rep = Repayment.objects.get()
    assert (rep.source, rep.amount, rep.interest, rep.principal) == (
        "qris",
        118_000_00,
        18_000_00,
        100_000_00,
    )
    lines = {
        (x.account.code, x.side): x.amount
        for x in JournalLine.objects.filter(entry=rep.entry).select_related("account")
    }
    assert lines[("1-1600", "D")] == 118_000_00 and ("1-1100", "D") not in lines
    event = AuditEvent.objects.get(action="loans.repayment.received")
    assert event.summary["source"] == "qris" and event.summary["amount"] == 118_000_00
    receipt = kasir_client.get(response["Location"]).content.decode()
    assert "seratus delapan belas ribu" in receipt and "QRIS" in receipt


def test_kasir_may_ask_for_another_amount(kasir_client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    html = kasir_client.get(url(koperasi, loan, date="2026-04-02", amount="50.000")).content
    assert "lima puluh ribu rupiah" in html.decode()


def test_before_the_first_due_date_the_code_asks_for_the_next_installment(
    kasir_client, koperasi, officers
):
    loan = testing.active_loan(koperasi, officers=officers)
    html = kasir_client.get(url(koperasi, loan, date="2026-03-10")).content.decode()
    assert "seratus delapan belas ribu rupiah" in html and "02-04-2026" in html


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"received": ""}, "Centang"),
        ({"amount": "abc"}, "tidak bisa dibaca"),
        ({"amount": "0"}, "lebih dari nol"),
        ({"amount": "-5.000"}, "negatif"),
        ({"amount": "99.000.000"}, "pelunasan"),
        ({"date": "2026-13-01"}, "Tanggal"),
        ({"date": "2026-01-01"}, "pencairan"),
        ({"idempotency_key": ""}, "idempoten"),
    ],
)
def test_bad_qris_confirmation_shows_a_message_and_writes_nothing(
    kasir_client, koperasi, officers, changes, words
):
    loan = testing.active_loan(koperasi, officers=officers)
    data = {
        "amount": "118.000",
        "date": "2026-04-02",
        "idempotency_key": "q-bad",
        "received": "yes",
        "step": "post",
        **changes,
    }
    response = kasir_client.post(url(koperasi, loan), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Repayment.objects.count() == 0


def test_qris_page_of_a_loan_not_yet_disbursed_shows_no_code(kasir_client, koperasi, officers):
    loan = services.apply_for_loan(
        active_member(koperasi),
        actor=officers["maker"],
        product=testing.product(koperasi, actor=officers["checker"]),
        principal=100_000_00,
        term=3,
        applied_on=testing.DAY,
    )
    response = kasir_client.get(url(koperasi, loan))
    assert response.status_code == 400
    assert "data:image/svg" not in response.content.decode()


def test_qris_page_of_another_koperasi_is_404(kasir_client, koperasi, other_koperasi):
    foreign = testing.active_loan(other_koperasi)
    assert kasir_client.get(url(koperasi, foreign)).status_code == 404
    response = kasir_client.post(
        url(koperasi, foreign),
        {"amount": "1.000", "received": "yes", "step": "post", "idempotency_key": "f"},
    )
    assert response.status_code == 404
    assert Repayment.objects.count() == 0


def test_a_pengawas_may_not_take_payments(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    c = login(client, officers["pengawas"])
    response = c.post(
        url(koperasi, loan),
        {
            "amount": "118.000",
            "date": "2026-04-02",
            "received": "yes",
            "step": "post",
            "idempotency_key": "p",
        },
    )
    assert response.status_code in (403, 404)
    assert Repayment.objects.count() == 0


# --- the member portal ---------------------------------------------------------------------


def test_member_portal_shows_the_qr_for_what_is_due(client, koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    user = make_user("anggota", koperasi)
    loan.member.user = user
    loan.member.save(update_fields=["user"])
    c = login(client, user)
    page = c.get(reverse("loans_portal:loan", kwargs={"slug": koperasi.slug, "loan_id": loan.pk}))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="qris"' in html
    assert "data:image/svg+xml" in html and " rupiah" in html


def test_the_api_takes_a_qris_repayment_into_the_clearing_account(client, koperasi, officers):
    import json

    from kopdes.loans.tests.test_api import _token

    loan = testing.active_loan(koperasi, officers=officers)
    token = _token(officers["kasir"])
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": "qris-1"}
    body = {"amount": 118_000_00, "date": "2026-04-02", "source": "qris"}
    response = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    rep = Repayment.objects.get()
    assert rep.source == "qris"
    assert JournalLine.objects.get(entry=rep.entry, account__code="1-1600").side == "D"
    bad = client.post(
        url,
        json.dumps({**body, "source": "bitcoin"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="qris-2",
    )
    assert bad.status_code == 400 and Repayment.objects.count() == 1
