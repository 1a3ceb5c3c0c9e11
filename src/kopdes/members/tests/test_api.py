import pytest

from kopdes.members.models import Member
from kopdes.members.testing import make_member, registration_data
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.services import create_api_token

pytestmark = pytest.mark.django_db


def _auth(user):
    _token, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _payload(koperasi, **kw):
    data = registration_data(koperasi, **kw)
    data["birth_date"] = data["birth_date"].isoformat()
    return data


def test_api_register_is_idempotent_and_masked(client, koperasi):
    headers = _auth(make_user("kasir", koperasi))
    url = f"/api/k/{koperasi.slug}/members"
    body = _payload(koperasi, serial=51)
    first = client.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )
    assert first.status_code == 201, first.content
    again = client.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Member.objects.count() == 1
    assert body["nik"] not in first.content.decode() and "*" in first.json()["nik"]
    other = _payload(koperasi, serial=52)
    clash = client.post(
        url, other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )
    assert clash.status_code == 409


def test_api_bad_input_is_4xx_json_and_writes_nothing(client, koperasi):
    headers = _auth(make_user("kasir", koperasi))
    url = f"/api/k/{koperasi.slug}/members"
    bad = _payload(koperasi, nik="12345")
    response = client.post(
        url, bad, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **headers
    )
    assert response.status_code == 400 and response.json()["field"] == "nik"
    assert Member.objects.count() == 0


def test_api_foreign_member_id_is_404_and_search_by_nik(client, koperasi, other_koperasi):
    foreign = make_member(other_koperasi)
    mine = make_member(koperasi, serial=61)
    headers = _auth(make_user("kasir", koperasi))
    assert client.get(f"/api/k/{koperasi.slug}/members/{foreign.pk}", **headers).status_code == 404
    assert client.get(f"/api/k/{koperasi.slug}/members/{mine.pk}", **headers).status_code == 200
    found = client.get(f"/api/k/{koperasi.slug}/members", {"q": mine.nik}, **headers).json()
    assert [m["number"] for m in found] == [mine.number]


@pytest.mark.parametrize("share", [True, "100", 100.0])
def test_api_heir_share_is_a_json_integer_only(client, koperasi, share):
    headers = _auth(make_user("kasir", koperasi))
    body = _payload(koperasi, serial=53)
    body["heirs"] = [{"name": "Siti", "relation": "anak", "share_percent": share}]
    response = client.post(
        f"/api/k/{koperasi.slug}/members",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-share",
        **headers,
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "share_percent"
    assert Member.objects.count() == 0
