"""Per-request savings on every call: the role memo (one query, grants seen at once) and
the API token's "last used" written at most every few minutes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopdes.platform.core.testing import make_koperasi, make_user
from kopdes.platform.identity import rolecache
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.models import RoleAssignment
from kopdes.platform.identity.selectors import needs_two_factor, roles_for


def test_roles_are_read_once_per_request(db):
    koperasi = make_koperasi()
    user = make_user(Role.KASIR, koperasi)
    with rolecache.request_memo(), CaptureQueriesContext(connection) as queries:
        assert roles_for(user, koperasi) == {Role.KASIR}
        assert needs_two_factor(user)
        assert roles_for(user, koperasi) == {Role.KASIR}
    assert len(queries) == 1


def test_outside_a_request_roles_are_read_every_time(db):
    koperasi = make_koperasi()
    user = make_user(Role.KASIR, koperasi)
    with CaptureQueriesContext(connection) as queries:
        roles_for(user, koperasi)
        roles_for(user, koperasi)
    assert len(queries) == 2
    # A job or a service called directly needs no koperasi: three columns, no join.
    assert all("tenancy_koperasi" not in q["sql"] for q in queries.captured_queries)


def test_in_a_request_the_one_read_brings_the_koperasi_with_the_roles(db):
    koperasi = make_koperasi()
    user = make_user(Role.KASIR, koperasi)
    with rolecache.request_memo(), CaptureQueriesContext(connection) as queries:
        assert roles_for(user, koperasi) == {Role.KASIR}
    assert len(queries) == 1
    assert "tenancy_koperasi" in queries.captured_queries[0]["sql"]


def test_a_grant_or_revoke_in_the_request_is_seen_at_once(db):
    koperasi = make_koperasi()
    user = make_user(Role.KASIR, koperasi)
    with rolecache.request_memo():
        assert roles_for(user, koperasi) == {Role.KASIR}
        granted = RoleAssignment.objects.create(user=user, koperasi=koperasi, role=Role.BENDAHARA)
        assert roles_for(user, koperasi) == {Role.KASIR, Role.BENDAHARA}
        from django.utils import timezone

        granted.revoked_at = timezone.now()
        granted.save(update_fields=["revoked_at"])
        assert roles_for(user, koperasi) == {Role.KASIR}


def test_api_token_last_used_is_written_at_most_every_few_minutes(koperasi, client):
    from datetime import timedelta

    from django.utils import timezone

    from kopdes.platform.identity import services
    from kopdes.platform.identity.api import LAST_USED_RESOLUTION
    from kopdes.platform.identity.models import ApiToken

    user = make_user(Role.BENDAHARA, koperasi)
    token, raw = services.create_api_token(user, actor=None, name="laptop")
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    # A second call moments later does not write (no second commit per API request).
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    # Once the resolution has passed, it is written again.
    stale = timezone.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > stale


def test_an_api_call_under_a_koperasi_reads_the_token_then_the_roles_with_the_koperasi(
    koperasi, client
):
    from kopdes.platform.identity import services
    from kopdes.platform.identity.models import ApiToken

    user = make_user(Role.BENDAHARA, koperasi)
    other = make_koperasi()
    token, raw = services.create_api_token(user, actor=None, name="laptop")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/k/{koperasi.slug}/", **auth).status_code == 200  # last_used
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/k/{koperasi.slug}/", **auth)
    assert response.status_code == 200 and response.json()["slug"] == koperasi.slug
    # The token with its user (one query), the caller's roles with their koperasi (one).
    sqls = [q["sql"] for q in queries]
    assert len(sqls) == 2, sqls
    assert "identity_apitoken" in sqls[0] and "identity_user" in sqls[0]
    assert "identity_roleassignment" in sqls[1] and "tenancy_koperasi" in sqls[1]
    # Checked as always: no role in the other koperasi is a 404, a revoked role is a 404,
    # a revoked token is a 401.
    assert client.get(f"/api/k/{other.slug}/", **auth).status_code == 404
    RoleAssignment.objects.filter(user=user).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(f"/api/k/{koperasi.slug}/", **auth).status_code == 404
    ApiToken.objects.filter(pk=token.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(f"/api/k/{koperasi.slug}/", **auth).status_code == 401


def test_an_inactive_users_token_is_refused(koperasi, client):
    from kopdes.platform.identity import services

    user = make_user(Role.BENDAHARA, koperasi)
    _token, raw = services.create_api_token(user, actor=None, name="laptop")
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(f"/api/k/{koperasi.slug}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
