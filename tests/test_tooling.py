"""The promises tools keep: ruff (lint and format), mypy strict on domain/, the
import-linter contract (domain imports no Django) and no missing migration.

Part of ``make test`` so a change that breaks them cannot land. Run once, in the SQLite
pass (they do not depend on the database).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="database-independent: checked in the SQLite run",
)


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(
    "argv",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("mypy",),
        ("lint-imports",),
    ],
    ids=lambda argv: " ".join(argv),
)
def test_tool_is_clean(argv):
    result = _run(str(BIN / argv[0]), *argv[1:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_no_model_change_lacks_a_migration():
    assert connection.vendor  # settings are loaded
    result = _run(sys.executable, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
