"""The teller page reads what it uses: the member with her accounts in one query, the
counter accounts only when the form shows them or checks a chosen code."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kopdes.members.testing import make_member
from kopdes.platform.core.testing import login
from kopdes.savings import forms, selectors
from kopdes.savings.models import SavingsTransaction
from kopdes.savings.testing import active_member, key, teller, voluntary_account

pytestmark = pytest.mark.django_db


def _page(koperasi, member_id) -> str:
    return reverse("savings:deposit", kwargs={"slug": koperasi.slug, "member_id": member_id})


def _counter_reads(queries) -> list[str]:
    # selectors.counter_accounts: the ledger accounts under 1-1 (Kas and Bank).
    return [q["sql"] for q in queries if "ledger_account" in q["sql"] and "LIKE" in q["sql"]]


def test_a_deposit_through_kas_reads_no_counter_accounts(client, koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, actor=kasir)
    login(client, kasir)
    data = {"account": str(account.pk), "amount": "5.000", "memo": "",
            "idempotency_key": key(), "step": "post"}  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_page(koperasi, account.member_id), data)
    assert response.status_code == 302 and "/bukti/" in response["Location"]
    assert _counter_reads(queries.captured_queries) == []
    # The member came with her accounts: no read of the member on her own before the lock.
    alone = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith("SELECT")
        and 'FROM "members_member"' in q["sql"]
        and "JOIN" not in q["sql"]
        and "pg_advisory" not in q["sql"]
    ]
    assert len(alone) <= 1  # the status read under the lock (savings.posting) only
    account.refresh_from_db()
    assert account.balance == 5_000_00


def test_the_form_shows_the_counter_accounts_and_checks_a_chosen_one(client, koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    login(client, kasir)
    page = _page(koperasi, account.member_id)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(page).content.decode()
    assert len(_counter_reads(queries.captured_queries)) == 1  # read once for the choices
    assert "1-1100" in html
    k = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    before = SavingsTransaction.objects.count()
    response = client.post(
        page,
        {"account": str(account.pk), "amount": "5.000", "memo": "", "idempotency_key": k,
         "counter_account": "2-1100", "step": "post"},
    )  # fmt: skip
    assert response.status_code == 400  # the form's own refusal of a code not offered
    assert SavingsTransaction.objects.count() == before


def test_a_member_without_accounts_is_served_by_the_member_read(client, koperasi):
    kasir = teller(koperasi)
    member = make_member(koperasi)  # a calon: no account yet
    data = selectors.teller_data(koperasi, member.pk)
    assert (data.member.pk, data.accounts) == (member.pk, [])
    login(client, kasir)
    assert client.get(_page(koperasi, member.pk)).status_code == 200


def test_teller_data_is_tenant_scoped(koperasi, other_koperasi):
    foreign = active_member(other_koperasi)
    voluntary_account(other_koperasi, member=foreign)
    with pytest.raises(Http404):
        selectors.teller_data(koperasi, foreign.pk)
    with pytest.raises(Http404):
        selectors.teller_data(koperasi, "not-a-uuid")


def test_lazy_counter_accounts_are_read_once(koperasi):
    voluntary_account(koperasi)
    counters = selectors.lazy_counter_accounts(koperasi)
    with CaptureQueriesContext(connection) as queries:
        first, second = counters(), counters()
    assert first == second == selectors.counter_accounts(koperasi)
    assert len(queries.captured_queries) == 1


def test_a_counter_form_takes_a_list_or_a_function(koperasi):
    voluntary_account(koperasi)
    listed = selectors.counter_accounts(koperasi)
    for counters in (listed, selectors.lazy_counter_accounts(koperasi)):
        form = forms.CounterForm({"idempotency_key": "k", "counter_account": "1-1100"},
                                 counters=counters)  # fmt: skip
        assert form.is_valid(), form.errors
        assert form.counters == dict(listed)
        bad = forms.CounterForm({"idempotency_key": "k", "counter_account": "9-9999"},
                                counters=counters)  # fmt: skip
        assert not bad.is_valid() and "counter_account" in bad.errors
