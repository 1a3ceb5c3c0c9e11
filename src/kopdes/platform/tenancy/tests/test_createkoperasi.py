from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.tenancy.models import Koperasi

pytestmark = pytest.mark.django_db

ARGS = [
    "--name=KDMP Sukamaju",
    "--slug=kdmp-sukamaju",
    "--badan-hukum=AHU-0000001.AH.01.29.TAHUN 2025",
    "--nik-koperasi=3201260010000001",
    "--region-code=32.01.26.2001",
    "--address=Jl. Raya 1",
    "--units=sembako,simpan_pinjam",
]


def _with(**changes):
    args = list(ARGS)
    for key, value in changes.items():
        flag = "--" + key.replace("_", "-")
        args = [a for a in args if not a.startswith(flag + "=")] + [f"{flag}={value}"]
    return args


def test_createkoperasi_registers_and_audits():
    out = StringIO()
    call_command("createkoperasi", *ARGS, stdout=out)
    koperasi = Koperasi.objects.get(slug="kdmp-sukamaju")
    assert koperasi.business_units == ["sembako", "simpan_pinjam"]
    assert "/k/kdmp-sukamaju/" in out.getvalue()
    assert AuditEvent.objects.filter(koperasi=koperasi, action="tenancy.koperasi.created").exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"region_code": "32.01.26.9999"}, "tidak ada dalam daftar resmi"),
        ({"region_code": "３２.01.26.2001"}, "10 angka"),
        ({"units": "sembako,bengkel"}, "tidak dikenal"),
    ],
)
def test_createkoperasi_refuses_bad_input(changes, words):
    with pytest.raises(CommandError, match=words) as exc:
        call_command("createkoperasi", *_with(**changes), stdout=StringIO())
    assert exc.value.returncode == 1
    assert Koperasi.objects.count() == 0 and AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"badan_hukum": "AHU-LAIN", "nik_koperasi": "3201260010000002"},  # same slug
        {"slug": "kop-lain", "nik_koperasi": "3201260010000002"},  # same badan hukum
    ],
)
def test_createkoperasi_refuses_duplicates(changes):
    call_command("createkoperasi", *ARGS, stdout=StringIO())
    with pytest.raises(CommandError, match="sudah"):
        call_command("createkoperasi", *_with(**changes), stdout=StringIO())
    assert Koperasi.objects.count() == 1
    assert AuditEvent.objects.filter(action="tenancy.koperasi.created").count() == 1
