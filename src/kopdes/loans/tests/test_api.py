"""The loans API: 201 new, 200 replay, 409 conflict, 400 bad input, 404 foreign loan."""

from __future__ import annotations

import json

import pytest

from kopdes.loans import testing
from kopdes.loans.models import Repayment
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.api import hash_token
from kopdes.platform.identity.models import ApiToken

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    raw = f"tok-{user.pk}"
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw))
    return raw


def _post(client, url, body, token, key="k1"):
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_repayment_api_is_idempotent(client, koperasi, other_koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    token = _token(officers["kasir"])
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments"
    body = {"amount": 118_000_00, "date": "2026-04-02"}
    first = _post(client, url, body, token)
    assert first.status_code == 201, first.content
    again = _post(client, url, body, token)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    conflict = _post(client, url, {**body, "amount": 118_000_01}, token)
    assert conflict.status_code == 409
    too_much = _post(client, url, {**body, "amount": 10**12}, token, key="k2")
    assert too_much.status_code == 400
    zero = _post(client, url, {**body, "amount": 0}, token, key="k3")
    assert zero.status_code == 422  # refused by the schema (platform.core.api_types.Sen)
    assert Repayment.objects.count() == 1
    other = testing.active_loan(other_koperasi)
    foreign = _post(
        client, f"/api/k/{koperasi.slug}/loans/{other.pk}/repayments", body, token, "k4"
    )
    assert foreign.status_code == 404
    detail = client.get(
        f"/api/k/{koperasi.slug}/loans/{loan.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert detail.status_code == 200 and detail.json()["installments"][0]["paid_on"] == "2026-04-02"


def test_disbursement_api_refuses_an_unapproved_loan(client, koperasi, officers):
    from kopdes.loans import services
    from kopdes.savings.testing import active_member

    loan = services.apply_for_loan(
        active_member(koperasi),
        actor=officers["maker"],
        product=testing.product(koperasi, actor=officers["checker"]),
        principal=100_000_00,
        term=2,
        applied_on=testing.DAY,
    )
    token = _token(make_user("bendahara", koperasi))
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/disbursement"
    response = _post(client, url, {"date": "2026-03-02"}, token)
    assert response.status_code == 400
    services.approve_loan(loan, actor=officers["checker"])
    assert _post(client, url, {"date": "2026-03-02"}, token).status_code == 201
    assert _post(client, url, {"date": "2026-03-02"}, token).status_code == 200


def test_one_repayment_over_the_api_reads_the_loan_tables_with_plain_fetches(
    client, koperasi, officers
):
    """get the loan with its member and product (404 check): one ORM query; under the
    lock ONE statement for the replay check, the loan's live figures and its rows;
    installment update, loan update, repayment insert: five statements under the lock,
    none of them compiled by the ORM (which qualifies every column with its table)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kopdes.platform.core.testing import sent_statements

    loan = testing.active_loan(koperasi, officers=officers)
    token = _token(officers["kasir"])
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments"
    body = {"amount": 1_000_00, "date": "2026-04-02"}
    assert _post(client, url, body, token, key="first").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        assert _post(client, url, body, token, key="second").status_code == 201
    loan_queries = [sql for sql in sent_statements(ctx.captured_queries) if "loans_" in sql]
    # get_loan: the ORM's one query (the loan joined with its member and product) ...
    lookups = [sql for sql in loan_queries if "JOIN" in sql and "loans_loanproduct" in sql]
    assert len(lookups) == 1, "\n".join(loan_queries)
    # ... then the repayment's own statements.
    loan_queries = [sql for sql in loan_queries if sql not in lookups]
    assert len(loan_queries) <= 5, "\n".join(loan_queries)
    selects = [sql for sql in loan_queries if sql.startswith("SELECT")]
    assert not any('"."' in sql for sql in selects), "\n".join(selects)
    assert sum("loans_installment" in sql for sql in selects) == 1


def test_a_repayment_never_reaches_another_koperasis_loan(
    client, koperasi, other_koperasi, officers
):
    loan = testing.active_loan(koperasi, officers=officers)
    token = _token(officers["kasir"])
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments"
    body = {"amount": 1_000_00, "date": "2026-04-02"}
    assert _post(client, url, body, token, key="own").status_code == 201
    # Another koperasi's loan under the officer's own slug: a 404.
    foreign = testing.active_loan(other_koperasi)
    foreign_url = f"/api/k/{koperasi.slug}/loans/{foreign.pk}/repayments"
    assert _post(client, foreign_url, body, token, key="foreign").status_code == 404
    assert (
        _post(client, url.replace(str(loan.pk), "bukan-id"), body, token, "bad").status_code == 404
    )


@pytest.mark.parametrize("amount", [True, "100", "11800000", 1.5, 118_000.0, -1, 0])
def test_repayment_amounts_are_positive_json_integers_only(client, koperasi, officers, amount):
    loan = testing.active_loan(koperasi, officers=officers)
    token = _token(officers["kasir"])
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments"
    response = _post(client, url, {"amount": amount, "date": "2026-04-02"}, token)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["field"] == "amount" and "Jumlah harus" in data["message"]
    assert Repayment.objects.count() == 0


def test_repayment_api_pays_the_next_installment_unless_accelerated(client, koperasi, officers):
    """Issue 13: a payment before the due date pays installment 1 as scheduled; the
    ``accelerated`` field (pelunasan dipercepat, a JSON boolean) pays principal ahead."""
    loan = testing.active_loan(koperasi, officers=officers)
    token = _token(officers["kasir"])
    url = f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments"
    early = _post(client, url, {"amount": 118_000_00, "date": "2026-03-02"}, token, "a1")
    assert early.status_code == 201, early.content
    body = early.json()
    assert (body["interest"], body["principal"], body["accelerated"]) == (
        18_000_00,
        100_000_00,
        False,
    )
    detail = client.get(
        f"/api/k/{koperasi.slug}/loans/{loan.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert detail["installments"][0]["paid_on"] == "2026-03-02"
    ahead = {"amount": 200_000_00, "date": "2026-03-10", "accelerated": True}
    prepaid = _post(client, url, ahead, token, "a2")
    assert prepaid.status_code == 201, prepaid.content
    assert prepaid.json()["accelerated"] is True and prepaid.json()["principal"] == 200_000_00
    for bad in ("true", 1, None):
        refused = _post(client, url, {**ahead, "accelerated": bad}, token, f"bad-{bad}")
        assert refused.status_code == 422, refused.content
    assert Repayment.objects.count() == 2
