from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import record
from kopdes.platform.core.testing import login, make_user

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def _client(client, role, koperasi):
    return login(client, make_user(role, koperasi))


def _url(koperasi, **query):
    from urllib.parse import urlencode

    base = reverse("audit:event-list", kwargs={"slug": koperasi.slug})
    return f"{base}?{urlencode(query)}" if query else base


@pytest.mark.parametrize("role", ["ketua", "pengawas"])
def test_ketua_and_pengawas_see_the_log(client, koperasi, role):
    record("savings.deposit.posted", koperasi=koperasi, summary={"amount": 5_000_000})
    response = _client(client, role, koperasi).get(_url(koperasi))
    assert response.status_code == 200
    assert "savings.deposit.posted" in response.content.decode()


@pytest.mark.parametrize("role", ["kasir", "bendahara", "anggota"])
def test_other_roles_may_not_see_the_log(client, koperasi, role):
    assert _client(client, role, koperasi).get(_url(koperasi)).status_code == 403


def test_admin_sees_the_log(client, koperasi):
    login(client, make_user("admin"))
    assert client.get(_url(koperasi)).status_code == 200


def test_log_shows_only_own_koperasi(client, koperasi, other_koperasi):
    record("own.thing.done", koperasi=koperasi)
    record("foreign.thing.done", koperasi=other_koperasi)
    html = _client(client, "ketua", koperasi).get(_url(koperasi)).content.decode()
    assert "own.thing.done" in html and "foreign.thing.done" not in html


def test_foreign_koperasi_log_and_event_are_404(client, koperasi, other_koperasi):
    c = _client(client, "ketua", koperasi)
    foreign = record("foreign.thing.done", koperasi=other_koperasi)
    assert c.get(_url(other_koperasi)).status_code == 404
    detail = reverse("audit:event-detail", kwargs={"slug": koperasi.slug, "event_id": foreign.pk})
    assert c.get(detail).status_code == 404
    platform = record("identity.login.succeeded")
    detail = reverse("audit:event-detail", kwargs={"slug": koperasi.slug, "event_id": platform.pk})
    assert c.get(detail).status_code == 404


def test_event_detail_shows_everything(client, koperasi):
    event = record(
        "savings.deposit.posted",
        koperasi=koperasi,
        role="kasir",
        summary={"amount": 5_000_000, "member": "A-001"},
        source_address="10.0.0.7",
    )
    c = _client(client, "ketua", koperasi)
    response = c.get(
        reverse("audit:event-detail", kwargs={"slug": koperasi.slug, "event_id": event.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        event.hash[:16] in html
        and event.hash[-16:] in html
        and "10.0.0.7" in html
        and "A-001" in html
    )


def test_filters_by_action_actor_object_and_date(client, koperasi):
    ketua = make_user("ketua", koperasi)
    record("ledger.entry.posted", koperasi=koperasi, actor=ketua, object_id="JE-77")
    record("savings.deposit.posted", koperasi=koperasi, object_id="DEP-1")
    c = login(client, ketua)
    html = c.get(_url(koperasi, action="ledger.entry.posted")).content.decode()
    assert "JE-77" in html and "DEP-1" not in html
    html = c.get(_url(koperasi, actor=ketua.full_name[:8])).content.decode()
    assert "JE-77" in html and "DEP-1" not in html
    html = c.get(_url(koperasi, obj="DEP")).content.decode()
    assert "DEP-1" in html and "JE-77" not in html
    today = datetime.now(WIB).date()
    html = c.get(
        _url(koperasi, date_from=today.isoformat(), date_to=today.isoformat())
    ).content.decode()
    assert "DEP-1" in html
    yesterday = (today - timedelta(days=1)).isoformat()
    html = c.get(_url(koperasi, date_to=yesterday)).content.decode()
    assert "DEP-1" not in html


def test_bad_filter_input_is_explained_not_crashing(client, koperasi):
    c = _client(client, "ketua", koperasi)
    response = c.get(_url(koperasi, date_from="2026-13-45", action="no.such.action"))
    assert response.status_code == 200
    response = c.get(_url(koperasi, date_from="2026-05-02", date_to="2026-05-01"))
    assert response.status_code == 200
    assert "tanggal" in response.content.decode().lower()


def test_list_is_paginated_newest_first_with_bounded_queries(
    client, koperasi, django_assert_max_num_queries
):
    for i in range(120):
        record("test.thing.done", koperasi=koperasi, object_id=f"OBJ-{i:03d}")
    c = _client(client, "pengawas", koperasi)
    with django_assert_max_num_queries(14):
        response = c.get(_url(koperasi))
    html = response.content.decode()
    assert html.count("OBJ-") == 50
    assert "OBJ-119" in html and "OBJ-069" not in html
    with django_assert_max_num_queries(14):
        html = c.get(_url(koperasi, page=3)).content.decode()
    assert html.count("OBJ-") == 20 and "OBJ-000" in html
    assert AuditEvent.objects.filter(koperasi=koperasi).count() >= 120
