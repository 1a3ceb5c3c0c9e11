"""The tenant check of pages (``koperasi_view``) and of the API (``api_koperasi``).

The koperasi of the URL comes with the caller's role assignments, in one query that the
TOTP check, the service's ``require_perm`` and the audit label share (``identity.rolecache``).
Only a user overseeing a region without a role of her own in the koperasi has it read by
its slug. The answers are the same as ever: 404 alike for a koperasi that does not exist
and for one that is not hers, 403 for a role without the permission.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from ninja.errors import HttpError

from kopdes.platform.core.testing import login, make_user
from kopdes.platform.identity import rolecache
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.models import RoleAssignment
from kopdes.platform.identity.selectors import require_perm
from kopdes.platform.identity.services import create_api_token
from kopdes.platform.tenancy.access import API_REFUSED, api_koperasi, koperasi_view

pytestmark = pytest.mark.django_db


@koperasi_view("savings.teller")
def teller_page(request):
    return HttpResponse(f"{request.koperasi.slug} {sorted(request.roles)}")


def _page_request(user, *, verified: bool = True):
    """A request as the middleware leaves it: the user loaded, and django-otp's
    ``is_verified`` on her (``OTPMiddleware`` sets it on the user the same way)."""
    request = RequestFactory().get("/k/x/")
    request.user = user
    user.is_verified = lambda: verified
    return request


def _api_request(user):
    request = RequestFactory().get("/api/k/x/")
    request.auth = user  # what ninja sets after ApiTokenAuth
    return request


# -- koperasi_view -----------------------------------------------------------------------


def test_a_page_reads_the_koperasi_and_the_officers_roles_in_one_query(koperasi):
    kasir = make_user(Role.KASIR, koperasi)
    request = _page_request(kasir)
    with rolecache.request_memo():
        with CaptureQueriesContext(connection) as ctx:
            response = teller_page(request, slug=koperasi.slug)
        assert response.status_code == 200
        # TOTP check, tenant check and permission: the one query, the koperasi joined.
        assert len(ctx.captured_queries) == 1
        sql = ctx.captured_queries[0]["sql"]
        assert "identity_roleassignment" in sql and "tenancy_koperasi" in sql
        assert request.koperasi == koperasi and request.roles == {Role.KASIR}
        # The service's own check and the audit label read nothing more in the request.
        with CaptureQueriesContext(connection) as later:
            assert require_perm(kasir, request.koperasi, "savings.teller") == {Role.KASIR}
        assert len(later.captured_queries) == 0


def test_unknown_and_foreign_koperasi_are_the_same_404_in_the_same_one_query(
    koperasi, other_koperasi
):
    kasir = make_user(Role.KASIR, koperasi)
    for slug in (other_koperasi.slug, "tidak-ada"):
        with (
            rolecache.request_memo(),
            CaptureQueriesContext(connection) as ctx,
            pytest.raises(Http404),
        ):
            teller_page(_page_request(kasir), slug=slug)
        assert len(ctx.captured_queries) == 1, slug


def test_a_role_without_the_permission_is_403(koperasi):
    anggota = make_user(Role.ANGGOTA, koperasi)
    with rolecache.request_memo(), pytest.raises(PermissionDenied):
        teller_page(_page_request(anggota), slug=koperasi.slug)


def test_an_officer_without_totp_is_sent_to_it_before_the_tenant_is_looked_at(
    koperasi, other_koperasi
):
    kasir = make_user(Role.KASIR, koperasi)
    for slug in (koperasi.slug, other_koperasi.slug, "tidak-ada"):
        with rolecache.request_memo():
            response = teller_page(_page_request(kasir, verified=False), slug=slug)
        assert response.status_code == 302 and "next=" in response["Location"]


def test_a_regional_officer_sees_the_koperasi_of_her_region_only(koperasi, other_koperasi):
    # koperasi is in 32.01 (Bogor), other_koperasi in 33.02: dinas of Jawa Barat ("32").
    dinas = make_user(Role.DINAS, region_prefix="32")

    @koperasi_view("tenancy.view_profile")
    def profile(request):
        return HttpResponse(request.koperasi.slug)

    with rolecache.request_memo():
        with CaptureQueriesContext(connection) as ctx:
            response = profile(_page_request(dinas), slug=koperasi.slug)
        assert response.content.decode() == koperasi.slug
        # Her assignments (no koperasi of her own among them), then the koperasi by slug.
        assert len(ctx.captured_queries) == 2
        for slug in (other_koperasi.slug, "tidak-ada"):
            with pytest.raises(Http404):
                profile(_page_request(dinas), slug=slug)
        # Oversight alone does not open a teller's page.
        with pytest.raises(PermissionDenied):
            teller_page(_page_request(dinas), slug=koperasi.slug)


def test_a_role_of_her_own_and_oversight_of_the_region_both_count(koperasi):
    pendamping = make_user(Role.PENDAMPING, region_prefix="32.01")
    RoleAssignment.objects.create(user=pendamping, koperasi=koperasi, role=Role.KASIR)
    request = _page_request(pendamping)
    with rolecache.request_memo(), CaptureQueriesContext(connection) as ctx:
        teller_page(request, slug=koperasi.slug)
    assert request.roles == {Role.KASIR, Role.PENDAMPING}
    assert len(ctx.captured_queries) == 1  # the koperasi came with her own role


def test_an_admin_opens_any_koperasi(koperasi, other_koperasi):
    admin = make_user(Role.ADMIN)

    @koperasi_view("tenancy.view_profile")
    def profile(request):
        return HttpResponse(request.koperasi.slug)

    for k in (koperasi, other_koperasi):
        with rolecache.request_memo():
            assert profile(_page_request(admin), slug=k.slug).content.decode() == k.slug
    with rolecache.request_memo(), pytest.raises(Http404):
        profile(_page_request(admin), slug="tidak-ada")


def test_through_the_middleware_a_page_reads_no_koperasi_of_its_own(client, koperasi):
    kasir = make_user(Role.KASIR, koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page).status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    # The koperasi is read once, joined to her roles, and the roles once.
    assert sum("tenancy_koperasi" in sql for sql in sqls) == 1, sqls
    assert sum("identity_roleassignment" in sql for sql in sqls) == 1, sqls


# -- api_koperasi ------------------------------------------------------------------------


def test_the_api_check_reads_the_koperasi_and_roles_in_one_query(koperasi):
    kasir = make_user(Role.KASIR, koperasi)
    with rolecache.request_memo(), CaptureQueriesContext(connection) as ctx:
        assert api_koperasi(_api_request(kasir), koperasi.slug, "savings.teller") == koperasi
    assert len(ctx.captured_queries) == 1


def test_the_api_check_refuses_as_before(koperasi, other_koperasi):
    kasir = make_user(Role.KASIR, koperasi)
    with rolecache.request_memo():
        for slug in (other_koperasi.slug, "tidak-ada"):
            with pytest.raises(Http404):
                api_koperasi(_api_request(kasir), slug, "savings.view")
        with pytest.raises(HttpError) as refused:
            api_koperasi(_api_request(kasir), koperasi.slug, "ledger.post_manual")
    assert refused.value.status_code == 403 and str(refused.value) == API_REFUSED


def _api(client, user, path):
    _token, raw = create_api_token(user, actor=None, name="uji")
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_over_http_unknown_and_foreign_koperasi_answer_the_same_404(
    client, koperasi, other_koperasi
):
    bendahara = make_user(Role.BENDAHARA, koperasi)
    answers = [
        _api(client, bendahara, f"/api/k/{slug}/savings/accounts?member_number=1")
        for slug in (other_koperasi.slug, "tidak-ada")
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].content == answers[1].content
    assert answers[0].json() == {"code": "not_found", "message": "Tidak ditemukan.", "field": None}


def test_over_http_403_keeps_each_endpoints_message(client, koperasi):
    anggota = make_user(Role.ANGGOTA, koperasi)
    profile = _api(client, anggota, f"/api/k/{koperasi.slug}/")
    assert profile.status_code == 403
    assert profile.json() == {"detail": "Anda tidak berwenang melihat profil koperasi ini."}
    members = _api(client, anggota, f"/api/k/{koperasi.slug}/members")
    assert members.status_code == 403
    assert members.json() == {"detail": API_REFUSED}


def test_over_http_a_regional_officer_reads_her_regions_koperasi_only(
    client, koperasi, other_koperasi
):
    dinas = make_user(Role.DINAS, region_prefix="32")
    mine = _api(client, dinas, f"/api/k/{koperasi.slug}/")
    assert mine.status_code == 200 and mine.json()["slug"] == koperasi.slug
    assert _api(client, dinas, f"/api/k/{other_koperasi.slug}/").status_code == 404


def test_over_http_a_page_of_an_unknown_or_foreign_koperasi_is_the_same_404(
    client, koperasi, other_koperasi
):
    login(client, make_user(Role.KASIR, koperasi))
    pages = []
    for slug in (other_koperasi.slug, "tidak-ada"):
        response = client.get(f"/k/{slug}/")
        assert response.status_code == 404
        # Alike but for the address itself (the language switch returns to it) and the
        # CSRF token, masked afresh in every answer.
        html = response.content.decode().replace(f"/k/{slug}/", "/k/<slug>/")
        pages.append(re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html))
    assert pages[0] == pages[1]


def test_over_http_a_regional_officer_opens_her_regions_koperasi_page_only(
    client, koperasi, other_koperasi
):
    login(client, make_user(Role.DINAS, region_prefix="32"))
    assert client.get(f"/k/{koperasi.slug}/").status_code == 200
    assert client.get(f"/k/{other_koperasi.slug}/").status_code == 404
