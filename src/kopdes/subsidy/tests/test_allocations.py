"""The RDKK / e-Alokasi import: every row checked, the whole file refused with row-by-row
Indonesian messages and nothing written on any problem; wrong columns refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import login, make_user
from kopdes.subsidy import services
from kopdes.subsidy.errors import ImportErrors
from kopdes.subsidy.models import Allocation, AllocationImport
from kopdes.subsidy.testing import import_rdkk, nik, rdkk_bytes, season

pytestmark = pytest.mark.django_db
GOOD = [
    [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "urea", 100],
    [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "NPK", "75,5"],
    [nik(2), "Bu Wati", "Poktan Sri Rejeki", "MT1-2026", "organik", 250],
]


def _nothing_written(koperasi):
    assert not Allocation.objects.filter(koperasi=koperasi).exists()
    assert not AllocationImport.objects.filter(koperasi=koperasi).exists()
    assert not AuditEvent.objects.filter(action="subsidy.allocations.imported").exists()


def test_import_writes_every_row_in_grams_with_the_nik_encrypted(koperasi):
    season(koperasi)
    batch = import_rdkk(koperasi, GOOD)
    assert batch.rows == 3
    grams = {(a.farmer_name, a.fertilizer): a.grams for a in Allocation.objects.all()}
    assert grams == {
        ("Pak Darto", "urea"): 100_000,
        ("Pak Darto", "npk"): 75_500,
        ("Bu Wati", "organik"): 250_000,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik FROM subsidy_allocation")
        raws = [row[0] for row in cursor.fetchall()]
    assert all(raw.startswith("v1:") and nik(1) not in raw and nik(2) not in raw for raw in raws)
    event = AuditEvent.objects.get(action="subsidy.allocations.imported")
    assert event.summary["rows"] == 3 and event.summary["farmers"] == 2


def test_bad_rows_refuse_the_whole_file_row_by_row(koperasi):
    season(koperasi)
    rows = [
        GOOD[0],
        ["3201261205850000", "Pak Joko", "Poktan A", "MT1-2026", "urea", 50],  # serial 0000
        [nik(3), "Pak Budi", "Poktan A", "MT1-2026", "za", 50],  # unknown type
        [nik(4), "Pak Tono", "Poktan A", "MT1-2026", "urea", 0],  # not positive
        [nik(5), "Pak Adi", "Poktan A", "MT9-2030", "urea", 10],  # unknown season
        [nik(6), "", "Poktan A", "MT1-2026", "urea", -5],  # no name, negative
        [nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT1-2026", "urea", 20],  # twice
    ]
    with pytest.raises(ImportErrors) as caught:
        import_rdkk(koperasi, rows)
    errors = caught.value.errors
    by_row = {(row, field) for row, field, _m in errors}
    assert {
        (3, "nik"),
        (4, "fertilizer"),
        (5, "kg"),
        (6, "season"),
        (7, "farmer_name"),
        (7, "kg"),
        (8, "nik"),
    } <= by_row
    assert (2, "nik") not in by_row
    messages = " ".join(m for _r, _f, m in errors)
    assert "Nomor urut dalam NIK (4 angka terakhir) tidak boleh 0000" in messages
    assert "Jenis pupuk za tidak dikenal" in messages
    assert "Alokasi harus lebih dari nol kg" in messages
    assert "Musim tanam MT9-2030 belum diatur" in messages
    assert "di baris 2" in messages
    assert caught.value.message == "Berkas berisi 7 kesalahan; tidak ada yang disimpan."
    _nothing_written(koperasi)


def test_wrong_columns_are_refused_before_any_row(koperasi):
    season(koperasi)
    content = rdkk_bytes(
        [GOOD[0]], header=["NIK", "Nama", "Kelompok tani", "Musim tanam", "Jenis pupuk", "Kg"]
    )
    with pytest.raises(ImportErrors) as caught:
        services.import_allocations(
            koperasi,
            actor=make_user("manajer", koperasi),
            content=content,
            filename="x.xlsx",
            at=timezone.now(),
        )
    (row, field, message) = caught.value.errors[0]
    assert (row, field) == (1, "file")
    assert message.startswith("Kolom berkas tidak sesuai templat")
    assert "tidak ada: Nama petani, Alokasi (kg)" in message
    _nothing_written(koperasi)


def test_a_nik_in_a_number_cell_is_refused(koperasi):
    season(koperasi)
    with pytest.raises(ImportErrors) as caught:
        import_rdkk(koperasi, [[3201261205850001.0, "Pak Darto", "Poktan", "MT1-2026", "urea", 5]])
    assert "dibulatkan Excel" in caught.value.errors[0][2]
    _nothing_written(koperasi)


def test_the_same_allocation_cannot_be_imported_twice(koperasi):
    season(koperasi)
    import_rdkk(koperasi, GOOD[:1])
    with pytest.raises(ImportErrors) as caught:
        import_rdkk(koperasi, GOOD)
    assert "sudah pernah diimpor" in caught.value.errors[0][2]
    assert Allocation.objects.filter(koperasi=koperasi).count() == 1


def test_import_needs_the_permission(koperasi):
    season(koperasi)
    with pytest.raises(PermissionDeniedError):
        services.import_allocations(
            koperasi,
            actor=make_user("kasir", koperasi),
            content=rdkk_bytes(GOOD),
            filename="x.xlsx",
            at=timezone.now(),
        )
    _nothing_written(koperasi)


def test_import_page_lists_every_error_and_writes_nothing(client, koperasi):
    season(koperasi)
    login(client, make_user("sekretaris", koperasi))
    bad = [GOOD[0], [nik(3), "Pak Budi", "Poktan A", "MT1-2026", "za", 50]]
    url = reverse("subsidy:allocation-import", kwargs={"slug": koperasi.slug})
    response = client.post(url, {"file": SimpleUploadedFile("rdkk.xlsx", rdkk_bytes(bad))})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Berkas berisi 1 kesalahan; tidak ada yang disimpan." in body
    assert "Jenis pupuk za tidak dikenal" in body
    _nothing_written(koperasi)
    response = client.post(url, {"file": SimpleUploadedFile("rdkk.xlsx", b"not a zip")})
    assert "Ini bukan berkas Excel (.xlsx)" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("rdkk.xlsx", rdkk_bytes(GOOD))})
    assert response.status_code == 302
    assert Allocation.objects.filter(koperasi=koperasi).count() == 3


def test_allocation_page_shows_remaining_and_masked_nik(client, koperasi):
    season(koperasi)
    import_rdkk(koperasi, GOOD)
    login(client, make_user("kasir", koperasi))
    response = client.get(reverse("subsidy:allocation-list", kwargs={"slug": koperasi.slug}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "3201********0001" in body and nik(1) not in body
    assert "75,5" in body and "Pak Darto" in body and "pupuk organik" in body


def test_allocation_page_queries_do_not_grow_with_the_farmers(client, koperasi):
    from django.test.utils import CaptureQueriesContext

    season(koperasi)
    login(client, make_user("kasir", koperasi))
    url = reverse("subsidy:allocation-list", kwargs={"slug": koperasi.slug})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    import_rdkk(koperasi, GOOD)
    few = queries()
    import_rdkk(
        koperasi,
        [[nik(100 + n), f"Petani {n}", "Poktan B", "MT1-2026", "urea", 10] for n in range(30)],
    )
    assert queries() == few
