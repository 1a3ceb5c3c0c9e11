"""T11: the audit chain is append-only below the ORM, and ``kopdes verify`` finds tampering."""

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import record
from kopdes.platform.audit.verification import check_audit_chains
from kopdes.platform.core.verification import run_all

pytestmark = pytest.mark.django_db
TABLE = "audit_auditevent"


@contextmanager
def triggers_off():
    """Switch the append-only triggers off as an attacker with database access would."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; ALTER TABLE needs them checked first.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            try:
                yield cur
            finally:
                cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name=%s", [TABLE]
            )
            saved = cur.fetchall()
            assert saved, "the append-only triggers should exist"
            for name, _sql in saved:
                cur.execute(f"DROP TRIGGER {name}")
            try:
                yield cur
            finally:
                for _name, sql in saved:
                    cur.execute(sql)


def _chain(koperasi, n=10):
    for i in range(n):
        record("test.thing.done", koperasi=koperasi, summary={"i": i, "note": f"catatan {i}"})
    return list(AuditEvent.objects.filter(koperasi=koperasi).order_by("seq"))


def _first_problem(koperasi=None):
    result = check_audit_chains(koperasi)
    assert not result.ok
    return result.problems[0]


def test_untampered_chains_verify(koperasi, other_koperasi):
    _chain(koperasi, 25)
    _chain(other_koperasi, 5)
    record("identity.user.logged_in", summary={})
    result = check_audit_chains()
    assert result.ok, result.problems
    assert result.checked == 31
    out = StringIO()
    call_command("verify", stdout=out)
    assert "rantai audit: 31 peristiwa diperiksa, cocok" in out.getvalue()


def test_changed_summary_is_caught_at_its_seq(koperasi):
    events = _chain(koperasi)
    with triggers_off() as cur:
        cur.execute(
            f"UPDATE {TABLE} SET summary=%s WHERE id=%s",
            ['{"i": 4, "note": "diubah"}', _id(events[4])],
        )
    problem = _first_problem(koperasi)
    assert "seq 5" in problem and "isi peristiwa berubah" in problem


def _id(event):
    return event.id.hex if connection.vendor == "sqlite" else event.id


def test_deleted_middle_row_is_caught(koperasi):
    events = _chain(koperasi)
    with triggers_off() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id=%s", [_id(events[6])])
    problem = _first_problem(koperasi)
    assert "seq 8" in problem and "seq 7 sampai 7 hilang" in problem


def test_swapped_seqs_are_caught(koperasi):
    events = _chain(koperasi)
    a, b = events[2], events[5]
    with triggers_off() as cur:
        cur.execute(f"UPDATE {TABLE} SET seq=%s WHERE id=%s", [1_000_000, _id(a)])
        cur.execute(f"UPDATE {TABLE} SET seq=%s WHERE id=%s", [a.seq, _id(b)])
        cur.execute(f"UPDATE {TABLE} SET seq=%s WHERE id=%s", [b.seq, _id(a)])
    problem = _first_problem(koperasi)
    assert "seq 3" in problem


def test_row_moved_to_another_koperasi_is_caught(koperasi, other_koperasi):
    events = _chain(koperasi)
    _chain(other_koperasi, 3)
    other_id = other_koperasi.pk.hex if connection.vendor == "sqlite" else other_koperasi.pk
    with triggers_off() as cur:
        cur.execute(f"UPDATE {TABLE} SET koperasi_id=%s WHERE id=%s", [other_id, _id(events[1])])
    problem = _first_problem()
    assert "seq 2" in problem and "rantai lain" in problem


def test_verify_command_fails_naming_the_first_bad_seq(koperasi):
    events = _chain(koperasi)
    with triggers_off() as cur:
        cur.execute(f"UPDATE {TABLE} SET action=%s WHERE id=%s", ["x.y.z", _id(events[3])])
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify", "--koperasi", koperasi.slug, stdout=StringIO(), stderr=err)
    assert "seq 4" in str(exc.value)
    assert exc.value.returncode == 1


def test_verify_command_refuses_unknown_koperasi(db):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("verify", "--koperasi", "tidak-ada", stdout=StringIO())


def test_verify_registry_includes_the_audit_chain(koperasi):
    _chain(koperasi, 2)
    assert any(r.name == "rantai audit" and r.ok for r in run_all(koperasi))


def test_orm_update_and_delete_are_refused_by_the_database(koperasi):
    events = _chain(koperasi, 3)
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=events[0].pk).update(action="x.y.z"),
        lambda: AuditEvent.objects.filter(pk=events[1].pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditEvent.objects.filter(koperasi=koperasi).count() == 3
    assert check_audit_chains(koperasi).ok


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET summary='{{}}' WHERE seq=1",
        f"DELETE FROM {TABLE} WHERE seq=2",
    ],
)
def test_raw_sql_update_and_delete_are_refused_by_the_database(koperasi, sql):
    _chain(koperasi, 3)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditEvent.objects.filter(koperasi=koperasi).count() == 3
    assert check_audit_chains(koperasi).ok


def test_forged_row_appended_with_a_made_up_hash_is_caught(koperasi):
    events = _chain(koperasi, 4)
    last = events[-1]
    with triggers_off() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (id, koperasi_id, chain, seq, at, actor_label, role, action, "
            "object_type, object_id, summary, source_address, prev_hash, hash) "
            "VALUES (%s, %s, %s, %s, %s, '', '', 'savings.withdrawal.posted', "
            "'', '', '{}', '', %s, %s)",
            [
                "0" * 32
                if connection.vendor == "sqlite"
                else "00000000-0000-0000-0000-000000000000",
                koperasi.pk.hex if connection.vendor == "sqlite" else koperasi.pk,
                last.chain,
                5,
                last.at,
                last.hash,
                "f" * 64,
            ],
        )
    problem = _first_problem(koperasi)
    assert "seq 5" in problem and "isi peristiwa berubah" in problem


def test_truncated_tail_is_not_visible_to_the_chain_alone(koperasi):
    """Documented limit: dropping the newest events leaves a valid shorter chain.

    Only a head hash kept outside the database (backup manifest, central anchor) shows it.
    """
    events = _chain(koperasi, 6)
    with triggers_off() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id=%s", [_id(events[-1])])
    result = check_audit_chains(koperasi)
    assert result.ok and result.checked == 5


TAMPERS = {
    "summary": lambda cur, ev, evs: cur.execute(
        f"UPDATE {TABLE} SET summary=%s WHERE id=%s", ['{"i": -1}', _id(ev)]
    ),
    "actor_label": lambda cur, ev, evs: cur.execute(
        f"UPDATE {TABLE} SET actor_label=%s WHERE id=%s", ["Orang Lain", _id(ev)]
    ),
    "delete": lambda cur, ev, evs: cur.execute(f"DELETE FROM {TABLE} WHERE id=%s", [_id(ev)]),
}


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_seeded_random_tampering_is_always_caught_at_the_right_seq(koperasi, kind):
    import random

    rng = random.Random(f"T11-{kind}")
    events = _chain(koperasi, 30)
    assert check_audit_chains(koperasi).ok
    for _ in range(15):
        # Never the last row for "delete": a missing tail is the documented blind spot.
        victim = events[rng.randrange(0, 29)]
        with transaction.atomic():
            with triggers_off() as cur:
                TAMPERS[kind](cur, victim, events)
            problem = _first_problem(koperasi)
            expected = victim.seq + 1 if kind == "delete" else victim.seq
            assert f"seq {expected}:" in problem, (victim.seq, problem)
            transaction.set_rollback(True)
    assert check_audit_chains(koperasi).ok  # every tamper rolled back: no false positive
