"""The subsidy pages: who may open them, what they write, NIKs masked, messages in Bahasa
Indonesia with nothing written on bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.subsidy.models import Buyer, ChannelRule, HetRate, Season
from kopdes.subsidy.testing import buyer, nik

pytestmark = pytest.mark.django_db


def _url(name, koperasi, **kwargs):
    return reverse(f"subsidy:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def test_kasir_registers_a_buyer_and_the_nik_is_masked_and_encrypted(client, koperasi):
    login(client, make_user("kasir", koperasi))
    response = client.post(
        _url("buyer-register", koperasi),
        {"name": "Siti Aminah", "nik": "3201-2612-0585-0001", "kind": "micro_business"},
    )
    assert response.status_code == 302
    found = Buyer.objects.get(koperasi=koperasi)
    assert found.nik == nik(1) and found.kind == "micro_business"
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik, nik_index FROM subsidy_buyer")
        raw, index = cursor.fetchone()
    assert raw.startswith("v1:") and nik(1) not in raw and nik(1) not in index
    page = client.get(response["Location"]).content.decode()
    assert "3201********0001" in page and nik(1) not in page
    assert "Pembeli Siti Aminah terdaftar." in page
    listing = client.get(_url("buyer-list", koperasi)).content.decode()
    assert "3201********0001" in listing and nik(1) not in listing
    assert AuditEvent.objects.get(action="subsidy.buyer.registered").summary == {
        "kind": "micro_business"
    }


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("320126120585", "NIK harus 16 angka, yang diisi 12 angka."),
        ("9901261205850001", "Kode provinsi 99 dalam NIK tidak ada."),
        ("3201261213850001", "Tanggal lahir dalam NIK (12-13) tidak ada."),
        ("32012612058500O1", "NIK hanya boleh berisi angka 0-9"),
    ],
)
def test_bad_nik_is_refused_with_its_reason_and_nothing_written(client, koperasi, typed, message):
    login(client, make_user("kasir", koperasi))
    response = client.post(
        _url("buyer-register", koperasi), {"name": "Siti", "nik": typed, "kind": "household"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Buyer.objects.exists()
    assert not AuditEvent.objects.filter(action="subsidy.buyer.registered").exists()


def test_the_same_nik_cannot_be_registered_twice(client, koperasi):
    buyer(koperasi, serial=1)
    login(client, make_user("kasir", koperasi))
    response = client.post(
        _url("buyer-register", koperasi), {"name": "Lagi", "nik": nik(1), "kind": "household"}
    )
    assert "Pembeli dengan NIK ini sudah terdaftar." in response.content.decode()
    assert Buyer.objects.count() == 1


def test_search_by_nik_finds_the_buyer_through_the_blind_index(client, koperasi, other_koperasi):
    buyer(koperasi, serial=1, name="Siti Aminah")
    buyer(koperasi, serial=2, name="Dewi Lestari")
    buyer(other_koperasi, serial=3, name="Orang Lain")
    login(client, make_user("pengawas", koperasi))
    body = client.get(_url("buyer-list", koperasi), {"nik": "3201 2612 0585 0002"}).content.decode()
    assert "Dewi Lestari" in body and "Siti Aminah" not in body
    body = client.get(_url("buyer-list", koperasi), {"nik": nik(3)}).content.decode()
    assert "Tidak ada pembeli dengan NIK ini." in body and "Orang Lain" not in body
    body = client.get(_url("buyer-list", koperasi), {"nik": "12345"}).content.decode()
    assert "NIK harus 16 angka" in body


def test_reveal_is_for_privacy_roles_and_audited(client, koperasi):
    found = buyer(koperasi, serial=1)
    url = _url("buyer-reveal", koperasi, buyer_id=found.pk)
    login(client, make_user("manajer", koperasi))
    assert client.post(url, {"reason": "cek"}).status_code == 403
    client.logout()
    login(client, make_user("ketua", koperasi))
    body = client.post(url, {"reason": "Rekonsiliasi Pertamina"}).content.decode()
    assert nik(1) in body
    event = AuditEvent.objects.get(action="privacy.field.revealed")
    assert event.summary == {"field": "nik", "reason": "Rekonsiliasi Pertamina"}
    body = client.post(url, {"reason": ""}).content.decode()
    assert nik(1) not in body


@pytest.mark.parametrize(
    ("role", "overview", "register", "import_page", "het_post"),
    [
        ("ketua", 200, 200, 200, 302),
        ("sekretaris", 200, 200, 200, 403),
        ("bendahara", 200, 403, 403, 403),
        ("pengawas", 200, 403, 403, 403),
        ("manajer", 200, 200, 200, 302),
        ("kasir", 200, 200, 403, 403),
        ("petugas_pinjaman", 403, 403, 403, 403),
        ("anggota", 403, 403, 403, 403),
    ],
)
def test_permission_cells_on_the_pages(
    client, koperasi, role, overview, register, import_page, het_post
):
    login(client, make_user(role, koperasi))
    assert client.get(_url("overview", koperasi)).status_code == overview
    assert client.get(_url("buyer-register", koperasi)).status_code == register
    assert client.get(_url("allocation-import", koperasi)).status_code == import_page
    response = client.post(
        _url("het-add", koperasi),
        {
            "product": "lpg_3kg",
            "effective_from": "01-01-2026",
            "price": "19.000",
            "reference": "Kepgub Jabar 2025",
        },
    )
    assert response.status_code == het_post
    assert HetRate.objects.filter(koperasi=koperasi).exists() == (het_post == 302)


def test_settings_forms_write_rows_and_refuse_bad_input(client, koperasi):
    login(client, make_user("manajer", koperasi))
    ok = client.post(
        _url("het-add", koperasi),
        {
            "product": "lpg_3kg",
            "effective_from": "01-01-2026",
            "price": "19.000",
            "reference": "Kepgub",
        },
    )
    assert ok.status_code == 302
    again = client.post(
        _url("het-add", koperasi),
        {"product": "lpg_3kg", "effective_from": "01-01-2026", "price": "20.000", "reference": "X"},
    )
    assert again.status_code == 400
    assert "HET produk ini sudah ada yang berlaku mulai tanggal itu" in again.content.decode()
    assert HetRate.objects.get(koperasi=koperasi).price == 19_000_00
    rule = client.post(
        _url("rule-add", koperasi),
        {
            "channel": "sphp",
            "effective_from": "01-01-2026",
            "limit": "7,5",
            "period": "week",
            "zone": "",
        },
    )
    assert "Pilih zona HET (1, 2 atau 3)." in rule.content.decode()
    rule = client.post(
        _url("rule-add", koperasi),
        {
            "channel": "sphp",
            "effective_from": "01-01-2026",
            "limit": "7,5",
            "period": "week",
            "zone": "1",
        },
    )
    assert rule.status_code == 302
    assert ChannelRule.objects.get(koperasi=koperasi).limit == 7_500
    bad = client.post(
        _url("season-add", koperasi), {"code": "MT1", "start": "01-04-2026", "end": "01-03-2026"}
    )
    assert "Hari terakhir sebelum hari pertama." in bad.content.decode()
    assert not Season.objects.exists()
    client.post(
        _url("season-add", koperasi), {"code": "MT1", "start": "01-10-2025", "end": "31-03-2026"}
    )
    overlap = client.post(
        _url("season-add", koperasi), {"code": "MT2", "start": "01-03-2026", "end": "30-09-2026"}
    )
    assert "bertumpuk dengan musim tanam MT1" in overlap.content.decode()
    assert Season.objects.count() == 1
    page = client.get(_url("overview", koperasi)).content.decode()
    assert "Kepgub" in page and "7,5 kg" in page
    assert 'id="lpg_tanggal"' in page and 'id="sphp_tanggal"' in page


def test_het_rows_cannot_be_changed_in_the_database(koperasi):
    from django.db import DatabaseError, transaction

    from kopdes.subsidy.testing import lpg_het

    lpg_het(koperasi)
    with pytest.raises(DatabaseError), transaction.atomic():
        HetRate.objects.filter(koperasi=koperasi).update(price=1)


def test_the_menu_shows_subsidised_goods_to_the_store_roles(client, koperasi):
    login(client, make_user("kasir", koperasi))
    body = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content.decode()
    assert _url("overview", koperasi) in body
