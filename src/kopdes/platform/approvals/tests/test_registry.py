"""The registry's own parts: the age of an item, a row's time from its UUIDv7 key, unknown
kinds, re-registering a kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from kopdes.platform.approvals import registry
from kopdes.platform.core.ids import uuid7

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("waited", "expected"),
    [
        (dt.timedelta(0), ("now", 0)),
        (dt.timedelta(minutes=59), ("now", 0)),
        (dt.timedelta(hours=1), ("hours", 1)),
        (dt.timedelta(hours=23, minutes=59), ("hours", 23)),
        (dt.timedelta(days=2, hours=5), ("days", 2)),
        (-dt.timedelta(minutes=5), ("now", 0)),  # a clock a little ahead: never negative
    ],
)
def test_age(waited, expected):
    assert registry.age(NOW - waited, NOW) == expected


def test_a_rows_time_is_read_from_its_uuid7_key():
    before = dt.datetime.now(dt.UTC)
    made = registry.created_from_id(uuid7())
    after = dt.datetime.now(dt.UTC)
    assert before - dt.timedelta(milliseconds=1) <= made <= after + dt.timedelta(milliseconds=1)


def test_an_unknown_kind_is_not_found():
    with pytest.raises(Http404):
        registry.get_kind("no-such-kind")


def test_registering_a_kind_again_replaces_it():
    kind = registry.KINDS["savings-withdrawal"]
    try:
        assert registry.register(kind) is kind
        assert list(registry.KINDS).count("savings-withdrawal") == 1
        assert registry.KINDS["savings-withdrawal"] is kind
    finally:
        registry.KINDS["savings-withdrawal"] = kind


def test_kinds_follow_the_permission_matrix():
    names = {k.name for k in registry.kinds_for({"pengawas"})}
    assert names == {"loans-write-off"}
    assert registry.kinds_for({"kasir"}) == []
    assert {k.name for k in registry.kinds_for({"ketua"})} == set(registry.KINDS)
