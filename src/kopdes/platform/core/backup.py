"""Backups a treasurer can trust: one archive, checked byte by byte before any restore.

An archive is a plain ``.tar`` holding the database dump and ``manifest.json``:

* SQLite: a consistent copy taken with the online backup API (safe while the app writes;
  copying the file with ``cp`` is not, because of the WAL).
* PostgreSQL: ``pg_dump -Fc`` of one snapshot; the checksums in the manifest are computed
  inside the *same* snapshot (``pg_export_snapshot``), so they describe exactly the dump.

The manifest records the sha256 of every file, the kopdes version, the engine, the applied
migrations, the time, a hash of the manifest itself, a canonical checksum per koperasi
of every table listed in ``CHECKSUM_TABLES`` (the audit log; the ledger adds its journal
tables through ``register_checksum_table``) and each koperasi's chain heads
(``chain_heads``: journal and audit, last sequence and hash, read in the dump's snapshot).
A backup of the configured database also appends those heads to the anchor file
(``core.anchors``). ``restore_backup`` verifies all of it before
touching the target, refuses to overwrite a non-empty target without ``force``, and after
restoring recomputes the checksums from the restored database and compares.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

FORMAT = "kopdes-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

# (table, order-by columns) whose rows are checksummed per koperasi. Apps add theirs with
# ``register_checksum_table`` (e.g. the ledger's journal entries and lines); a table that
# does not exist yet is skipped, so registering ahead of a migration is harmless.
CHECKSUM_TABLES: list[tuple[str, tuple[str, ...]]] = [
    ("audit_auditevent", ("chain", "seq")),
    ("ledger_journalentry", ("number",)),
    ("ledger_journalline", ("entry_id", "line_no")),
]


def register_checksum_table(table: str, order_by: tuple[str, ...]) -> None:
    """Include ``table`` (rows ordered by ``order_by``, grouped by ``koperasi_id``) in backups."""
    if all(existing != table for existing, _ in CHECKSUM_TABLES):
        CHECKSUM_TABLES.append((table, tuple(order_by)))


class BackupError(Exception):
    """A backup or restore was refused; the message (Bahasa Indonesia) says why."""


@dataclass
class RestoreReport:
    archive: Path
    engine: str
    target: str
    checksums_match: bool
    integrity: str = "ok"
    pending_migrations: list[str] = field(default_factory=list)


# --- targets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a database lives: a SQLite file or a PostgreSQL connection URL."""

    engine: str  # "sqlite" or "postgresql"
    location: str  # file path or URL

    @classmethod
    def from_url(cls, url: str) -> Target:
        if url.startswith(("postgres://", "postgresql://")):
            return cls("postgresql", url)
        if url.startswith("sqlite:///"):
            return cls("sqlite", url[len("sqlite:///") :])
        if url.startswith("sqlite://"):
            raise BackupError("SQLite di memori tidak dapat dicadangkan.")
        return cls("sqlite", url)  # a plain file path

    @property
    def label(self) -> str:
        if self.engine == "sqlite":
            return self.location
        parsed = urlparse(self.location)
        return f"postgresql://{parsed.hostname}:{parsed.port or 5432}{parsed.path}"


def default_target() -> Target:
    """The database Django is configured for (``DATABASE_URL`` or the laptop default)."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return Target("sqlite", str(db["NAME"]))
    if db["ENGINE"].endswith("postgresql"):
        user = db.get("USER") or ""
        password = db.get("PASSWORD") or ""
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "localhost"
        port = db.get("PORT") or 5432
        return Target("postgresql", f"postgresql://{auth}{host}:{port}/{db['NAME']}")
    raise BackupError(f"Mesin basis data {db['ENGINE']} tidak didukung.")


def _pg_env(url: str) -> tuple[dict[str, str], str]:
    """Connection settings for pg_dump/pg_restore through the environment (no password in ps)."""
    parsed = urlparse(url)
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": parsed.hostname or "localhost",
            "PGPORT": str(parsed.port or 5432),
            "PGUSER": unquote(parsed.username or ""),
            "PGDATABASE": unquote(parsed.path.lstrip("/")),
        }
    )
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    return env, env["PGDATABASE"]


def _tool(name: str) -> str:
    """Full path of a PostgreSQL client program, or a clear refusal."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Program {name} tidak ditemukan; pasang paket postgresql-client.")
    return path


def _pg_connect(url: str, **kwargs: Any):
    import psycopg

    return psycopg.connect(url, **kwargs)


# --- canonical checksums ----------------------------------------------------------------


def _canon(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def _tables(cursor, engine: str) -> set[str]:
    if engine == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in cursor.fetchall()}


def _columns(cursor, engine: str, table: str) -> list[str]:
    if engine == "sqlite":
        cursor.execute(f'PRAGMA table_info("{table}")')
        return [row[1] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def compute_checksums(cursor, engine: str) -> dict[str, dict[str, dict[str, Any]]]:
    """``{table: {koperasi_id or "platform": {"rows": n, "sha256": hex}}}`` over a DB-API cursor.

    Each row is serialised column by column (sorted column names, ``|``-separated, JSON in
    canonical form) in the registered order. Works on the raw connection of either engine
    so it can run on a dump file or inside a pg_dump snapshot.
    """
    existing = _tables(cursor, engine)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table, order_by in CHECKSUM_TABLES:
        if table not in existing:
            continue
        columns = sorted(_columns(cursor, engine, table))
        group = "koperasi_id" if "koperasi_id" in columns else None
        order = ", ".join(f'"{c}"' for c in ([group] if group else []) + list(order_by))
        select = ", ".join(f'"{c}"' for c in columns)
        cursor.execute(f'SELECT {select} FROM "{table}" ORDER BY {order}')  # noqa: S608
        hashes: dict[str, Any] = {}
        counts: dict[str, int] = {}
        group_index = columns.index(group) if group else None
        while True:
            rows = cursor.fetchmany(2000)
            if not rows:
                break
            for row in rows:
                key = "platform"
                if group_index is not None and row[group_index] is not None:
                    key = _canon(row[group_index]).replace("-", "")
                if key not in hashes:
                    hashes[key] = hashlib.sha256()
                    counts[key] = 0
                hashes[key].update("|".join(_canon(v) for v in row).encode() + b"\n")
                counts[key] += 1
        out[table] = {k: {"rows": counts[k], "sha256": h.hexdigest()} for k, h in hashes.items()}
    return out


def _applied_migrations(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


# --- archive helpers --------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_hash(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kopdes")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def _write_archive(path: Path, files: dict[str, Path], manifest: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".part")
    # Owner-only from the first byte (tarfile keeps the mode of the file it truncates).
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with tarfile.open(tmp, "w") as tar:
        for name, src in files.items():
            tar.add(src, arcname=name)
        data = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(datetime.now(UTC).timestamp())
        tar.addfile(info, io.BytesIO(data))
    # Backups hold personal data (encrypted fields, names, addresses): owner-only access.
    os.chmod(tmp, 0o600)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# --- backup -----------------------------------------------------------------------------


def create_backup(output: Path | None = None, *, target: Target | None = None) -> Path:
    """Write one archive of ``target`` (default: the configured database) and return its path.

    ``output`` may be a directory (default ``var/backups/``) or a file name ending in .tar.
    """
    from django.conf import settings

    target = target or default_target()
    now = datetime.now(UTC)
    name = f"kopdes-{target.engine}-{now:%Y%m%dT%H%M%S%fZ}.tar"
    if output is None:
        output = Path(settings.VAR_DIR) / "backups"
    output = Path(output)
    if output.suffix == ".tar":
        archive = output
        archive.parent.mkdir(parents=True, exist_ok=True)
    else:
        output.mkdir(mode=0o700, parents=True, exist_ok=True)
        archive = output / name
    with tempfile.TemporaryDirectory(prefix="kopdes-backup-") as tmpdir:
        dump = Path(tmpdir) / DUMP_NAMES[target.engine]
        if target.engine == "sqlite":
            checksums, migrations, heads = _dump_sqlite(target, dump)
        else:
            checksums, migrations, heads = _dump_postgres(target, dump)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kopdes_version": _version(),
            "engine": target.engine,
            "created_at": now.isoformat(),
            "migrations": migrations,
            "files": {dump.name: {"sha256": _sha256_file(dump), "size": dump.stat().st_size}},
            "checksums": checksums,
            "chain_heads": heads,
        }
        manifest["manifest_sha256"] = _manifest_hash(manifest)
        _write_archive(archive, {dump.name: dump}, manifest)
    _anchor_backup(archive, target, heads)
    return archive


def _chain_heads(cursor, engine: str) -> dict[str, Any]:
    """``{koperasi id: {"slug", "jurnal": {"seq", "hash"}, "audit": {...}}}`` in the dump."""
    from kopdes.platform.core import anchors

    slugs = anchors.read_slugs(cursor, engine)
    heads = anchors.read_heads(cursor, engine)
    return {key: {"slug": slugs.get(key, key), **chains} for key, chains in heads.items()}


def _anchor_backup(archive: Path, target: Target, heads: dict[str, Any]) -> None:
    """A backup of the configured database anchors the heads it holds (core.anchors)."""
    from kopdes.platform.core import anchors

    try:
        own = target == default_target()
    except BackupError:
        own = False
    if not own or not heads:
        return
    chains = {k: {n: h for n, h in v.items() if n != "slug"} for k, v in heads.items()}
    slugs = {k: v["slug"] for k, v in heads.items()}
    try:
        anchors.append_anchors(chains, slugs, reason=f"cadangan {archive.name}")
    except anchors.AnchorError as exc:
        raise BackupError(f"Cadangan {archive} dibuat, tetapi {exc}") from exc


def _open_sqlite_source(target: Target) -> sqlite3.Connection:
    from django.db import connection

    # The test database may live in memory; Django's own connection then is the only way in.
    if target.location == str(connection.settings_dict["NAME"]) and (
        "memory" in target.location or not Path(target.location).exists()
    ):
        connection.ensure_connection()
        return connection.connection
    if not Path(target.location).exists():
        raise BackupError(f"Berkas basis data {target.location} tidak ada.")
    return sqlite3.connect(target.location)


def _dump_sqlite(target: Target, dump: Path) -> tuple[dict[str, Any], list[str], dict]:
    source = _open_sqlite_source(target)
    dest = sqlite3.connect(dump)
    try:
        source.backup(dest)  # online backup API: a consistent copy while others write
        cur = dest.cursor()
        cur.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        (integrity,) = cur.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            raise BackupError(f"Salinan basis data rusak: {integrity}")
        checksums = compute_checksums(cur, "sqlite")
        migrations = _applied_migrations(cur)
        heads = _chain_heads(cur, "sqlite")
        dest.commit()
    finally:
        dest.close()
        from django.db import connection

        if source is not connection.connection:
            source.close()
    return checksums, migrations, heads


def _dump_postgres(target: Target, dump: Path) -> tuple[dict[str, Any], list[str], dict]:
    env, _dbname = _pg_env(target.location)
    with _pg_connect(target.location, autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone()
        with conn.cursor() as cur:
            checksums = compute_checksums(cur, "postgresql")
            migrations = _applied_migrations(cur)
            heads = _chain_heads(cur, "postgresql")
        # pg_dump reads the very snapshot the checksums were computed in.
        result = subprocess.run(  # noqa: S603 (fixed program, arguments built here)
            [_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        conn.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump gagal: {result.stderr.strip()}")
    return checksums, migrations, heads


# --- restore ----------------------------------------------------------------------------


def read_archive(archive: Path, workdir: Path) -> dict[str, Any]:
    """Unpack and verify ``archive`` into ``workdir``; return its manifest or raise BackupError."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Arsip {archive} tidak ditemukan.")
    try:
        with tarfile.open(archive, "r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                raise BackupError("Ini bukan arsip cadangan kopdes: manifest.json tidak ada.")
            for name, member in members.items():
                if not member.isfile() or "/" in name or name.startswith("."):
                    raise BackupError(f"Arsip berisi berkas yang tidak dikenal: {name}")
            extracted = tar.extractfile(members[MANIFEST])
            assert extracted is not None
            try:
                manifest = json.loads(extracted.read())
            except ValueError as exc:
                raise BackupError("manifest.json rusak: bukan JSON yang sah.") from exc
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError("Ini bukan arsip cadangan kopdes (format tidak dikenal).")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"Versi format arsip {manifest.get('format_version')} tidak didukung."
                )
            if manifest.get("manifest_sha256") != _manifest_hash(manifest):
                raise BackupError("manifest.json telah berubah sejak cadangan dibuat.")
            files = manifest.get("files")
            engine = manifest.get("engine")
            if engine not in DUMP_NAMES or not isinstance(files, dict):
                raise BackupError("manifest.json tidak lengkap (mesin atau daftar berkas).")
            if set(files) != {DUMP_NAMES[engine]}:
                raise BackupError("Daftar berkas di manifest.json tidak sesuai.")
            extra = set(members) - set(files) - {MANIFEST}
            if extra:
                raise BackupError(f"Arsip berisi berkas yang tidak tercatat: {sorted(extra)}")
            for name, meta in files.items():
                if name not in members:
                    raise BackupError(f"Berkas {name} hilang dari arsip.")
                with (workdir / name).open("wb") as out:
                    src = tar.extractfile(members[name])
                    assert src is not None
                    shutil.copyfileobj(src, out)
                if _sha256_file(workdir / name) != meta.get("sha256"):
                    raise BackupError(f"Berkas {name} rusak: sha256 tidak cocok dengan manifest.")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"Arsip rusak atau terpotong: {exc}") from exc
    return manifest


def _sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    return rows[0] == 0


def _pg_is_empty(url: str) -> bool:
    with _pg_connect(url) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    return count == 0


@contextlib.contextmanager
def _workdir(near: Path | None = None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kopdes-restore-", dir=near) as tmp:
        yield Path(tmp)


def restore_backup(
    archive: Path, *, target: Target | None = None, force: bool = False
) -> RestoreReport:
    """Restore ``archive`` into ``target`` (default: the configured database).

    Refuses, before writing anything, a damaged archive (changed byte, missing file,
    altered manifest), a foreign one (not kopdes, or another engine) and a non-empty
    target unless ``force``. Afterwards checks integrity and compares the checksums.
    """
    target = target or default_target()
    near = Path(target.location).parent if target.engine == "sqlite" else None
    if near is not None and not near.is_dir():
        raise BackupError(f"Folder tujuan {near} tidak ada.")
    with _workdir(near) as work:
        manifest = read_archive(Path(archive), work)
        if manifest["engine"] != target.engine:
            raise BackupError(
                f"Arsip ini dari basis data {manifest['engine']}, tidak dapat dipulihkan ke "
                f"{target.engine}."
            )
        dump = work / DUMP_NAMES[target.engine]
        if target.engine == "sqlite":
            report = _restore_sqlite(dump, Path(target.location), manifest, force)
        else:
            report = _restore_postgres(dump, target.location, manifest, force)
    report.archive = Path(archive)
    report.target = target.label
    return report


def _restore_sqlite(dump: Path, dest: Path, manifest: dict[str, Any], force: bool) -> RestoreReport:
    with contextlib.closing(sqlite3.connect(dump)) as src:
        (integrity,) = src.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            raise BackupError(f"Basis data di dalam arsip rusak: {integrity}")
    if not _sqlite_is_empty(dest) and not force:
        raise BackupError(
            f"Basis data tujuan {dest} sudah berisi data. Pakai --force untuk menimpanya."
        )
    from django.db import connection, connections

    if str(dest) == str(connection.settings_dict["NAME"]):
        connections.close_all()  # never write under Django's feet
    from kopdes.platform.core.sqlite3.base import make_private

    make_private(dest)  # a restored database is as private as the original (0600)
    with (
        contextlib.closing(sqlite3.connect(dump)) as src,
        contextlib.closing(sqlite3.connect(dest)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        (integrity,) = dst.execute("PRAGMA integrity_check").fetchone()
        cur = dst.cursor()
        checksums = compute_checksums(cur, "sqlite")
        migrations = _applied_migrations(cur)
    return _report(manifest, "sqlite", integrity, checksums, migrations)


def _restore_postgres(dump: Path, url: str, manifest: dict[str, Any], force: bool) -> RestoreReport:
    if not _pg_is_empty(url) and not force:
        raise BackupError("Basis data tujuan sudah berisi data. Pakai --force untuk menimpanya.")
    env, _dbname = _pg_env(url)
    command = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    result = subprocess.run(  # noqa: S603 (fixed program, arguments built here)
        [*command, "-d", env["PGDATABASE"], str(dump)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore gagal: {result.stderr.strip()}")
    with _pg_connect(url) as conn, conn.cursor() as cur:
        checksums = compute_checksums(cur, "postgresql")
        migrations = _applied_migrations(cur)
    return _report(manifest, "postgresql", "ok", checksums, migrations)


def _report(
    manifest: dict[str, Any],
    engine: str,
    integrity: str,
    checksums: dict[str, Any],
    migrations: list[str],
) -> RestoreReport:
    if integrity != "ok":
        raise BackupError(f"Pemeriksaan integritas setelah pemulihan gagal: {integrity}")
    if checksums != manifest.get("checksums"):
        raise BackupError(
            "Checksum data setelah pemulihan berbeda dari arsip. Jangan pakai basis data ini."
        )
    pending: list[str] = []
    with contextlib.suppress(Exception):
        from django.db.migrations.loader import MigrationLoader

        known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
        pending = sorted(known - set(migrations))
    return RestoreReport(
        archive=Path(),
        engine=engine,
        target="",
        checksums_match=True,
        integrity=integrity,
        pending_migrations=pending,
    )
