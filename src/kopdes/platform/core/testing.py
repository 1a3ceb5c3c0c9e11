"""Deterministic builders for tests: koperasi, users with roles, logged-in clients.

Data is made through the real models (services where they exist), with fixed values so a
failure reproduces. Imported by app tests and by tests/ at the top level.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.platform.identity.choices import CROSS_ROLES, Role
from kopdes.platform.identity.models import RoleAssignment, User
from kopdes.platform.tenancy.models import Koperasi

_counter = itertools.count(1)

# Two real villages in different provinces (Kemendagri codes from the official list).
REGIONS = ["32.01.26.2001", "33.02.01.2001"]
TEST_BOOKS_START = dt.date(2025, 1, 1)
TEST_PASSWORD = "Rahasia-Koperasi-2026"  # noqa: S105  (test builders only)


def make_koperasi(slug: str | None = None, region_code: str | None = None, **extra) -> Koperasi:
    n = next(_counter)
    slug = slug or f"kop-{n}"
    return Koperasi.objects.create(
        name=extra.pop("name", f"Koperasi Desa Merah Putih Uji {n}"),
        slug=slug,
        badan_hukum_number=extra.pop("badan_hukum_number", f"AHU-{n:07d}.AH.01.29.TAHUN 2025"),
        nik_koperasi=extra.pop("nik_koperasi", f"32010{n:010d}"),
        region_code=region_code or REGIONS[n % 2],
        address=extra.pop("address", "Jl. Raya Desa No. 1"),
        business_units=extra.pop("business_units", ["kantor", "sembako", "simpan_pinjam"]),
        # Tests use fixed business dates from 2025 on, so their koperasi's books start
        # then and (AD/ART) allow back-dating without a second officer; the tests of the
        # date rules themselves set the defaults back (ledger/tests/test_business_dates.py).
        books_start=extra.pop("books_start", TEST_BOOKS_START),
        adart_settings=extra.pop("adart_settings", {"backdate_approval_days": 3650}),
        **extra,
    )


def make_user(
    role: Role | str | None = None,
    koperasi: Koperasi | None = None,
    *,
    username: str | None = None,
    region_prefix: str = "",
    with_totp: bool = True,
) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        username=username or f"user{n}", password=TEST_PASSWORD, full_name=f"Pengguna Uji {n}"
    )
    if role is not None:
        role = Role(role)
        RoleAssignment.objects.create(
            user=user,
            role=role,
            koperasi=None if role in CROSS_ROLES else koperasi,
            region_prefix=region_prefix,
        )
    if with_totp:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def login(client: Client, user: User, *, verified: bool = True) -> Client:
    """Log ``user`` in on the test client; ``verified`` marks the session as past TOTP."""
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
    return client


@contextmanager
def append_only_suspended(conn) -> Iterator[None]:
    """Take the append-only triggers off for one statement batch (tests only).

    Transactional tests end with Django's flush (TRUNCATE / DELETE), which the triggers
    rightly refuse; the root ``conftest.py`` wraps that flush, and tamper tests use it to
    reach underneath the triggers. PostgreSQL: DISABLE TRIGGER USER (the app role owns the
    tables; ALL would need a superuser). SQLite: drop and recreate them.
    """
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
                ["%_no_update"],
            )
            tables = [row[0] for row in cur.fetchall()]
            for table in tables:
                cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            try:
                yield
            finally:
                for table in tables:
                    cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' "
                "AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')"
            )
            saved = cur.fetchall()
            for name, _sql in saved:
                cur.execute(f'DROP TRIGGER "{name}"')
            try:
                yield
            finally:
                for _name, sql in saved:
                    cur.execute(sql)


def sent_statements(captured_queries) -> list[str]:
    """The statements behind ``CaptureQueriesContext``'s queries, one by one: a batch
    (``rows.execute_batch``) split into its statements, and on PostgreSQL an ``EXECUTE``
    of a prepared statement shown as the SQL it runs (``%s`` placeholders), and what the
    engine adds around it (the PREPAREs, the BEGIN) left out."""
    from django.db import connection

    names = {name: sql for sql, name in getattr(connection, "prepared", {}).items() if name}
    out = []
    for query in captured_queries:
        for statement in query["sql"].split(";\n"):
            if _MACHINERY.match(statement):
                continue
            found = re.match(r"EXECUTE (kopdes_\w+)", statement)
            out.append(names[found.group(1)] if found else statement)
    return out


# What the PostgreSQL engine adds around a batch: a statement's first PREPARE (under a
# savepoint) and the transaction's BEGIN at the head of its first batch. Not reads.
_MACHINERY = re.compile(r"(BEGIN$|PREPARE kopdes_|(SAVEPOINT|RELEASE SAVEPOINT) kopdes_prepare)")


def drop_database(admin_conninfo: str, name: str, *, attempts: int = 20) -> None:
    """Drop the scratch PostgreSQL database ``name`` a test made.

    ``WITH (FORCE)`` ends the test's own leftover connections, but not an autovacuum
    worker that has started on the freshly filled database: it belongs to the server's
    superuser, and the test's role may not end it ("must be a member of the role whose
    process is being terminated"). A plain ``DROP DATABASE`` asks such a worker to stop by
    itself; it is retried until the worker has gone.
    """
    import time

    import psycopg

    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        for attempt in range(attempts):
            force = " WITH (FORCE)" if attempt % 2 == 0 else ""
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"{force}')
                return
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.25)
