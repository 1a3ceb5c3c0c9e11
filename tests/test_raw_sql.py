"""Hand-written SQL only where it is listed (issue 14 §3).

Everything in ``src/kopdes`` uses the ORM except the modules on ``ALLOWED``, each with the
reason it may hold SQL. The scan looks, in every module (tests and migrations aside: a
migration's SQL is the schema's, a test's the tampering it checks against), for:

- a string that starts like a statement (``SELECT``, ``INSERT INTO``, ``UPDATE``,
  ``DELETE FROM``, ``CREATE``, ``DROP``, ``ALTER``, ``PRAGMA``, ``WITH``, ``BEGIN``,
  ``COMMIT``, ``TRUNCATE``, ``LOCK``), f-strings included;
- a call of ``execute``, ``executemany``, ``executescript``, ``cursor`` (a database
  cursor), ``rows.execute_batch`` / ``execute_groups`` (which send statements), the ORM's
  ``raw``/``extra`` or ``RawSQL``.

A module not on the list fails; so does an entry whose module no longer holds any (the
list only ever shrinks).
"""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1] / "src" / "kopdes"

STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER|PRAGMA|WITH|BEGIN|COMMIT"
    r"|TRUNCATE|LOCK)\b"
)
CALLS = frozenset(
    {"execute", "executemany", "executescript", "cursor", "execute_batch", "execute_groups"}
    | {"raw", "extra", "RawSQL"}
)

ALLOWED = {
    # The posting paths: sent under the koperasi's lock in as few round trips as possible
    # (docs/decisions/0004); names from the models' _meta, rows as named tuples.
    "ledger/posting.py": "the ledger's posting SQL: idempotency, accounts, chain head, inserts",
    "loans/posting.py": "the repayment's locked read and writes, the daily job's updates",
    "loans/services/repayment.py": (
        "sends the batches built by loans.posting, ledger.posting and the audit chain "
        "(execute_groups/execute_batch; no SQL text of its own)"
    ),
    "savings/posting.py": (
        "the teller's locked reads and passbook writes, the monthly jasa's bulk reads and inserts"
    ),
    "platform/audit/services.py": "the audit chain's head read, batched with the teller's reads",
    # The platform's database layer.
    "platform/core/rows.py": "execute_batch itself and the model-built INSERT/SELECT",
    "platform/core/locks.py": "pg_advisory_xact_lock: no ORM for it",
    "platform/core/postgresql/base.py": "the PostgreSQL engine sends the batched query",
    "platform/core/sqlite3/base.py": "the SQLite engine: WAL checkpoint",
    "platform/core/triggers.py": "append-only and closed-month triggers (DDL)",
    "platform/core/trigger_verification.py": "checks the triggers exist and refuse tampering",
    "platform/core/backup.py": "backup and restore: table lists, snapshot, PRAGMAs",
    "platform/core/anchors.py": "the journal's and audit chain's heads for the anchor file",
    "platform/core/testing.py": "test helpers: suspend triggers, drop test databases",
    "config/settings.py": "SQLite's init_command (journal_mode=WAL)",
    # Read-only checks.
    "ledger/durability.py": "PRAGMAs and server settings: WAL, synchronous, fsync",
    "ledger/verification.py": "kopdes verify recomputes the chain and balances in bulk",
    "platform/web/views.py": "/healthz: SELECT 1",
}


def _sql_in(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if STATEMENT.match(node.value):
                found.append(f"line {node.lineno}: {node.value.strip()[:30]!r}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else None
            )
            if name in CALLS:
                found.append(f"line {node.lineno}: {name}()")
    return found


def _modules_with_sql() -> dict[str, list[str]]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        found = _sql_in(path)
        if found:
            out[rel.as_posix()] = found
    return out


def test_hand_written_sql_is_only_in_the_listed_modules():
    found = _modules_with_sql()
    unlisted = {module: hits for module, hits in found.items() if module not in ALLOWED}
    assert not unlisted, (
        "Hand-written SQL outside the allowed modules (use the ORM, or move it into the "
        f"app's posting module and list it with its reason): {unlisted}"
    )


def test_every_allowed_module_still_holds_sql():
    found = _modules_with_sql()
    stale = sorted(module for module in ALLOWED if module not in found)
    assert not stale, f"No SQL left in {stale}: remove them from ALLOWED"


def test_the_scan_finds_each_kind_of_sql(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "q = f'UPDATE {t} SET a = 1'\n"
        "cursor.execute(q)\n"
        "Model.objects.raw('x')\n"
        "execute_batch([])\n"
        "s = 'select is a word'\n",  # lower case prose is not a statement
        encoding="utf-8",
    )
    assert sorted(_sql_in(module)) == [
        "line 1: 'UPDATE'",
        "line 2: execute()",
        "line 3: raw()",
        "line 4: execute_batch()",
    ]
