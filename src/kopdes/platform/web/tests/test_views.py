"""The shell's pages: picker, dashboard per role, health check, error pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from kopdes.platform.audit.services import record
from kopdes.platform.core import testing
from kopdes.platform.identity.choices import KOPERASI_ROLES, Role
from kopdes.platform.web import views
from kopdes.platform.web.tiles import TILES, Tile, TileData, register_tile

pytestmark = pytest.mark.django_db


def _dashboard(client, koperasi):
    return client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))


@pytest.mark.parametrize("role", sorted(r.value for r in KOPERASI_ROLES))
def test_dashboard_shows_for_every_koperasi_role(client, koperasi, role):
    user = testing.make_user(role, koperasi)
    testing.login(client, user)
    response = _dashboard(client, koperasi)
    assert response.status_code == 200
    body = response.content.decode()
    assert koperasi.name in body
    assert 'data-testid="dashboard-title"' in body
    assert str(Role(role).label) in body


@pytest.mark.parametrize(
    ("role", "prefix"),
    [("pendamping", "32"), ("dinas", "32.01"), ("kementerian", ""), ("admin", "")],
)
def test_dashboard_shows_for_oversight_roles_over_the_region(client, koperasi, role, prefix):
    user = testing.make_user(role, region_prefix=prefix)
    testing.login(client, user)
    assert _dashboard(client, koperasi).status_code == 200


def test_dinas_of_another_region_gets_404(client, koperasi):
    user = testing.make_user("dinas", region_prefix="33.02")
    testing.login(client, user)
    assert _dashboard(client, koperasi).status_code == 404


def test_dashboard_of_another_koperasi_is_404(client, koperasi, other_koperasi):
    testing.login(client, testing.make_user("bendahara", koperasi))
    assert _dashboard(client, other_koperasi).status_code == 404
    missing = client.get(reverse("web:dashboard", kwargs={"slug": "tidak-ada"}))
    assert missing.status_code == 404


def test_dashboard_counts_officers_but_not_members(client, koperasi, other_koperasi):
    ketua = testing.make_user("ketua", koperasi)
    testing.make_user("bendahara", koperasi)
    testing.make_user("anggota", koperasi)
    testing.make_user("kasir", other_koperasi)
    testing.login(client, ketua)
    response = _dashboard(client, koperasi)
    tiles = response.context["tiles"]
    officers = [t for t in tiles if t.url.endswith("/pengurus/")]
    assert officers[0].figure == "2"


def test_dashboard_lists_modules_the_role_may_open(client, koperasi):
    testing.login(client, testing.make_user("ketua", koperasi))
    body = _dashboard(client, koperasi).content.decode()
    assert reverse("audit:event-list", kwargs={"slug": koperasi.slug}) in body
    assert reverse("identity:officer-list", kwargs={"slug": koperasi.slug}) in body


def test_member_sees_no_officer_pages_and_no_activity(client, koperasi):
    record("tenancy.koperasi.profile_updated", koperasi=koperasi, summary={})
    testing.login(client, testing.make_user("anggota", koperasi))
    response = _dashboard(client, koperasi)
    body = response.content.decode()
    assert reverse("audit:event-list", kwargs={"slug": koperasi.slug}) not in body
    assert reverse("identity:officer-list", kwargs={"slug": koperasi.slug}) not in body
    assert response.context["recent_events"] == []
    assert 'data-testid="activity"' not in body


def test_recent_activity_shows_plain_labels_to_ketua(client, koperasi, other_koperasi):
    record("tenancy.koperasi.profile_updated", koperasi=koperasi, summary={})
    record("tenancy.koperasi.profile_updated", koperasi=other_koperasi, summary={"x": 1})
    testing.login(client, testing.make_user("ketua", koperasi))
    response = _dashboard(client, koperasi)
    events = response.context["recent_events"]
    assert [e.event.koperasi_id for e in events] == [koperasi.id]
    assert "Profil koperasi diubah" in response.content.decode()


def test_registered_tile_appears_for_permitted_roles_only(client, koperasi):
    def compute(k, roles):
        return TileData(figure="Rp 1.234.567", label="kas tunai")

    register_tile(Tile("test.cash", "audit.view", compute, order=1))
    try:
        testing.login(client, testing.make_user("ketua", koperasi))
        assert "Rp 1.234.567" in _dashboard(client, koperasi).content.decode()
        client.logout()
        testing.login(client, testing.make_user("kasir", koperasi))
        assert "Rp 1.234.567" not in _dashboard(client, koperasi).content.decode()
    finally:
        TILES.pop("test.cash")


def test_a_broken_tile_does_not_break_the_dashboard(client, koperasi):
    def compute(k, roles):
        raise RuntimeError("boom")

    register_tile(Tile("test.broken", "web.view_dashboard", compute))
    try:
        testing.login(client, testing.make_user("ketua", koperasi))
        assert _dashboard(client, koperasi).status_code == 200
    finally:
        TILES.pop("test.broken")


def test_picker_lists_only_own_koperasi(client, koperasi, other_koperasi, db):
    third = testing.make_koperasi("mekarsari", region_code="32.01.26.2002")
    user = testing.make_user("ketua", koperasi)
    from kopdes.platform.identity.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role="bendahara", koperasi=third)
    testing.login(client, user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="pick-{koperasi.slug}"' in body
    assert f'data-testid="pick-{third.slug}"' in body
    assert other_koperasi.slug not in body


def test_picker_goes_straight_to_the_only_koperasi(client, koperasi):
    testing.login(client, testing.make_user("bendahara", koperasi))
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response.url == reverse("web:dashboard", kwargs={"slug": koperasi.slug})


def test_picker_for_dinas_lists_koperasi_of_its_region(client, koperasi, other_koperasi):
    # Even with one koperasi in the region, an oversight role chooses from a list (it
    # used to land inside that koperasi, and "switch koperasi" led straight back).
    testing.login(client, testing.make_user("dinas", region_prefix="33.02"))
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="region-list"' in body
    assert f'data-testid="pick-{other_koperasi.slug}"' in body
    assert other_koperasi.name in body and other_koperasi.region_code in body
    assert reverse("web:dashboard", kwargs={"slug": other_koperasi.slug}) in body
    assert f'data-testid="pick-{koperasi.slug}"' not in body
    assert "Koperasi di wilayah saya" in body
    assert "Banyumas (33.02)" in body  # the region in words, with its code


@pytest.mark.parametrize("role", ["pendamping", "dinas"])
def test_region_list_is_scoped_by_the_region_prefix(client, koperasi, other_koperasi, role):
    testing.login(client, testing.make_user(role, region_prefix="32"))
    body = client.get(reverse("web:home")).content.decode()
    assert f'data-testid="pick-{koperasi.slug}"' in body
    assert f'data-testid="pick-{other_koperasi.slug}"' not in body


def test_region_list_for_kementerian_shows_every_koperasi_and_searches(
    client, koperasi, other_koperasi
):
    testing.login(client, testing.make_user("kementerian"))
    body = client.get(reverse("web:home")).content.decode()
    assert f'data-testid="pick-{koperasi.slug}"' in body
    assert f'data-testid="pick-{other_koperasi.slug}"' in body
    assert "seluruh Indonesia" in body
    body = client.get(reverse("web:home"), {"q": other_koperasi.name[-6:]}).content.decode()
    assert f'data-testid="pick-{other_koperasi.slug}"' in body
    assert f'data-testid="pick-{koperasi.slug}"' not in body
    body = client.get(reverse("web:home"), {"q": "33.02"}).content.decode()
    assert f'data-testid="pick-{other_koperasi.slug}"' in body
    assert f'data-testid="pick-{koperasi.slug}"' not in body
    body = client.get(reverse("web:home"), {"q": "tidak ada koperasi begini"}).content.decode()
    assert "Tidak ada koperasi yang cocok" in body


def test_region_list_is_paginated(client, db):
    for n in range(views.selectors.REGION_PAGE_SIZE + 2):
        testing.make_koperasi(f"desa{n:02d}", region_code="32.01.26.2001")
    testing.login(client, testing.make_user("dinas", region_prefix="32.01"))
    first = client.get(reverse("web:home")).content.decode()
    assert first.count('class="tile pick"') == views.selectors.REGION_PAGE_SIZE
    second = client.get(reverse("web:home"), {"page": 2}).content.decode()
    assert second.count('class="tile pick"') == 2
    assert "Halaman 2 dari 2" in second


def test_switch_link_leads_oversight_to_the_region_list(client, koperasi, other_koperasi):
    testing.login(client, testing.make_user("dinas", region_prefix="33.02"))
    body = _dashboard(client, other_koperasi).content.decode()
    assert 'data-testid="switch-koperasi"' in body
    assert f'href="{reverse("web:home")}" data-testid="switch-koperasi"' in body
    assert "Koperasi di wilayah saya" in body


def test_switch_link_is_hidden_for_an_officer_of_one_koperasi(client, koperasi):
    testing.login(client, testing.make_user("bendahara", koperasi))
    body = _dashboard(client, koperasi).content.decode()
    assert 'data-testid="switch-koperasi"' not in body  # it would only lead back here


def test_switch_link_is_shown_for_an_officer_of_two_koperasi(client, koperasi, other_koperasi):
    from kopdes.platform.identity.models import RoleAssignment

    user = testing.make_user("ketua", koperasi)
    RoleAssignment.objects.create(user=user, role="bendahara", koperasi=other_koperasi)
    testing.login(client, user)
    body = _dashboard(client, koperasi).content.decode()
    assert 'data-testid="switch-koperasi"' in body
    assert "Ganti koperasi" in body


def test_picker_for_a_user_without_roles_explains_in_indonesian(client):
    testing.login(client, testing.make_user(None, with_totp=False))
    body = client.get(reverse("web:home")).content.decode()
    assert "belum punya peran" in body


def test_anonymous_visitor_is_sent_to_login(client, koperasi):
    response = _dashboard(client, koperasi)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))
    assert client.get(reverse("web:home")).url.startswith(reverse("identity:login"))


def test_officer_who_has_not_passed_totp_is_sent_to_two_factor(client, koperasi):
    testing.login(client, testing.make_user("bendahara", koperasi), verified=False)
    response = _dashboard(client, koperasi)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:two-factor"))


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post("/healthz").status_code == 405


# --- error pages (the test client runs with DEBUG off) ---------------------------------


def test_error_handlers_point_at_the_web_views():
    resolver = get_resolver()
    assert resolver.resolve_error_handler(400) is views.bad_request
    assert resolver.resolve_error_handler(403) is views.permission_denied
    assert resolver.resolve_error_handler(404) is views.page_not_found
    assert resolver.resolve_error_handler(500) is views.server_error


def test_404_page_is_indonesian(client, settings):
    settings.DEBUG = False
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Halaman tidak ditemukan" in body
    assert 'data-testid="error-404"' in body


def test_403_page_is_indonesian(client, koperasi, settings):
    settings.DEBUG = False
    testing.login(client, testing.make_user("kasir", koperasi))
    response = client.get(reverse("audit:event-list", kwargs={"slug": koperasi.slug}))
    assert response.status_code == 403
    assert "Anda tidak boleh melakukan ini" in response.content.decode()


def test_400_page_is_indonesian(client, settings):
    settings.DEBUG = False
    response = client.get("/healthz", HTTP_HOST="penyusup.example.com")
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_500_page_is_indonesian_and_needs_no_request_context(settings):
    settings.DEBUG = False
    request = RequestFactory().get("/")
    response = views.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Terjadi kesalahan" in body
    assert 'data-testid="error-500"' in body


def test_500_page_is_served_for_an_unhandled_error(client, settings, monkeypatch):
    settings.DEBUG = False

    def explode(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("kopdes.platform.web.selectors.dashboard_summary", explode)
    koperasi = testing.make_koperasi()
    testing.login(client, testing.make_user("ketua", koperasi))
    client.raise_request_exception = False
    response = _dashboard(client, koperasi)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.content.decode()


def test_language_switch_keeps_the_page(client, koperasi):
    testing.login(client, testing.make_user("ketua", koperasi))
    url = reverse("web:dashboard", kwargs={"slug": koperasi.slug})
    assert "Beranda" in client.get(url).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response.url == url
    body = client.get(url).content.decode()
    assert "Home" in body
    assert "Beranda" not in body
    client.post(reverse("set_language"), {"language": "id", "next": url})
    assert "Beranda" in client.get(url).content.decode()


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/healthz")
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_expired_form_gets_an_indonesian_page_and_saves_nothing(koperasi, settings):
    from django.test import Client

    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    testing.login(client, testing.make_user("ketua", koperasi))
    url = reverse("web:dashboard", kwargs={"slug": koperasi.slug})
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formulir sudah kedaluwarsa" in body
    assert 'data-testid="error-csrf"' in body


def test_unnamed_actions_show_their_code():
    from kopdes.platform.audit.activity import describe_action

    # Still findable by its code, but said in words (activity.describe_action).
    assert describe_action("savings.something.happened") == (
        "Aktivitas lain (savings.something.happened)"
    )


def test_healthz_says_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_dashboard_queries_do_not_grow_with_officers_or_activity(client, koperasi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ketua = testing.make_user("ketua", koperasi)
    testing.login(client, ketua)
    _dashboard(client, koperasi)  # warm caches (content types, sessions)
    cache.clear()  # measure the uncached tiles
    with CaptureQueriesContext(connection) as few:
        _dashboard(client, koperasi)
    for role in ["bendahara", "kasir", "pengawas", "manajer", "sekretaris"]:
        testing.make_user(role, koperasi)
    for n in range(20):
        record("tenancy.koperasi.profile_updated", koperasi=koperasi, summary={"n": n})
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = _dashboard(client, koperasi)
    assert len(response.context["recent_events"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_dashboard_tiles_are_recomputed_after_any_write(koperasi):
    """Tiles are cached per data version: any audited write shows on the next visit."""
    from kopdes.platform.web.tiles import TILES, Tile, TileData, register_tile, tiles_for

    calls = []

    def compute(k, roles):
        calls.append(1)
        return TileData(figure=str(len(calls)), label="x")

    register_tile(Tile("test.counter", "web.view_dashboard", compute, order=999))
    try:
        roles = frozenset({"ketua"})
        first = [t.figure for t in tiles_for(koperasi, roles) if t.label == "x"]
        again = [t.figure for t in tiles_for(koperasi, roles) if t.label == "x"]
        record("tenancy.koperasi.profile_updated", koperasi=koperasi)
        after = [t.figure for t in tiles_for(koperasi, roles) if t.label == "x"]
    finally:
        TILES.pop("test.counter")
    assert first == again == ["1"]
    assert after == ["2"]


def test_dashboard_names_the_village_of_the_koperasi(client, koperasi):
    testing.login(client, testing.make_user("bendahara", koperasi))
    body = _dashboard(client, koperasi).content.decode()
    assert "Sukamaju, Kec. Megamendung, Kabupaten Bogor" in body


def test_pages_are_indonesian_even_when_the_phone_is_set_to_english(client, koperasi):
    testing.login(client, testing.make_user("bendahara", koperasi))
    url = reverse("web:dashboard", kwargs={"slug": koperasi.slug})
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Beranda" in body
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Home" in client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()


def test_an_unknown_language_cookie_falls_back_to_indonesian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/tidak-ada/")
    assert "Halaman tidak ditemukan" in response.content.decode()
