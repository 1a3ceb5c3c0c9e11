import dataclasses

import pytest

from kopdes.domain.adart import DEFAULT_SHU_SPLIT, AdArt
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import DomainError, PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.platform.tenancy.models import Koperasi
from kopdes.platform.tenancy.services import (
    create_koperasi,
    update_adart,
    update_koperasi_profile,
)

pytestmark = pytest.mark.django_db


def _params(**overrides):
    params = dict(
        actor=None,
        name="Koperasi Desa Merah Putih Sukamaju",
        slug="kdmp-sukamaju",
        badan_hukum_number="AHU-0001234.AH.01.29.TAHUN 2025",
        nik_koperasi="3201260010000001",
        region_code="3201262001",
        address="Jl. Raya Sukamaju No. 1",
        business_units=["sembako", "simpan_pinjam"],
    )
    params.update(overrides)
    return params


def _counts():
    return Koperasi.objects.count(), AuditEvent.objects.count()


def test_create_koperasi_stores_identity_and_records_event():
    koperasi = create_koperasi(**_params())
    assert koperasi.region_code == "32.01.26.2001"
    assert koperasi.business_units == ["sembako", "simpan_pinjam"]
    assert koperasi.adart == AdArt()
    event = AuditEvent.objects.get(koperasi=koperasi, action="tenancy.koperasi.created")
    assert event.action == "tenancy.koperasi.created"
    assert event.seq == 1 and event.role == "system"
    assert event.summary["slug"] == "kdmp-sukamaju"


def test_create_koperasi_accepts_adart_dict():
    split = dict(DEFAULT_SHU_SPLIT, cadangan=2500, jasa_usaha=2500)
    koperasi = create_koperasi(
        **_params(adart={"shu_split": split, "simpanan_pokok_amount": 100_000_00})
    )
    assert koperasi.adart.shu_split["cadangan"] == 2500
    assert koperasi.adart.simpanan_pokok_amount == 100_000_00


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"region_code": "32.01.26.9999"}, "region_code", "tidak ada dalam daftar resmi"),
        ({"region_code": "32.01.26"}, "region_code", "10 angka"),
        ({"region_code": "３２.01.26.2001"}, "region_code", "10 angka"),
        ({"region_code": "32.0A.26.2001"}, "region_code", "10 angka"),
        ({"slug": "Kop Sukamaju"}, "slug", "huruf kecil"),
        ({"slug": "ab"}, "slug", "huruf kecil"),
        ({"slug": "kop--x"}, "slug", "huruf kecil"),
        ({"name": "   "}, "name", "wajib diisi"),
        ({"nik_koperasi": "NIK-ABC"}, "nik_koperasi", "angka"),
        ({"business_units": ["warung_kopi"]}, "business_units", "tidak dikenal"),
        ({"business_units": []}, "business_units", "paling sedikit"),
        ({"fiscal_year_start_month": 13}, "fiscal_year_start_month", "1 sampai 12"),
        (
            {"adart": {"shu_split": dict(DEFAULT_SHU_SPLIT, cadangan=3100)}},
            "adart.shu_split",
            "100%",
        ),
        ({"adart": {"simpanan_pokok_amount": 0}}, "adart.simpanan_pokok_amount", "lebih dari nol"),
        ({"adart": {"bunga": 5}}, "adart.bunga", "tidak dikenal"),
    ],
)
def test_create_koperasi_refuses_bad_input_and_writes_nothing(overrides, field, words):
    before = _counts()
    with pytest.raises(DomainError) as exc:
        create_koperasi(**_params(**overrides))
    assert exc.value.field == field
    assert words in exc.value.message
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"badan_hukum_number": "X-2"}, "slug"),
        ({"slug": "kop-lain", "nik_koperasi": "3201260010000099"}, "badan_hukum_number"),
        ({"slug": "kop-lain", "badan_hukum_number": "X-3"}, "nik_koperasi"),
    ],
)
def test_create_koperasi_refuses_duplicates(overrides, field):
    create_koperasi(**_params())
    before = _counts()
    with pytest.raises(DomainError) as exc:
        create_koperasi(**_params(**overrides))
    assert exc.value.field == field
    assert "sudah" in exc.value.message
    assert _counts() == before


def test_only_admin_may_create_koperasi(koperasi):
    ketua = make_user("ketua", koperasi)
    with pytest.raises(PermissionDeniedError):
        create_koperasi(**_params(actor=ketua))
    admin = make_user("admin")
    created = create_koperasi(**_params(actor=admin))
    event = AuditEvent.objects.get(koperasi=created, action="tenancy.koperasi.created")
    assert event.actor == admin


def test_update_profile_records_before_and_after(koperasi):
    ketua = make_user("ketua", koperasi)
    update_koperasi_profile(koperasi, actor=ketua, name="KDMP Sukamaju Baru", address="Jl. Baru 2")
    koperasi.refresh_from_db()
    assert koperasi.name == "KDMP Sukamaju Baru"
    event = AuditEvent.objects.get(action="tenancy.koperasi.profile_updated")
    assert event.summary["after"] == {"name": "KDMP Sukamaju Baru", "address": "Jl. Baru 2"}
    assert event.summary["before"]["name"].startswith("Koperasi Desa")
    assert event.role == "ketua"


def test_update_profile_without_change_writes_nothing(koperasi):
    ketua = make_user("ketua", koperasi)
    before = AuditEvent.objects.count()
    update_koperasi_profile(koperasi, actor=ketua, name=koperasi.name)
    assert AuditEvent.objects.count() == before


def test_update_profile_refuses_duplicate_badan_hukum(koperasi, other_koperasi):
    ketua = make_user("ketua", koperasi)
    with pytest.raises(DomainError) as exc:
        update_koperasi_profile(
            koperasi, actor=ketua, badan_hukum_number=other_koperasi.badan_hukum_number
        )
    assert exc.value.field == "badan_hukum_number"
    koperasi.refresh_from_db()
    assert koperasi.badan_hukum_number != other_koperasi.badan_hukum_number


def test_update_profile_needs_permission(koperasi, other_koperasi):
    kasir = make_user("kasir", koperasi)
    with pytest.raises(PermissionDeniedError):
        update_koperasi_profile(koperasi, actor=kasir, name="X Y Z")
    foreign_ketua = make_user("ketua", other_koperasi)
    with pytest.raises(PermissionDeniedError):
        update_koperasi_profile(koperasi, actor=foreign_ketua, name="X Y Z")


def test_update_profile_refuses_slug_change(koperasi):
    with pytest.raises(DomainError):
        update_koperasi_profile(koperasi, actor=None, slug="baru")


def test_update_adart_records_changed_settings(koperasi):
    ketua = make_user("ketua", koperasi)
    changed = dataclasses.replace(koperasi.adart, simpanan_wajib_amount=20_000_00)
    update_adart(koperasi, actor=ketua, adart=changed)
    koperasi.refresh_from_db()
    assert koperasi.adart.simpanan_wajib_amount == 20_000_00
    event = AuditEvent.objects.get(action="tenancy.koperasi.adart_updated")
    assert event.summary["changes"] == {
        "simpanan_wajib_amount": {"before": 10_000_00, "after": 20_000_00}
    }


def test_update_adart_refuses_split_not_summing_to_100(koperasi):
    ketua = make_user("ketua", koperasi)
    bad = {"shu_split": dict(DEFAULT_SHU_SPLIT, dana_sosial=0)}
    stored = dict(koperasi.adart_settings)
    with pytest.raises(DomainError) as exc:
        update_adart(koperasi, actor=ketua, adart=bad)
    assert exc.value.field == "adart.shu_split"
    koperasi.refresh_from_db()
    assert koperasi.adart_settings == stored
    assert not AuditEvent.objects.filter(action="tenancy.koperasi.adart_updated").exists()


def test_sekretaris_may_not_change_adart(koperasi):
    sekretaris = make_user("sekretaris", koperasi)
    with pytest.raises(PermissionDeniedError):
        update_adart(koperasi, actor=sekretaris, adart=AdArt(simpanan_wajib_amount=1))


def test_refusals_are_english_source_and_indonesian_by_default():
    from django.utils import translation

    with pytest.raises(DomainError) as exc:
        create_koperasi(**_params(region_code="32.01.26.9999"))
    assert "tidak ada dalam daftar resmi" in exc.value.message
    with translation.override("en"), pytest.raises(DomainError) as exc:
        create_koperasi(**_params(business_units=["bengkel"]))
    assert "Unknown business unit 'bengkel'" in exc.value.message


def test_a_new_koperasi_gets_its_chart_of_accounts(db):
    """The ledger registers its setup: a koperasi never exists without its books."""
    from kopdes.ledger.models import Account

    koperasi = create_koperasi(
        actor=None,
        name="Koperasi Desa Merah Putih Buku",
        slug="buku",
        badan_hukum_number="AHU-0099999.AH.01.29.TAHUN 2025",
        nik_koperasi="3201999999999",
        region_code="32.01.26.2001",
        address="Jl. Raya Sukamaju No. 1",
        business_units=["sembako"],
    )
    codes = set(Account.objects.filter(koperasi=koperasi).values_list("code", flat=True))
    assert {"1-1100", "2-1100", "3-1100", "3-9000", "4-2000", "5-2000"} <= codes
