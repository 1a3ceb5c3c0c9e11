"""Transactional savings tests (threads on PostgreSQL) end with Django's flush, which the
append-only triggers refuse: reuse the ledger tests' fixture that lifts them for the flush."""

from kopdes.ledger.tests.conftest import _flush_past_append_only_triggers  # noqa: F401
