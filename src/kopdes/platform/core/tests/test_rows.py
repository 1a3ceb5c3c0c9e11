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
