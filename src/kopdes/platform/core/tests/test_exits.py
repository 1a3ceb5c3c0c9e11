"""The exit-settlement registry (``platform.core.exits``): one settlement, registered once."""

import pytest

from kopdes.platform.core import exits


@pytest.fixture
def empty(monkeypatch):
    monkeypatch.setattr(exits, "SETTLEMENTS", [])


def settle_a(member, *, actor, date):
    return {"by": "a"}


def settle_b(member, *, actor, date):
    return {"by": "b"}


def test_nothing_registered_means_no_settlement(empty):
    assert exits.exit_settlement() is None


def test_registering_twice_keeps_one_and_returns_the_function(empty):
    assert exits.register_exit_settlement(settle_a) is settle_a
    assert exits.register_exit_settlement(settle_a) is settle_a
    assert len(exits.SETTLEMENTS) == 1
    assert exits.exit_settlement() is settle_a


def test_a_second_different_settlement_is_refused_and_the_first_stays(empty):
    exits.register_exit_settlement(settle_a)
    with pytest.raises(RuntimeError, match="already registered"):
        exits.register_exit_settlement(settle_b)
    assert exits.exit_settlement() is settle_a
