"""The journal JSON API: post with an Idempotency-Key, read back, 4xx JSON on bad input."""

from __future__ import annotations

import json

import pytest

from kopdes.ledger.models import JournalEntry
from kopdes.ledger.testing import post_simple, with_books
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.services import create_api_token

pytestmark = pytest.mark.django_db


def auth(user):
    _, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def books(koperasi):
    return with_books(koperasi)


def body(amount=25_000_00, credit_amount=None, **extra):
    return {
        "date": "2026-03-05",
        "memo": "Bayar listrik kantor",
        "lines": [
            {"account": "5-2100", "side": "D", "amount": amount},
            {"account": "1-1100", "side": "C", "amount": credit_amount or amount},
        ],
        **extra,
    }


def post(client, koperasi, headers, payload, key="api-1"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/k/{koperasi.slug}/ledger/entries",
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
        **extra,
    )


def test_post_then_replay_then_conflict(client, books):
    headers = auth(make_user("bendahara", books))
    first = post(client, books, headers, body())
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["number"] == 1 and data["total_amount"] == 25_000_00
    assert [line["account"] for line in data["lines"]] == ["5-2100", "1-1100"]
    replay = post(client, books, headers, body())
    assert replay.status_code == 200 and replay.json() == data
    conflict = post(client, books, headers, body(amount=25_000_01))
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert "lines[1].amount" in conflict.json()["message"]
    assert JournalEntry.objects.filter(koperasi=books).count() == 1
    read = client.get(f"/api/k/{books.slug}/ledger/entries/{data['id']}", **headers)
    assert read.status_code == 200 and read.json() == data


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        (body(credit_amount=1), 400, "tidak seimbang"),
        (body(amount=0), 422, "lebih dari nol"),
        (body(amount=-5), 422, "lebih dari nol"),
        (body(amount=10**17 + 1), 400, "melebihi batas"),
        (
            {
                **body(),
                "lines": [
                    {"account": "9-9999", "side": "D", "amount": 5},
                    {"account": "1-1100", "side": "C", "amount": 5},
                ],
            },
            400,
            "tidak dikenal",
        ),
        ({**body(), "lines": [{"account": "1-1100", "side": "X", "amount": 5}]}, 422, ""),
        ({**body(), "date": "2026-02-30"}, 422, ""),
        ({**body(), "memo": ""}, 400, "Keterangan"),
    ],
)
def test_bad_input_is_a_4xx_json_and_writes_nothing(client, books, payload, status, fragment):
    headers = auth(make_user("bendahara", books))
    response = post(client, books, headers, payload)
    assert response.status_code == status, response.content
    assert fragment in response.json()["message"]
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_missing_idempotency_key_is_refused(client, books):
    headers = auth(make_user("bendahara", books))
    assert post(client, books, headers, body(), key=None).status_code == 422
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_permission_and_tenant_checks(client, books, other_koperasi):
    with_books(other_koperasi)
    kasir = auth(make_user("kasir", books))
    assert post(client, books, kasir, body()).status_code == 403
    outsider = auth(make_user("bendahara", other_koperasi))
    assert post(client, books, outsider, body()).status_code == 404
    entry = post_simple(books)
    foreign_read = client.get(f"/api/k/{books.slug}/ledger/entries/{entry.pk}", **outsider)
    assert foreign_read.status_code == 404
    own_slug_foreign_id = client.get(
        f"/api/k/{other_koperasi.slug}/ledger/entries/{entry.pk}", **outsider
    )
    assert own_slug_foreign_id.status_code == 404
    garbage = client.get(
        f"/api/k/{books.slug}/ledger/entries/not-a-uuid", **auth(make_user("ketua", books))
    )
    assert garbage.status_code == 404
    assert client.get(f"/api/k/{books.slug}/ledger/entries/{entry.pk}").status_code == 401


@pytest.mark.parametrize("amount", [True, "100", "2500000", 1.5, 100.0, -1, 0, None, [5]])
def test_line_amounts_are_positive_json_integers_only(client, books, amount):
    headers = auth(make_user("bendahara", books))
    response = post(client, books, headers, body(amount=amount, credit_amount=amount))
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["code"] == "invalid" and data["field"] == "amount"
    assert "Jumlah harus" in data["message"]
    assert JournalEntry.objects.filter(koperasi=books).count() == 0
