"""The registers as XLSX, read back with openpyxl: the LPG register carries full NIKs (the
operator's register) and is audited; the pupuk and SPHP reports show NIKs masked."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.subsidy import services
from kopdes.subsidy.testing import NOW, buyer, import_rdkk, lpg_het, nik, season

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _sell(koperasi, key, **kwargs):
    data = {"channel": "lpg", "nik": nik(1), "quantity": 2, "unit_price": 18_500_00}
    data.update(kwargs)
    return services.check_and_record_subsidised_sale(
        koperasi,
        actor=make_user("kasir", koperasi),
        sold_on=DAY,
        idempotency_key=key,
        at=NOW,
        **data,
    )


def _download(client, koperasi, name, query):
    response = client.get(reverse(f"subsidy:{name}", kwargs={"slug": koperasi.slug}) + query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_lpg_register_has_full_niks_totals_and_is_audited(client, koperasi):
    lpg_het(koperasi)
    buyer(koperasi, serial=1, name="Siti Aminah")
    buyer(koperasi, serial=2, name='=HYPERLINK("x")')
    _sell(koperasi, "a", quantity=2)
    _sell(koperasi, "b", nik=nik(2), quantity=1, unit_price=19_000_00)
    login(client, make_user("manajer", koperasi))
    ws = _download(client, koperasi, "lpg-register", "?tanggal=02-03-2026")["Register LPG"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("No", "Tanggal", "Jam", "NIK")
    assert rows[1][3] == nik(1) and rows[1][4] == "Siti Aminah" and rows[1][6] == 2
    assert rows[1][7] == Decimal("18500.00") and rows[1][8] == Decimal("37000.00")
    assert rows[2][3] == nik(2) and rows[2][4] == '\'=HYPERLINK("x")'  # not a formula
    assert rows[3][0] == "Jumlah" and rows[3][6] == 3 and rows[3][8] == Decimal("56000.00")
    event = AuditEvent.objects.get(koperasi=koperasi, action="subsidy.lpg_register.exported")
    assert event.summary == {"day": "2026-03-02", "rows": 2, "niks": 2}
    assert nik(1) not in str(event.summary)


def test_lpg_register_is_for_the_ketua_and_manajer_only(client, koperasi):
    url = reverse("subsidy:lpg-register", kwargs={"slug": koperasi.slug})
    for role, status in (("kasir", 403), ("bendahara", 403), ("pengawas", 403), ("ketua", 200)):
        client.logout()
        login(client, make_user(role, koperasi))
        assert client.get(url).status_code == status, role


def test_a_bad_date_is_refused_with_a_message(client, koperasi):
    login(client, make_user("manajer", koperasi))
    url = reverse("subsidy:lpg-register", kwargs={"slug": koperasi.slug})
    response = client.get(url + "?tanggal=31-02-2026", follow=True)
    assert "Tulis tanggal sebagai" in response.content.decode()
    assert not AuditEvent.objects.filter(action="subsidy.lpg_register.exported").exists()


def test_sphp_daily_report_masks_the_nik(client, koperasi):
    buyer(koperasi, serial=1, name="Siti Aminah")
    _sell(koperasi, "s1", channel="sphp", quantity=7_500, unit_price=12_500_00)
    login(client, make_user("bendahara", koperasi))
    ws = _download(client, koperasi, "sphp-report", "?tanggal=2026-03-02").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][2] == "3201********0001" and rows[1][3] == "Siti Aminah"
    assert rows[1][4] == Decimal("7.5") and rows[1][6] == Decimal("93750.00")
    assert rows[2][0] == "Jumlah" and rows[2][6] == Decimal("93750.00")
    assert all(nik(1) not in str(cell) for row in rows for cell in row)


def test_pupuk_season_report_per_farmer_and_type(client, koperasi):
    season(koperasi)
    import_rdkk(
        koperasi,
        [
            [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "urea", 100],
            [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "npk", 75],
        ],
    )
    _sell(
        koperasi,
        "p1",
        channel="pupuk",
        fertilizer="urea",
        quantity=40_000,
        unit_price=1_800_00,
        farmer_confirmed=True,
    )
    login(client, make_user("pengawas", koperasi))
    ws = _download(client, koperasi, "pupuk-report", "?musim=MT1-2026").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("Kelompok tani", "Nama petani", "NIK", "Jenis pupuk")
    by_type = {row[3]: row for row in rows[1:]}
    urea = by_type["Urea"]
    assert urea[2] == "3201********0001"
    assert urea[4:8] == (Decimal("100"), Decimal("40"), Decimal("60"), Decimal("72000.00"))
    assert by_type["NPK"][4:7] == (Decimal("75"), Decimal("0"), Decimal("75"))
