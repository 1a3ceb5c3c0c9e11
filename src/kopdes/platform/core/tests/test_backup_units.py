"""Small, database-free parts of backup: target parsing and the checksum-table hook."""

from pathlib import Path

import pytest

from kopdes.platform.core import backup
from kopdes.platform.core.backup import BackupError, Target, register_checksum_table, restore_backup


@pytest.mark.parametrize(
    ("url", "engine", "location"),
    [
        ("sqlite:////var/lib/kopdes/kopdes.sqlite3", "sqlite", "/var/lib/kopdes/kopdes.sqlite3"),
        ("sqlite:///relatif.sqlite3", "sqlite", "relatif.sqlite3"),
        ("/srv/kopdes/x.sqlite3", "sqlite", "/srv/kopdes/x.sqlite3"),
        ("postgresql://u:p@db:5433/kop", "postgresql", "postgresql://u:p@db:5433/kop"),
        ("postgres://u@db/kop", "postgresql", "postgres://u@db/kop"),
    ],
)
def test_targets_are_read_from_urls_and_paths(url, engine, location):
    target = Target.from_url(url)
    assert (target.engine, target.location) == (engine, location)


def test_postgres_label_hides_the_password():
    assert "rahasia" not in Target.from_url("postgresql://u:rahasia@db:5433/kop").label


def test_in_memory_sqlite_cannot_be_a_target():
    with pytest.raises(BackupError):
        Target.from_url("sqlite://")


def test_apps_register_tables_once(monkeypatch):
    monkeypatch.setattr(backup, "CHECKSUM_TABLES", list(backup.CHECKSUM_TABLES))
    register_checksum_table("savings_transaction", ("number",))
    register_checksum_table("savings_transaction", ("number",))
    assert [t for t, _ in backup.CHECKSUM_TABLES].count("savings_transaction") == 1


def test_restore_into_a_missing_folder_is_refused(tmp_path):
    target = Target("sqlite", str(tmp_path / "tidak-ada" / "db.sqlite3"))
    with pytest.raises(BackupError, match="tidak ada"):
        restore_backup(Path(tmp_path / "arsip.tar"), target=target)
