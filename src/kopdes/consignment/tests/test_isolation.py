"""Every consignment route, as an officer holding every role of koperasi A, with B's slug or
with A's slug and B's consignor: 404, and nothing of B's changes (the project-wide harness,
tests/test_isolation.py, walks these routes too through the ``consignor_id`` sample)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.isolation_samples import SAMPLES

from kopdes.consignment.models import ConsignmentMovement, ConsignmentPayout, ConsignmentTerms
from kopdes.platform.core.testing import login, make_koperasi, make_user
from kopdes.platform.identity.choices import KOPERASI_ROLES
from kopdes.platform.identity.models import RoleAssignment

pytestmark = pytest.mark.django_db


def _rows(koperasi):
    return tuple(
        m.objects.filter(koperasi=koperasi).count()
        for m in (ConsignmentTerms, ConsignmentMovement, ConsignmentPayout)
    )


def test_no_consignment_route_serves_another_koperasi(client):
    a = make_koperasi("titip-a")
    b = make_koperasi("titip-b")
    user = make_user("ketua", a)
    for role in KOPERASI_ROLES:
        if role != "ketua":
            RoleAssignment.objects.create(user=user, role=role, koperasi=a)
    theirs = SAMPLES["consignor_id"](b)
    ours = SAMPLES["consignor_id"](a)
    before = _rows(b)
    login(client, user)
    for slug in (a.slug, b.slug):
        for name in ("settlement", "payout"):
            url = reverse(f"consignment:{name}", kwargs={"slug": slug, "consignor_id": theirs})
            post = {"amount": "1.000", "step": "post", "idempotency_key": "x", "periode": ""}
            assert client.get(url).status_code in (404, 405)
            assert client.post(url, post).status_code == 404
    for name in ("overview", "terms-add", "movement-add"):
        url = reverse(f"consignment:{name}", kwargs={"slug": b.slug})
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {}).status_code == 404
    own = reverse("consignment:settlement", kwargs={"slug": a.slug, "consignor_id": ours})
    assert client.get(own).status_code == 200
    assert _rows(b) == before
