"""The tenant-isolation harness (tests/test_isolation.py) run over purchasing's routes alone:
as koperasi A's officer holding every role, every purchasing route with B's slug, or A's
slug and B's ids (built by tests/isolation_samples.py), answers 404/405 without B's
canary and writes nothing of B's; A's own pages never show B's canary. The whole-site walk
covers these too; this keeps purchasing's probe independent of other apps' samples."""

from __future__ import annotations

import pytest
from tests.test_isolation import (  # noqa: F401 - tenants is a fixture
    CANARY,
    _tenant_snapshot,
    _values,
    iter_routes,
    tenants,
)

from kopdes.platform.core import testing


def _routes():
    return [r for r in iter_routes() if r.name.startswith("purchasing:")]


def test_every_purchasing_route_has_a_sample():
    assert len(_routes()) == 13


@pytest.mark.django_db
def test_no_purchasing_route_serves_another_koperasi(client, tenants):  # noqa: F811
    a, b, user, _token = tenants
    testing.login(client, user)
    plans = []
    for route in _routes():
        values = _values(route, b.slug, b)
        variants = [values] + ([dict(values, slug=a.slug)] if len(route.kwargs) > 1 else [])
        plans.append((route, variants))
    before = _tenant_snapshot(b)
    leaks = []
    for route, variants in plans:
        for values in variants:
            url = route.url(values)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace")
                if response.status_code not in (404, 405) or CANARY in body:
                    leaks.append(f"{method.upper()} {url} ({route.name}) -> {response.status_code}")
    assert leaks == []
    assert _tenant_snapshot(b) == before
    for route in _routes():
        response = client.get(route.url(_values(route, a.slug, a)))
        assert CANARY not in response.content.decode(errors="replace"), route.name
