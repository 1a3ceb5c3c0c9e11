"""The PostgreSQL engine's opt-in prepared statements and ``execute_batch(commit=True)``:
the same rows and the same transactions as plain SQL, fewer round trips and less planning."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, insert_statements
from kopdes.platform.identity.models import ApiToken

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's engine (SQLite has no round trips)"
)
SLUG = "SELECT slug FROM tenancy_koperasi WHERE slug = %s"


@pytest.fixture
def prepare(monkeypatch):
    """Prepared statements opted in (``KOPDES_PG_PREPARE=1``; off by default)."""
    monkeypatch.setitem(connection.settings_dict, "PREPARE_STATEMENTS", True)


def prepared_on_server() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def other_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"],
        port=s["PORT"] or 5432, autocommit=True,
    )  # fmt: skip


@postgres_only
@pytest.mark.django_db
def test_a_batched_statement_is_prepared_once_per_session_and_gives_the_same_rows(
    koperasi, prepare
):
    assert execute_batch([(SLUG, [koperasi.slug])]) == [[(koperasi.slug,)]]
    name = connection.prepared[SLUG]
    assert name and name in prepared_on_server()
    # Second time: EXECUTE of the same prepared statement, other values, same answers.
    assert execute_batch([(SLUG, ["tidak-ada"]), (SLUG, [koperasi.slug])]) == [
        [],
        [(koperasi.slug,)],
    ]
    assert connection.prepared[SLUG] == name


@postgres_only
@pytest.mark.django_db
def test_a_statement_postgresql_cannot_prepare_is_sent_plain_and_the_transaction_goes_on(
    koperasi, prepare
):
    untyped = "SELECT count(*) FROM tenancy_koperasi WHERE %s IS NULL"  # $1 has no type
    with transaction.atomic():
        assert execute_batch([(untyped, [None]), (SLUG, [koperasi.slug])]) == [
            [(1,)],
            [(koperasi.slug,)],
        ]
        assert connection.prepared[untyped] is None
        # The refused PREPARE was rolled back to its savepoint, not the transaction.
        assert execute_batch([(untyped, [1])]) == [[(0,)]]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_starts_with_nothing_prepared(koperasi, prepare):
    execute_batch([(SLUG, [koperasi.slug])])
    assert connection.prepared
    connection.close()
    # The new session prepares again (an EXECUTE of the old name would fail here).
    assert execute_batch([(SLUG, [koperasi.slug])]) == [[(koperasi.slug,)]]
    assert connection.prepared[SLUG] in prepared_on_server()


@postgres_only
@pytest.mark.django_db
def test_prepared_statements_can_be_turned_off(koperasi, prepare, monkeypatch):
    execute_batch([(SLUG, [koperasi.slug])])
    monkeypatch.setitem(connection.settings_dict, "PREPARE_STATEMENTS", False)
    before = prepared_on_server()
    name = "SELECT name FROM tenancy_koperasi WHERE slug = %s"
    assert execute_batch([(name, [koperasi.slug]), (SLUG, [koperasi.slug])]) == [
        [(koperasi.name,)],
        [(koperasi.slug,)],
    ]
    assert name not in connection.prepared
    assert prepared_on_server() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_commit_with_the_batch_ends_the_outermost_block_and_releases_the_lock(koperasi):
    committed = []
    _sql, key = lock_statement("ledger:satu")  # outside a block: the statement, nothing held
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(True))
        execute_batch(
            [
                lock_statement("ledger:satu"),
                ("UPDATE tenancy_koperasi SET name = %s WHERE slug = %s", ["Baru", koperasi.slug]),
            ],
            commit=True,
        )
        # Before the block ends, another session already sees the change and can take
        # the lock: the COMMIT went with the batch.
        with other_connection() as other:
            (name,) = other.execute(
                "SELECT name FROM tenancy_koperasi WHERE slug = %s", [koperasi.slug]
            ).fetchone()
            assert name == "Baru"
            assert other.execute("SELECT pg_try_advisory_lock(%s)", key).fetchone()[0]
        assert committed == []  # hooks still run when the block ends, as always
    assert committed == [True]
    with transaction.atomic():  # the connection goes on as usual
        assert execute_batch([(SLUG, [koperasi.slug])]) == [[(koperasi.slug,)]]


@pytest.mark.django_db(transaction=True)
def test_commit_inside_an_outer_block_changes_nothing(koperasi):
    with pytest.raises(RuntimeError), transaction.atomic():
        with transaction.atomic():
            execute_batch(
                [
                    (
                        "UPDATE tenancy_koperasi SET name = %s WHERE slug = %s",
                        ["Baru", koperasi.slug],
                    )
                ],
                commit=True,
            )
        raise RuntimeError  # the outer block rolls back, taking the update with it
    koperasi.refresh_from_db()
    assert koperasi.name != "Baru"


@pytest.mark.django_db(transaction=True)
def test_a_commit_refused_by_a_deferred_check_raises_and_keeps_nothing(koperasi):
    orphan = ApiToken(user_id=987654321, name="x", token_hash="z" * 64, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        # The foreign key is checked at COMMIT (deferred): on PostgreSQL inside the batch,
        # on SQLite when the block ends.
        execute_batch(insert_statements([orphan]), commit=True)
    assert not ApiToken.objects.filter(token_hash="z" * 64).exists()
    with transaction.atomic():
        assert execute_batch([(SLUG, [koperasi.slug])]) == [[(koperasi.slug,)]]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_health_check_keeps_a_live_connection_and_drops_one_the_server_ended(monkeypatch):
    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    def check() -> None:
        connection.health_check_done = False  # as at the start of each request
        connection.close_if_health_check_failed()

    pid = backend_pid()
    with monkeypatch.context() as patched:  # no round trip: no cursor, no query
        patched.setattr(connection.connection, "cursor", lambda *a, **k: pytest.fail("query"))
        check()
    assert connection.connection is not None and backend_pid() == pid
    # The server ends the session itself (as at a restart): idle for 50 ms, it says
    # goodbye and closes.
    with connection.cursor() as cursor:
        cursor.execute("SET idle_session_timeout = 50")
    for _ in range(100):  # the server's goodbye reaches the socket
        check()
        if connection.connection is None:
            break
        time.sleep(0.02)
    assert connection.connection is None
    assert backend_pid() != pid  # the next request connects afresh


@postgres_only
@pytest.mark.django_db
def test_values_of_every_kind_reach_a_prepared_statement_unchanged(koperasi, prepare):
    import datetime as dt
    import uuid

    types = ["text", "text", "bigint", "bigint", "date", "uuid", "text", "boolean", "text"]
    echo = "SELECT " + ", ".join(f"CAST(%s AS {t})" for t in types)
    awkward = "it's 100% \\ 'quoted'; DROP TABLE x; -- 🙂 %s"
    # Every value is bound by psycopg (mogrify), whatever its kind.
    plain = "Bu Siti's ''kas'' -- 🙂; $1 E'x'"
    values = [
        awkward, plain, 12_345_678_901_234, -5, dt.date(2026, 11, 29), uuid.UUID(int=7),
        None, True, "",
    ]  # fmt: skip
    for _ in range(2):  # prepared on the first call, reused on the second
        assert execute_batch([(echo, values)]) == [[tuple(values)]]
    assert connection.prepared[echo]


@postgres_only
@pytest.mark.django_db
def test_a_bulk_statement_is_sent_plain(koperasi):
    slugs = [koperasi.slug] + [f"lain-{n}" for n in range(299)]
    bulk = f"SELECT count(*) FROM tenancy_koperasi WHERE slug IN ({', '.join(['%s'] * 300)})"
    assert execute_batch([(bulk, slugs)]) == [[(1,)]]
    assert bulk not in connection.prepared


def queries_sent(action) -> list[str]:
    """The Query messages libpq sent while ``action`` ran (its own trace of the protocol)."""
    import tempfile

    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            action()
        finally:
            pgconn.untrace()
        trace.seek(0)
        # One line per message (a query's own line breaks continue it on the next lines).
        return [
            line.split("\t", 3)[3].strip()
            for line in trace
            if line.split("\t")[:3:2] == ["F", "Query"]
        ]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_psycopg_sends_its_own_begin_and_the_commit_ends_the_write_batch(koperasi):
    found = []

    def two_batches():
        with transaction.atomic():
            found.append(execute_batch([(SLUG, [koperasi.slug])]))
            found.append(execute_batch([(SLUG, [koperasi.slug])], commit=True))

    sent = queries_sent(two_batches)
    assert found == [[[(koperasi.slug,)]]] * 2
    # BEGIN alone, as psycopg sends it; the read batch; the write batch with the COMMIT.
    assert len(sent) == 3
    assert sent[0] == '"BEGIN"'
    assert sent[1].startswith('"SELECT slug') and sent[2].startswith('"SELECT slug')
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert connection.connection.autocommit  # Django's autocommit again


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_first_batch_that_fails_rolls_its_transaction_back(koperasi):
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_batch(
            [
                ("UPDATE tenancy_koperasi SET name = %s WHERE slug = %s", ["Baru", koperasi.slug]),
                ("UPDATE tenancy_koperasi SET slug = NULL WHERE slug = %s", [koperasi.slug]),
            ]
        )
    koperasi.refresh_from_db()
    assert koperasi.name != "Baru"
    with transaction.atomic():  # the connection goes on as usual
        assert execute_batch([(SLUG, [koperasi.slug])]) == [[(koperasi.slug,)]]


@postgres_only
@pytest.mark.django_db
def test_prepared_statements_are_off_by_default(koperasi):
    from django.conf import settings as live

    assert live.DATABASES["default"]["PREPARE_STATEMENTS"] is False
    before = prepared_on_server()
    fresh = "SELECT slug, name FROM tenancy_koperasi WHERE slug = %s"  # never prepared
    assert execute_batch([(fresh, [koperasi.slug])]) == [[(koperasi.slug, koperasi.name)]]
    assert fresh not in connection.prepared
    assert prepared_on_server() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_batch_ending_in_commit_refuses_transaction_control_of_its_own(koperasi):
    update = ("UPDATE tenancy_koperasi SET name = %s WHERE slug = %s", ["Baru", koperasi.slug])
    for control in ("COMMIT", "begin", "  ROLLBACK", "SAVEPOINT x"):
        with pytest.raises(AssertionError), transaction.atomic():
            execute_batch([(control, []), update], commit=True)
    koperasi.refresh_from_db()
    assert koperasi.name != "Baru"  # nothing was sent


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_connection_is_idle_after_a_batch_ending_in_commit(koperasi):
    from psycopg.pq import TransactionStatus

    with transaction.atomic():
        execute_batch([(SLUG, [koperasi.slug])], commit=True)
        assert connection.connection.pgconn.transaction_status == TransactionStatus.IDLE
