"""``platform.core.rows``: raw insert and fetch give what the ORM gives."""

from __future__ import annotations

import pytest

from kopdes.platform.core.rows import get_by
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.models import ApiToken, User
from kopdes.platform.tenancy.models import Koperasi

pytestmark = pytest.mark.django_db


def field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_get_by_gives_the_instance_the_orm_gives(koperasi):
    fetched = get_by(Koperasi, slug=koperasi.slug)
    assert fetched is not None and not fetched._state.adding
    assert field_values(fetched) == field_values(Koperasi.objects.get(pk=koperasi.pk))
    assert fetched.adart == Koperasi.objects.get(pk=koperasi.pk).adart  # JSON converted


def test_get_by_none_means_is_null_and_a_miss_is_none(koperasi):
    user = make_user("kasir", koperasi)
    token = ApiToken.objects.create(user=user, name="t", token_hash="h" * 64)
    assert get_by(ApiToken, token_hash="h" * 64, revoked_at=None).pk == token.pk
    assert get_by(User, id=user.pk).username == user.username
    assert get_by(Koperasi, slug="tidak-ada") is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert get_by(ApiToken, token_hash="h" * 64, revoked_at=None) is None


def test_execute_batch_returns_each_statements_rows_in_order_and_skips_none(koperasi):
    from kopdes.platform.core.rows import execute_batch

    assert execute_batch([None]) == []
    rows = execute_batch(
        [
            None,
            ("SELECT slug FROM tenancy_koperasi WHERE slug = %s", [koperasi.slug]),
            ("SELECT slug FROM tenancy_koperasi WHERE slug = %s", ["tidak-ada"]),
            ("UPDATE tenancy_koperasi SET name = %s WHERE slug = %s", ["Baru", koperasi.slug]),
            ("SELECT name FROM tenancy_koperasi WHERE slug = %s", [koperasi.slug]),
        ]
    )
    # Each statement sees the ones before it (PostgreSQL: one round trip, in order).
    assert rows == [[(koperasi.slug,)], [], [], [("Baru",)]]


def test_a_failing_statement_in_a_batch_raises_and_keeps_nothing(koperasi):
    from django.db import DatabaseError, transaction

    from kopdes.platform.core.rows import execute_batch

    with pytest.raises(DatabaseError), transaction.atomic():
        execute_batch(
            [
                ("UPDATE tenancy_koperasi SET name = %s WHERE slug = %s", ["Baru", koperasi.slug]),
                ("SELECT * FROM tabel_yang_tidak_ada", []),
            ]
        )
    assert Koperasi.objects.get(pk=koperasi.pk).name == koperasi.name


def test_first_from_rows_builds_the_first_instance_or_none(koperasi):
    from kopdes.platform.core.rows import execute_batch, first_from_rows, select_statement

    (found,) = execute_batch([select_statement(Koperasi, slug=koperasi.slug)])
    assert first_from_rows(Koperasi, found) == Koperasi.objects.get(slug=koperasi.slug)
    (missing,) = execute_batch([select_statement(Koperasi, slug="tidak-ada")])
    assert first_from_rows(Koperasi, missing) is None
