"""``Koperasi.books_start``: set when the koperasi is created, filled for existing ones by
the data migration, and within the sane range in the database (ledger README, "Business
dates")."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction

from kopdes.ledger.testing import post_simple, with_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.testing import make_koperasi
from kopdes.platform.tenancy.models import Koperasi
from kopdes.platform.tenancy.services import create_koperasi

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("kopdes.platform.tenancy.migrations.0002_koperasi_books_start")


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


def test_a_new_koperasi_starts_its_books_this_month_unless_told():
    koperasi = create_koperasi(**_params())
    assert koperasi.books_start == koperasi.today().replace(day=1)
    event = AuditEvent.objects.get(action="tenancy.koperasi.created")
    assert event.summary["books_start"] == koperasi.books_start.isoformat()
    other = create_koperasi(
        **_params(
            slug="kdmp-lain",
            badan_hukum_number="AHU-0009999.AH.01.29.TAHUN 2025",
            nik_koperasi="3201260010000002",
            books_start=dt.date(2025, 1, 1),
        )
    )
    assert other.books_start == dt.date(2025, 1, 1)


@pytest.mark.parametrize(
    "value", [dt.date(1999, 12, 31), dt.date(9999, 12, 31), "2025-01-01", "tomorrow"]
)
def test_a_books_start_outside_the_bounds_is_refused_and_nothing_written(value):
    if value == "tomorrow":
        value = dt.date.today() + dt.timedelta(days=2)
    before = Koperasi.objects.count()
    with pytest.raises(DomainError) as exc:
        create_koperasi(**_params(books_start=value))
    assert exc.value.field == "books_start"
    assert Koperasi.objects.count() == before


def test_the_cli_takes_a_books_start():
    out = io.StringIO()
    call_command(
        "createkoperasi",
        "--name", "Koperasi Desa Merah Putih Uji CLI",
        "--slug", "kdmp-cli",
        "--badan-hukum", "AHU-0005555.AH.01.29.TAHUN 2025",
        "--nik-koperasi", "3201260010000005",
        "--region-code", "3201262001",
        "--address", "Jl. Desa 1",
        "--books-start", "2025-07-01",
        stdout=out,
    )  # fmt: skip
    assert Koperasi.objects.get(slug="kdmp-cli").books_start == dt.date(2025, 7, 1)


def test_the_database_refuses_an_insane_books_start():
    koperasi = make_koperasi()
    with pytest.raises(IntegrityError), transaction.atomic():
        Koperasi.objects.filter(pk=koperasi.pk).update(books_start=dt.date(1, 1, 1))


def test_the_data_migration_starts_the_books_with_the_earliest_entry():
    with_entries = with_books(make_koperasi())
    post_simple(with_entries, date=dt.date(2025, 3, 15))
    post_simple(with_entries, date=dt.date(2025, 6, 2))
    empty = make_koperasi()
    Koperasi.objects.update(books_start=dt.date(2026, 6, 1))
    MIGRATION.fill_books_start(apps, None)
    with_entries.refresh_from_db()
    empty.refresh_from_db()
    assert with_entries.books_start == dt.date(2025, 3, 1)
    created = empty.created_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    assert empty.books_start == created.replace(day=1)
