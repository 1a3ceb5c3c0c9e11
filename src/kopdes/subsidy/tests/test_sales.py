"""check_and_record_subsidised_sale: each channel's rule with the NIK's history, idempotent
by key, and every refusal in Bahasa Indonesia with nothing written."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.subsidy import services
from kopdes.subsidy.errors import ReplayConflict, SubsidyRefused
from kopdes.subsidy.models import ChannelRule, HetRate, SubsidisedSale
from kopdes.subsidy.testing import NOW, buyer, import_rdkk, lpg_het, manajer, nik, season

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _sell(koperasi, actor=None, **kwargs):
    data = {
        "channel": "lpg",
        "nik": nik(1),
        "quantity": 2,
        "unit_price": 19_000_00,
        "sold_on": DAY,
        "idempotency_key": f"k-{uuid.uuid4().hex}",
        "at": NOW,
    }
    data.update(kwargs)
    return services.check_and_record_subsidised_sale(
        koperasi, actor=actor or make_user("kasir", koperasi), **data
    )


@pytest.fixture
def pangkalan(koperasi):
    lpg_het(koperasi)
    buyer(koperasi, serial=1)
    return koperasi


def test_lpg_sale_records_the_history_with_het_and_audit(pangkalan):
    sale = _sell(pangkalan, quantity=3, idempotency_key="pos-1")
    assert (sale.quantity, sale.amount, sale.het_price) == (3, 57_000_00, 19_000_00)
    assert sale.nik == nik(1) and sale.buyer.name == "Siti Aminah"
    assert sale.het_reference.startswith("Kepgub Jabar")
    event = AuditEvent.objects.get(koperasi=pangkalan, action="subsidy.sale.recorded")
    assert event.summary["remaining"] == 12
    assert nik(1) not in str(event.summary)


def test_lpg_quota_per_month_refuses_the_cylinder_over_it(pangkalan):
    _sell(pangkalan, quantity=10, sold_on=dt.date(2026, 3, 1))
    _sell(pangkalan, quantity=5, sold_on=dt.date(2026, 3, 20))
    with pytest.raises(SubsidyRefused) as caught:
        _sell(pangkalan, quantity=1, sold_on=dt.date(2026, 3, 31))
    assert caught.value.code == "quota"
    assert "Kuota LPG 3 kg untuk NIK ini 15 tabung per bulan" in caught.value.message
    assert SubsidisedSale.objects.filter(koperasi=pangkalan).count() == 2
    # A new month, a new quota.
    assert _sell(pangkalan, quantity=1, sold_on=dt.date(2026, 4, 1)).quantity == 1


def test_lpg_quota_follows_the_setting_in_force_on_the_sale_date(pangkalan):
    services.add_channel_rule(
        pangkalan,
        actor=manajer(pangkalan),
        data={"channel": "lpg", "effective_from": DAY, "limit": 4, "period": "week"},
        at=NOW,
    )
    _sell(pangkalan, quantity=4)
    with pytest.raises(SubsidyRefused, match="4 tabung per minggu"):
        _sell(pangkalan, quantity=1, sold_on=DAY + dt.timedelta(days=1))


def test_price_above_het_is_refused_and_nothing_written(pangkalan):
    with pytest.raises(SubsidyRefused) as caught:
        _sell(pangkalan, unit_price=19_500_00)
    assert caught.value.code == "het"
    assert "melebihi HET Rp 19.000" in caught.value.message
    assert not SubsidisedSale.objects.filter(koperasi=pangkalan).exists()
    assert not AuditEvent.objects.filter(action="subsidy.sale.recorded").exists()


def test_a_new_het_does_not_rewrite_the_old_one(pangkalan):
    lpg_het(pangkalan, price=20_000_00, effective_from=dt.date(2026, 4, 1))
    with pytest.raises(SubsidyRefused, match="melebihi HET"):
        _sell(pangkalan, unit_price=20_000_00, sold_on=dt.date(2026, 3, 31))
    assert _sell(pangkalan, unit_price=20_000_00, sold_on=dt.date(2026, 4, 1)).het_price == (
        20_000_00
    )
    assert HetRate.objects.filter(koperasi=pangkalan).count() == 2


def test_lpg_without_a_het_is_refused(koperasi):
    buyer(koperasi, serial=1)
    with pytest.raises(SubsidyRefused, match="HET LPG 3 kg untuk tanggal 2026-03-02 belum diatur"):
        _sell(koperasi)


def test_bad_nik_is_refused_in_indonesian(pangkalan):
    with pytest.raises(SubsidyRefused, match="NIK harus 16 angka"):
        _sell(pangkalan, nik="3201261205850")
    with pytest.raises(SubsidyRefused, match="angka biasa 0-9"):
        _sell(pangkalan, nik="３２０１２６１２０５８５０００１")
    assert not SubsidisedSale.objects.exists()


def test_unregistered_nik_is_refused(pangkalan):
    with pytest.raises(SubsidyRefused) as caught:
        _sell(pangkalan, nik=nik(9))
    assert caught.value.code == "not_registered"
    assert "belum terdaftar sebagai pembeli" in caught.value.message


def test_replay_with_the_same_key_returns_the_first_sale(pangkalan):
    first = _sell(pangkalan, idempotency_key="pos-7")
    again = _sell(pangkalan, idempotency_key="pos-7")
    assert again.pk == first.pk
    assert SubsidisedSale.objects.filter(koperasi=pangkalan).count() == 1
    assert AuditEvent.objects.filter(action="subsidy.sale.recorded").count() == 1


def test_replay_with_the_same_key_and_other_content_is_refused(pangkalan):
    _sell(pangkalan, idempotency_key="pos-8", quantity=2)
    with pytest.raises(ReplayConflict) as caught:
        _sell(pangkalan, idempotency_key="pos-8", quantity=3)
    assert "sudah dipakai untuk penjualan lain" in caught.value.message
    assert caught.value.status == 409
    assert SubsidisedSale.objects.get(koperasi=pangkalan).quantity == 2


def test_the_same_key_in_another_koperasi_is_another_sale(pangkalan, other_koperasi):
    lpg_het(other_koperasi)
    buyer(other_koperasi, serial=1)
    a = _sell(pangkalan, idempotency_key="pos-1")
    b = _sell(other_koperasi, idempotency_key="pos-1")
    assert a.pk != b.pk


def test_only_the_counter_roles_may_sell(pangkalan):
    with pytest.raises(PermissionDeniedError):
        _sell(pangkalan, actor=make_user("pengawas", pangkalan))
    assert not SubsidisedSale.objects.exists()


def test_nik_is_encrypted_at_rest_on_the_sale(pangkalan):
    _sell(pangkalan)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik, nik_index FROM subsidy_subsidisedsale")
        ((raw, index),) = cursor.fetchall()
    assert raw.startswith("v1:") and nik(1) not in raw
    assert len(index) == 64 and nik(1) not in index


# --- pupuk ----------------------------------------------------------------------------------


@pytest.fixture
def kios(koperasi):
    season(koperasi)
    import_rdkk(
        koperasi,
        [
            [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "urea", 100],
            [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "npk", 75],
        ],
    )
    return koperasi


def _pupuk(koperasi, **kwargs):
    data = {
        "channel": "pupuk",
        "fertilizer": "urea",
        "quantity": 50_000,
        "unit_price": 1_800_00,
        "farmer_confirmed": True,
    }
    data.update(kwargs)
    return _sell(koperasi, **data)


def test_pupuk_sale_takes_from_the_rdkk_allocation(kios):
    sale = _pupuk(kios)
    assert sale.amount == 90_000_00 and sale.allocation.farmer_name == "Pak Darto"
    _pupuk(kios, quantity=50_000)
    with pytest.raises(SubsidyRefused) as caught:
        _pupuk(kios, quantity=1_000)
    assert caught.value.code == "allocation"
    assert "sisa 0 kg" in caught.value.message


def test_pupuk_for_a_nik_not_in_the_rdkk_is_refused(kios):
    with pytest.raises(SubsidyRefused) as caught:
        _pupuk(kios, nik=nik(2))
    assert caught.value.code == "not_in_rdkk"
    assert "tidak terdaftar di RDKK" in caught.value.message
    assert not SubsidisedSale.objects.exists()


def test_pupuk_type_not_allocated_is_not_in_rdkk(kios):
    services.add_het_rate(
        kios,
        actor=manajer(kios),
        data={
            "product": "organik",
            "effective_from": dt.date(2025, 10, 22),
            "price": 800_00,
            "reference": "Kepmentan 1117/2025",
        },
        at=NOW,
    )
    with pytest.raises(
        SubsidyRefused, match="tidak terdaftar di RDKK/e-Alokasi untuk pupuk organik"
    ):
        _pupuk(kios, fertilizer="organik", unit_price=800_00)


def test_pupuk_above_het_per_kg_is_refused(kios):
    with pytest.raises(
        SubsidyRefused, match=re.escape("Harga NPK Rp 1.900 per kg melebihi HET Rp 1.840")
    ):
        _pupuk(kios, fertilizer="npk", unit_price=1_900_00)


def test_pupuk_outside_every_season_is_refused(kios):
    with pytest.raises(SubsidyRefused, match="tidak masuk musim tanam"):
        _pupuk(kios, sold_on=dt.date(2026, 5, 1))


def test_pupuk_needs_the_farmers_confirmation(kios):
    with pytest.raises(SubsidyRefused, match="konfirmasi petani"):
        _pupuk(kios, farmer_confirmed=False)
    assert not SubsidisedSale.objects.exists()


def test_unknown_fertiliser_is_refused(kios):
    with pytest.raises(SubsidyRefused):
        _pupuk(kios, fertilizer="za")


# --- SPHP -----------------------------------------------------------------------------------


def _sphp(koperasi, **kwargs):
    data = {"channel": "sphp", "quantity": 5_000, "unit_price": 12_500_00}
    data.update(kwargs)
    return _sell(koperasi, **data)


def test_sphp_limit_per_transaction_and_per_day(koperasi):
    buyer(koperasi, serial=1)  # Jawa Barat: zone 1, HET Rp 12.500/kg by default
    with pytest.raises(SubsidyRefused, match="paling banyak 10 kg per transaksi"):
        _sphp(koperasi, quantity=10_500)
    assert _sphp(koperasi, quantity=10_000).amount == 125_000_00
    with pytest.raises(SubsidyRefused) as caught:
        _sphp(koperasi, quantity=1_000)
    assert caught.value.code == "limit" and "hari ini" in caught.value.message
    assert _sphp(koperasi, quantity=1_000, sold_on=DAY + dt.timedelta(days=1)).quantity == 1_000


def test_sphp_above_zone_het_is_refused(koperasi):
    buyer(koperasi, serial=1)
    with pytest.raises(SubsidyRefused, match=re.escape("melebihi HET Rp 12.500")):
        _sphp(koperasi, unit_price=13_000_00)
    services.add_channel_rule(
        koperasi,
        actor=manajer(koperasi),
        data={"channel": "sphp", "effective_from": DAY, "limit": 5_000, "period": "day", "zone": 3},
        at=NOW,
    )
    assert _sphp(koperasi, unit_price=13_000_00).het_price == 13_500_00
    assert ChannelRule.objects.filter(koperasi=koperasi).count() == 1
