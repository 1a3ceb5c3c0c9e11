"""The store's pages: who may open them, what they write, their messages in Bahasa Indonesia."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.store.models import BusinessUnit, Item, Supplier
from kopdes.store.testing import make_item, running_unit

pytestmark = pytest.mark.django_db


def _url(name, koperasi, **kwargs):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def _form(**overrides):
    data = {
        "name": "Gula pasir 1 kg",
        "barcode": "8992761111113",
        "business_unit": "sembako",
        "category": "Gula",
        "base_unit": "pcs",
        "units_per_pak": "",
        "units_per_dus": "20",
        "member_price": "17.500",
        "public_price": "18.000",
        "min_stock": "10",
    }
    data.update(overrides)
    return data


def test_manajer_adds_an_item_with_amounts_typed_as_rupiah(client, koperasi):
    running_unit(koperasi)
    login(client, make_user("manajer", koperasi))
    response = client.post(_url("item-create", koperasi), _form())
    assert response.status_code == 302
    item = Item.objects.get(koperasi=koperasi)
    assert (item.member_price, item.public_price) == (17_500_00, 18_000_00)
    assert item.units_per_dus == 20 and item.category.name == "Gula"


def test_bad_item_form_shows_indonesian_messages_and_writes_nothing(client, koperasi):
    running_unit(koperasi)
    login(client, make_user("manajer", koperasi))
    response = client.post(
        _url("item-create", koperasi),
        _form(barcode="8992761111112", member_price="-5.000", min_stock="2,5"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "seharusnya 3" in body
    assert "tidak boleh negatif" in body
    assert "harus bilangan bulat" in body
    assert not Item.objects.filter(koperasi=koperasi).exists()


def test_edit_page_changes_an_item(client, koperasi):
    item = make_item(koperasi, name="Kopi bubuk")
    login(client, make_user("ketua", koperasi))
    url = _url("item-edit", koperasi, item_id=item.pk)
    page = client.get(url)
    assert page.status_code == 200 and "Kopi bubuk" in page.content.decode()
    response = client.post(url, _form(name="Kopi bubuk 200 g", barcode=""))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "Kopi bubuk 200 g" and item.public_price == 18_000_00


def test_item_can_be_taken_off_sale(client, koperasi):
    item = make_item(koperasi)
    login(client, make_user("manajer", koperasi))
    client.post(_url("item-active", koperasi, item_id=item.pk), {"active": "0"})
    item.refresh_from_db()
    assert not item.is_active


def test_catalog_searches_by_name_and_by_scan(client, koperasi):
    make_item(koperasi, name="Teh celup melati", barcode="8992761111113")
    make_item(koperasi, name="Sabun mandi")
    login(client, make_user("kasir", koperasi))
    by_name = client.get(_url("catalog", koperasi), {"q": "melati"}).content.decode()
    assert "Teh celup melati" in by_name and "Sabun mandi" not in by_name
    by_scan = client.get(_url("catalog", koperasi), {"q": "]E08992761111113"}).content.decode()
    assert "Teh celup melati" in by_scan and "Sabun mandi" not in by_scan
    assert "Rp 18.000" in by_scan


def test_catalog_list_reads_a_fixed_number_of_queries(
    client, koperasi, django_assert_max_num_queries
):
    for n in range(15):
        make_item(koperasi, name=f"Barang {n}")
    login(client, make_user("kasir", koperasi))
    with django_assert_max_num_queries(12):
        assert client.get(_url("catalog", koperasi)).status_code == 200


@pytest.mark.parametrize(
    ("role", "name", "expected"),
    [
        ("kasir", "catalog", 200),
        ("pengawas", "catalog", 200),
        ("petugas_pinjaman", "catalog", 403),
        ("kasir", "item-create", 403),
        ("bendahara", "item-create", 403),
        ("manajer", "item-create", 200),
        ("kasir", "catalog-import", 403),
        ("kasir", "supplier-list", 200),
        ("kasir", "supplier-create", 403),
        ("bendahara", "supplier-create", 200),
        ("ketua", "unit-list", 200),
        ("kasir", "catalog-export", 200),
    ],
)
def test_pages_follow_the_permission_matrix(client, koperasi, role, name, expected):
    running_unit(koperasi)
    login(client, make_user(role, koperasi))
    assert client.get(_url(name, koperasi)).status_code == expected


def test_anggota_gets_no_store_and_another_koperasi_is_404(client, koperasi, other_koperasi):
    login(client, make_user("anggota", koperasi))
    assert client.get(_url("catalog", koperasi)).status_code == 403
    login(client, make_user("manajer", koperasi))
    assert client.get(_url("catalog", other_koperasi)).status_code == 404


def test_menu_shows_the_store_to_a_kasir_only_where_allowed(client, koperasi):
    login(client, make_user("kasir", koperasi))
    home = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content.decode()
    assert _url("catalog", koperasi) in home
    client.logout()
    login(client, make_user("petugas_pinjaman", koperasi))
    home = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content.decode()
    assert _url("catalog", koperasi) not in home


def test_units_page_enables_a_unit_and_shows_its_accounts(client, koperasi):
    running_unit(koperasi)
    login(client, make_user("bendahara", koperasi))
    response = client.post(_url("unit-enable", koperasi), {"kind": "pupuk"}, follow=True)
    body = response.content.decode()
    assert "sekarang berjalan" in body
    assert "4-1101.02" in body and "1-1501.02" in body
    unit = BusinessUnit.objects.get(koperasi=koperasi, kind="pupuk")
    again = client.post(_url("unit-enable", koperasi), {"kind": "pupuk"}, follow=True)
    assert "sudah berjalan" in again.content.decode()
    client.post(_url("unit-disable", koperasi, business_unit_id=unit.pk))
    unit.refresh_from_db()
    assert not unit.is_active


def test_item_form_without_a_running_unit_says_what_to_do(client, koperasi):
    login(client, make_user("manajer", koperasi))
    body = client.get(_url("item-create", koperasi)).content.decode()
    assert 'data-testid="no-units"' in body and "Unit usaha" in body


def test_supplier_page_masks_the_phone_and_reveal_is_audited(client, koperasi):
    login(client, make_user("manajer", koperasi))
    response = client.post(
        _url("supplier-create", koperasi),
        {"name": "UMKM Keripik Bu Ani", "is_umkm": "on", "owner_name": "Ani",
         "phone": "0812-3456-7890"},
    )  # fmt: skip
    assert response.status_code == 302
    supplier = Supplier.objects.get(koperasi=koperasi)
    listing = client.get(_url("supplier-list", koperasi)).content.decode()
    assert "+62812*****890" in listing and "81234567890" not in listing
    assert "Tampilkan nomor" not in listing  # the manajer may not reveal
    client.logout()
    login(client, make_user("ketua", koperasi))
    shown = client.post(
        _url("supplier-reveal", koperasi, supplier_id=supplier.pk), {"reason": "Pesan keripik"}
    )
    assert "+6281234567890" in shown.content.decode()
    assert AuditEvent.objects.filter(koperasi=koperasi, action="privacy.field.revealed").exists()


def test_bad_supplier_form_writes_nothing(client, koperasi):
    login(client, make_user("manajer", koperasi))
    response = client.post(
        _url("supplier-create", koperasi), {"name": "Keripik", "is_umkm": "on", "phone": "123"}
    )
    assert response.status_code == 200
    assert "pemilik" in response.content.decode()
    assert not Supplier.objects.filter(koperasi=koperasi).exists()
