"""A village is picked by its name (desa/kelurahan), not typed as a Kemendagri code."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.tenancy.villages import (
    VillageNotFoundError,
    resolve_village,
    search_villages,
)

SUKAMAJU = "Sukamaju, Megamendung, Kabupaten Bogor, Jawa Barat (32.01.26.2001)"


@pytest.mark.parametrize(
    "text",
    [
        "Sukamaju, Megamendung",
        "desa sukamaju, kec. megamendung",
        "Sukamaju, Megamendung, Kabupaten Bogor",
        SUKAMAJU,
        "32.01.26.2001",
        "3201262001",
    ],
)
def test_a_village_is_found_by_name_or_code(text):
    assert resolve_village(text) == "32.01.26.2001"


def test_a_unique_name_is_enough():
    assert resolve_village("Cirahab") == "33.02.01.2001"


def test_a_shared_name_asks_for_the_kecamatan():
    with pytest.raises(VillageNotFoundError) as exc:
        resolve_village("Sukamaju")
    message = exc.value.message
    assert re.search(r"\d+ desa/kelurahan bernama Sukamaju", message)
    assert "Tambahkan kecamatannya" in message


@pytest.mark.parametrize(
    "text,words",
    [
        ("Zzqxwv", "tidak ditemukan"),
        ("32.01.26.9999", "tidak ada dalam daftar resmi"),
        ("３２.01.26.2001", "10 angka"),
        ("Sukamaju, Kecamatan Yang Tidak Ada", "tidak ditemukan"),
    ],
)
def test_an_unknown_village_is_refused_in_indonesian(text, words):
    with pytest.raises(VillageNotFoundError) as exc:
        resolve_village(text)
    assert words in exc.value.message


def test_search_puts_exact_names_first_and_needs_three_letters():
    found = search_villages("sukamaju, bogor")
    assert found and all(r.desa == "Sukamaju" for r in found[:2])
    assert all("Bogor" in r.kabupaten for r in found)
    assert search_villages("su") == []


@pytest.mark.django_db
def test_village_search_answers_datalist_options_to_signed_in_users(client, koperasi):
    url = reverse("village-search")
    assert client.get(url, {"region_code": "Sukamaju, Megamendung"}).status_code == 302
    login(client, make_user("sekretaris", koperasi))
    html = client.get(url, {"region_code": "Sukamaju, Megamendung"}).content.decode()
    assert f'<option value="{SUKAMAJU}">' in html
    assert client.get(url, {"q": "xy"}).content.decode().strip() == ""


@pytest.mark.django_db
def test_profile_form_shows_and_takes_the_village_by_name(client, koperasi):
    login(client, make_user("sekretaris", koperasi))
    url = reverse("tenancy:profile-edit", kwargs={"slug": koperasi.slug})
    page = client.get(url).content.decode()
    assert "Desa/kelurahan" in page and "Kode wilayah" not in page
    assert f'value="{SUKAMAJU}"' in page
    assert 'hx-get="/wilayah/desa/"' in page and "<datalist" in page
    data = {
        "name": koperasi.name,
        "badan_hukum_number": koperasi.badan_hukum_number,
        "nik_koperasi": koperasi.nik_koperasi,
        "address": koperasi.address,
        "business_units": koperasi.business_units,
        "fiscal_year_start_month": "1",
    }
    before = AuditEvent.objects.count()
    refused = client.post(url, {**data, "region_code": "Sukamaju"})
    assert refused.status_code == 200
    assert "Tambahkan kecamatannya" in refused.content.decode()
    assert AuditEvent.objects.count() == before
    assert client.post(url, {**data, "region_code": "Cirahab, Lumbir"}).status_code == 302
    koperasi.refresh_from_db()
    assert koperasi.region_code == "33.02.01.2001"


@pytest.mark.django_db
def test_member_forms_ask_for_the_village_by_name(client, koperasi):
    login(client, make_user("sekretaris", koperasi))
    page = client.get(reverse("members:member-register", kwargs={"slug": koperasi.slug}))
    html = page.content.decode()
    assert "Desa/kelurahan" in html and "Kode wilayah desa" not in html
    assert "<datalist" in html


@pytest.mark.django_db
def test_member_page_names_the_village_not_the_code(client, koperasi):
    from kopdes.members.testing import make_member

    member = make_member(koperasi)
    login(client, make_user("sekretaris", koperasi))
    url = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    html = client.get(url).content.decode()
    assert "Sukamaju, Megamendung, Kabupaten Bogor" in html
    assert f"({member.region_code})" not in html


def test_village_filter_keeps_an_unknown_code():
    from kopdes.platform.tenancy.templatetags.villages import village

    assert village("32.01.26.2001") == "Sukamaju, Megamendung, Kabupaten Bogor"
    assert village("32.01.26.9999") == "32.01.26.9999"
    assert village("") == ""
