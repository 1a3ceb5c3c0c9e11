"""System checks: prepared statements are refused where a server session is not the
caller's own (issue 14)."""

from __future__ import annotations

import pytest

from kopdes.platform.core.checks import prepared_statement_errors

PG = {"ENGINE": "kopdes.platform.core.postgresql", "NAME": "kopdes", "OPTIONS": {}}


def errors_for(**db):
    return prepared_statement_errors({"default": {**PG, **db}})


def test_prepared_statements_are_off_and_pass_by_default():
    assert errors_for() == []
    assert errors_for(PREPARE_STATEMENTS=False, POOLER_MODE="transaction") == []


def test_prepared_statements_on_a_direct_connection_pass():
    assert errors_for(PREPARE_STATEMENTS=True, POOLER_MODE="") == []
    assert errors_for(PREPARE_STATEMENTS=True, POOLER_MODE="session") == []


@pytest.mark.parametrize(
    ("db", "named"),
    [
        ({"POOLER_MODE": "transaction"}, "KOPDES_PG_POOLER=transaction"),
        ({"POOLER_MODE": " Transaction "}, "KOPDES_PG_POOLER=transaction"),
        ({"OPTIONS": {"pool": True}}, 'OPTIONS["pool"]'),
        ({"OPTIONS": {"pool": {"min_size": 2}}}, 'OPTIONS["pool"]'),
        ({"OPTIONS": {"server_side_binding": True}}, "server_side_binding"),
    ],
)
def test_prepared_statements_are_refused_with_a_pooler_a_pool_or_server_side_binding(db, named):
    errors = errors_for(PREPARE_STATEMENTS=True, **db)
    assert [e.id for e in errors] == ["kopdes.E004"]
    assert named in errors[0].msg
    assert errors[0].hint == "Set KOPDES_PG_PREPARE=0."


def test_every_refusal_is_reported():
    errors = errors_for(
        PREPARE_STATEMENTS=True,
        POOLER_MODE="transaction",
        OPTIONS={"pool": True, "server_side_binding": True},
    )
    assert len(errors) == 3


def test_the_settings_read_the_environment(monkeypatch):
    import importlib

    from kopdes.config import settings as module

    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1:5432/x")
    monkeypatch.delenv("KOPDES_PG_PREPARE", raising=False)
    monkeypatch.delenv("KOPDES_PG_POOLER", raising=False)
    try:
        fresh = importlib.reload(module)
        assert fresh.DATABASES["default"]["PREPARE_STATEMENTS"] is False
        monkeypatch.setenv("KOPDES_PG_PREPARE", "1")
        monkeypatch.setenv("KOPDES_PG_POOLER", "transaction")
        fresh = importlib.reload(module)
        assert fresh.DATABASES["default"]["PREPARE_STATEMENTS"] is True
        assert fresh.DATABASES["default"]["POOLER_MODE"] == "transaction"
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_the_check_is_registered_and_passes_with_these_settings():
    from django.core import checks

    assert not [e for e in checks.run_checks(tags=[checks.Tags.database]) if e.id == "kopdes.E004"]
