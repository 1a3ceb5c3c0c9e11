"""The catalog over the API: list/search, get by barcode (in-store labels too), refusals."""

from __future__ import annotations

import pytest

from kopdes.domain.barcode import InStoreKind, make_instore
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.services import create_api_token
from kopdes.store.testing import make_item

pytestmark = pytest.mark.django_db


def _auth(user):
    _token, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_list_items_searches_by_name_and_barcode(client, koperasi):
    make_item(koperasi, name="Teh celup melati", barcode="8992761111113")
    make_item(koperasi, name="Sabun mandi")
    headers = _auth(make_user("kasir", koperasi))
    url = f"/api/k/{koperasi.slug}/store/items"
    everything = client.get(url, **headers)
    assert everything.status_code == 200 and len(everything.json()) == 2
    found = client.get(url, {"q": "8992761111113"}, **headers).json()
    assert [i["name"] for i in found] == ["Teh celup melati"]
    assert found[0]["public_price"] == 18_000_00 and found[0]["business_unit"] == "sembako"


def test_get_by_barcode_reads_a_scale_label(client, koperasi):
    item = make_item(
        koperasi, name="Daging ayam", base_unit="kg", units_per_dus=None, min_stock=0,
        barcode=make_instore(InStoreKind.WEIGHT, 7, 0),
    )  # fmt: skip
    headers = _auth(make_user("kasir", koperasi))
    label = make_instore(InStoreKind.WEIGHT, 7, 1250)
    response = client.get(f"/api/k/{koperasi.slug}/store/items/barcode/{label}", **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["item"]["id"] == str(item.pk) and body["label_grams"] == 1250
    assert body["label_price"] is None
    assert (body["item"]["stock_unit"], body["item"]["price_per"]) == ("gram", 1000)


def test_bad_and_unknown_barcodes(client, koperasi):
    make_item(koperasi, barcode="8992761111113")
    headers = _auth(make_user("kasir", koperasi))
    base = f"/api/k/{koperasi.slug}/store/items/barcode/"
    bad = client.get(base + "8992761111112", **headers)
    assert bad.status_code == 400 and "seharusnya 3" in bad.content.decode()
    assert client.get(base + "96385074", **headers).status_code == 404


def test_api_follows_the_matrix_and_the_tenant(client, koperasi, other_koperasi):
    make_item(other_koperasi, barcode="8992761111113")
    headers = _auth(make_user("kasir", koperasi))
    url = f"/api/k/{other_koperasi.slug}/store/items/barcode/8992761111113"
    assert client.get(url, **headers).status_code == 404
    lender = _auth(make_user("petugas_pinjaman", koperasi))
    assert client.get(f"/api/k/{koperasi.slug}/store/items", **lender).status_code == 403
