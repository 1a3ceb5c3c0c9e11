"""Chain heads kept outside the database: the append-only, signed ``var/anchors.jsonl``.

A hash chain proves that nothing *inside* it changed, but not that its newest rows are all
still there: deleting the newest journal entry (and adjusting the balance rows) or the newest
audit events leaves a shorter chain that verifies. So every month close, every backup and a
daily ``kopdes anchor`` append each koperasi's heads to a file the database does not hold:

    {"at": "...", "heads": {"audit": {"hash": "...", "seq": 120},
     "jurnal": {"hash": "...", "seq": 42}}, "koperasi": "<uuid>", "prev": "<sha256>",
     "reason": "harian", "sig": "<hmac>", "slug": "sukamaju", "v": 1}

one line per koperasi (and one ``"koperasi": "platform"`` line for the platform's audit
chain), JSON with sorted keys. ``sig`` is HMAC-SHA256 of the line without ``sig`` under the
anchor key (``KOPDES_ANCHOR_KEY``, else ``var/anchor_key``, made once with mode 0600 beside
``var/data_key``); ``prev`` is the sha256 of the previous line's bytes (64 zeros for the
first), so a line dropped from the middle breaks the next one. The file (default
``var/anchors.jsonl``, ``KOPDES_ANCHOR_FILE`` to put it elsewhere) is created 0600, opened
in append mode under an exclusive lock, and fsync'd.

``kopdes verify`` compares the database with every anchor file it is given: an anchored
sequence beyond the chain's end is a missing tail, a different hash at an anchored sequence
is rewritten history, and a bad signature or broken ``prev`` is a tampered anchor file.
Copies of the file kept elsewhere (a USB stick, the central server) are what make it
evidence against someone who also holds ``var/``.

Chains register themselves (``register_chain``) from their app's ``ready()``; heads are read
with plain SQL on any DB-API cursor, so a backup reads them inside its own snapshot.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kopdes.platform.core.secrets import load_or_create_secret
from kopdes.platform.core.verification import CheckResult

VERSION = 1
GENESIS = "0" * 64
PLATFORM = "platform"
FILE_NAME = "anchors.jsonl"
KEY_NAME = "anchor_key"
_LOOKUP_CHUNK = 500

Heads = dict[str, dict[str, dict[str, Any]]]  # {koperasi key: {chain: {"seq", "hash"}}}


class AnchorError(Exception):
    """An anchor could not be written; the message (Bahasa Indonesia) says why."""


@dataclass(frozen=True)
class ChainSpec:
    """A hash chain whose head is anchored: one row per link, grouped by koperasi."""

    name: str  # key in an anchor line: "jurnal", "audit"
    label: str  # how verify names it: "jurnal", "rantai audit"
    table: str
    group_column: str  # koperasi_id (a UUID), or a text column holding str(koperasi id)
    seq_column: str
    hash_column: str = "hash"
    group_is_uuid: bool = True


CHAINS: list[ChainSpec] = []


def register_chain(spec: ChainSpec) -> None:
    if all(existing.name != spec.name for existing in CHAINS):
        CHAINS.append(spec)


# --- reading heads ----------------------------------------------------------------------


def _key(value: Any) -> str:
    """A koperasi id as anchors write it (UUID with dashes), or ``"platform"``."""
    if isinstance(value, uuid.UUID):
        return str(value)
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def _tables(cursor, vendor: str) -> set[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in cursor.fetchall()}


def read_heads(cursor, vendor: str) -> Heads:
    """Every chain's last (seq, hash) per koperasi, on any DB-API cursor (no parameters)."""
    existing = _tables(cursor, vendor)
    heads: Heads = defaultdict(dict)
    for spec in CHAINS:
        if spec.table not in existing:
            continue
        g, s, h, t = spec.group_column, spec.seq_column, spec.hash_column, spec.table
        cursor.execute(
            f'SELECT t."{g}", t."{s}", t."{h}" FROM "{t}" t JOIN '  # noqa: S608 (registered names)
            f'(SELECT "{g}" AS k, max("{s}") AS m FROM "{t}" GROUP BY "{g}") x '
            f'ON x.k = t."{g}" AND x.m = t."{s}"'
        )
        for group, seq, hash_ in cursor.fetchall():
            heads[_key(group)][spec.name] = {"seq": int(seq), "hash": str(hash_)}
    return dict(heads)


def read_slugs(cursor, vendor: str) -> dict[str, str]:
    """``{koperasi key: slug}`` of every koperasi in the database."""
    if "tenancy_koperasi" not in _tables(cursor, vendor):
        return {}
    cursor.execute("SELECT id, slug FROM tenancy_koperasi")
    return {_key(pk): slug for pk, slug in cursor.fetchall()}


def _group_param(spec: ChainSpec, key: str, connection) -> Any:
    """``key`` as the database stores ``spec.group_column`` (a UUID is hex on SQLite)."""
    if not spec.group_is_uuid:
        return key
    value = uuid.UUID(key)
    return value if connection.features.has_native_uuid_field else value.hex


def koperasi_heads(koperasi) -> dict[str, dict[str, Any]]:
    """``{chain: {"seq", "hash"}}`` of one koperasi now (empty before its first row);
    one indexed query per chain."""
    from django.db import connection

    key = _key(koperasi.pk)
    chains: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        for spec in CHAINS:
            cursor.execute(
                f'SELECT "{spec.seq_column}", "{spec.hash_column}" FROM "{spec.table}" '  # noqa: S608
                f'WHERE "{spec.group_column}" = %s ORDER BY "{spec.seq_column}" DESC LIMIT 1',
                [_group_param(spec, key, connection)],
            )
            row = cursor.fetchone()
            if row is not None:
                chains[spec.name] = {"seq": int(row[0]), "hash": str(row[1])}
    return chains


def current_heads(koperasi=None) -> tuple[Heads, dict[str, str]]:
    """The heads and slugs of the configured database, for one koperasi or all."""
    from django.db import connection

    if koperasi is not None:
        chains = koperasi_heads(koperasi)
        key = _key(koperasi.pk)
        return ({key: chains} if chains else {}), {key: koperasi.slug}
    with connection.cursor() as cursor:
        return read_heads(cursor, connection.vendor), read_slugs(cursor, connection.vendor)


def describe_heads(chains: dict[str, dict[str, Any]], *, full: bool = False) -> str:
    """``jurnal #42 (hash 1a2b3c4d5e6f…), rantai audit #120 (hash …)``; ``full``: whole hashes."""
    labels = {spec.name: spec.label for spec in CHAINS}
    parts = [
        f"{labels.get(name, name)} #{head['seq']} "
        f"(hash {head['hash'] if full else head['hash'][:12] + '…'})"
        for name, head in sorted(chains.items(), key=lambda item: _order(item[0]))
    ]
    return ", ".join(parts)


def _order(name: str) -> int:
    names = [spec.name for spec in CHAINS]
    return names.index(name) if name in names else len(names)


# --- the file ---------------------------------------------------------------------------


def anchor_path() -> Path:
    from django.conf import settings

    return Path(os.environ.get("KOPDES_ANCHOR_FILE") or Path(settings.VAR_DIR) / FILE_NAME)


def anchor_key() -> bytes:
    """The signing key: ``KOPDES_ANCHOR_KEY``, else ``var/anchor_key`` (made once, 0600)."""
    from django.conf import settings

    value = os.environ.get("KOPDES_ANCHOR_KEY") or load_or_create_secret(
        Path(settings.VAR_DIR) / KEY_NAME
    )
    return value.encode()


def _canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _signature(record: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in record.items() if k != "sig"}
    return hmac.new(key, _canonical(body).encode(), hashlib.sha256).hexdigest()


def _line_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _tail(fd: int) -> tuple[bytes, bool]:
    """The file's last line (without its newline) and whether the file ends with one."""
    size = os.fstat(fd).st_size
    if size == 0:
        return b"", True
    block, data = 4096, b""
    position = size
    while position > 0:
        step = min(block, position)
        position -= step
        data = os.pread(fd, step, position) + data
        if data[:-1].rfind(b"\n") != -1:
            break
    ends_with_newline = data.endswith(b"\n")
    body = data[:-1] if ends_with_newline else data
    return body[body.rfind(b"\n") + 1 :], ends_with_newline


def append_anchors(
    heads: Heads,
    slugs: dict[str, str],
    *,
    reason: str,
    path: Path | None = None,
    at: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Append one signed line per koperasi of ``heads`` to the anchor file; return them."""
    path = Path(path or anchor_path())
    at = at or dt.datetime.now(dt.UTC)
    if not heads:
        return []  # nothing to anchor yet: no file, no key
    try:
        key = anchor_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AnchorError(f"Berkas anchor {path} tidak dapat dibuka: {exc}") from exc
    try:
        os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # one writer at a time: the lines chain in order
        read_fd = os.open(path, os.O_RDONLY)
        try:
            last, whole = _tail(read_fd)
        finally:
            os.close(read_fd)
        # A line torn by a crash stays (verify reports it); the next one chains past it.
        prev = _line_hash(last) if last else GENESIS
        out = b"" if whole else b"\n"
        records = []
        for key_ in sorted(heads, key=lambda k: (k == PLATFORM, slugs.get(k, k))):
            record: dict[str, Any] = {
                "v": VERSION,
                "at": at.isoformat(),
                "reason": reason,
                "koperasi": key_,
                "slug": PLATFORM if key_ == PLATFORM else slugs.get(key_, ""),
                "heads": heads[key_],
                "prev": prev,
            }
            record["sig"] = _signature(record, key)
            raw = _canonical(record).encode()
            out += raw + b"\n"
            prev = _line_hash(raw)
            records.append(record)
        view = memoryview(out)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        raise AnchorError(f"Anchor tidak dapat ditulis ke {path}: {exc}") from exc
    finally:
        os.close(fd)  # releases the lock
    if created:
        _fsync_dir(path.parent)
    return records


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_now(koperasi=None, *, reason: str, path: Path | None = None) -> list[dict[str, Any]]:
    """Anchor the configured database's current heads (one koperasi, or all + platform)."""
    heads, slugs = current_heads(koperasi)
    return append_anchors(heads, slugs, reason=reason, path=path)


# --- reading and checking anchor files -----------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """One authentic anchored head: chain ``chain`` of ``koperasi`` had ``seq``/``hash``."""

    koperasi: str
    slug: str
    chain: str
    seq: int
    hash: str
    at: dt.datetime
    where: str  # "<file>:<line>"

    @property
    def day(self) -> str:
        return local_day(self.at)


def local_day(at: dt.datetime) -> str:
    """The day of ``at`` in the site's time zone, as verify names an anchor (2026-11-30)."""
    from django.utils import timezone

    return timezone.localtime(at).date().isoformat()


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("v") != VERSION:
        return None
    heads = record.get("heads")
    if not (
        isinstance(record.get("sig"), str)
        and isinstance(record.get("prev"), str)
        and isinstance(record.get("koperasi"), str)
        and isinstance(record.get("at"), str)
        and isinstance(heads, dict)
    ):
        return None
    for head in heads.values():
        if not (
            isinstance(head, dict)
            and isinstance(head.get("seq"), int)
            and isinstance(head.get("hash"), str)
        ):
            return None
    try:
        at = dt.datetime.fromisoformat(record["at"])
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    record["_at"] = at
    return record


def read_anchor_file(path: Path, key: bytes | None = None) -> tuple[list[Anchor], list[str]]:
    """The authentic anchors in ``path`` and every problem of the file itself."""
    key = key if key is not None else anchor_key()
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [f"berkas anchor {path} tidak dapat dibaca: {exc.strerror or exc}"]
    anchors: list[Anchor] = []
    problems: list[str] = []
    prev = GENESIS
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        where = f"{path}:{number}"
        record = _parse(raw)
        if record is None:
            problems.append(f"{where}: baris anchor rusak (bukan baris anchor yang sah)")
        else:
            at = record.pop("_at")
            if not hmac.compare_digest(_signature(record, key), record["sig"]):
                problems.append(
                    f"{where}: tanda tangan anchor tidak sah (baris diubah, atau ditulis "
                    "dengan kunci anchor lain)"
                )
            else:
                if record["prev"] != prev:
                    problems.append(
                        f"{where}: rantai berkas anchor putus (ada baris sebelumnya yang "
                        "dihapus, disisipkan atau ditukar)"
                    )
                for chain, head in record["heads"].items():
                    anchors.append(
                        Anchor(
                            koperasi=record["koperasi"],
                            slug=str(record.get("slug") or record["koperasi"]),
                            chain=chain,
                            seq=head["seq"],
                            hash=head["hash"],
                            at=at,
                            where=where,
                        )
                    )
        prev = _line_hash(raw)
    return anchors, problems


def _lookup(spec: ChainSpec, key: str, seqs: list[int]) -> dict[int, str]:
    """``{seq: hash}`` of the rows of ``spec``'s chain of ``key`` at ``seqs``."""
    from django.db import connection

    group = _group_param(spec, key, connection)
    found: dict[int, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(seqs), _LOOKUP_CHUNK):
            chunk = seqs[start : start + _LOOKUP_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f'SELECT "{spec.seq_column}", "{spec.hash_column}" FROM "{spec.table}" '  # noqa: S608
                f'WHERE "{spec.group_column}" = %s AND "{spec.seq_column}" IN ({marks})',
                [group, *chunk],
            )
            found.update({int(seq): str(hash_) for seq, hash_ in cursor.fetchall()})
    return found


def compare(anchors: list[Anchor], koperasi=None) -> tuple[int, list[str]]:
    """Compare the configured database with ``anchors``: (anchored heads compared, problems)."""
    heads, slugs = current_heads(koperasi)
    specs = {spec.name: spec for spec in CHAINS}
    wanted = _key(koperasi.pk) if koperasi is not None else None
    grouped: dict[tuple[str, str], list[Anchor]] = defaultdict(list)
    for anchor in anchors:
        if wanted is None or anchor.koperasi == wanted:
            grouped[(anchor.koperasi, anchor.chain)].append(anchor)
    checked = 0
    problems: list[str] = []
    absent: set[str] = set()
    for (key, chain), points in sorted(
        grouped.items(), key=lambda kv: (kv[0][0], _order(kv[0][1]))
    ):
        name = slugs.get(key) or points[-1].slug
        if key != PLATFORM and key not in slugs:
            if key not in absent:
                absent.add(key)
                last = max(points, key=lambda a: a.at)
                problems.append(
                    f"{name}: koperasi {key} tercatat di anchor {last.day} ({last.where}) "
                    "tetapi tidak ada di basis data ini: seluruh datanya hilang, atau anchor "
                    "ini milik basis data lain"
                )
            continue
        spec = specs.get(chain)
        if spec is None:
            problems.append(f"{name}: anchor {points[0].where} mencatat rantai tak dikenal {chain}")
            continue
        checked += len(points)
        end = heads.get(key, {}).get(chain, {"seq": 0})["seq"]
        furthest = max(points, key=lambda a: (a.seq, a.at))
        if furthest.seq > end:
            problems.append(
                f"{name}: {spec.label} berakhir di #{end}, anchor {furthest.day} mencatat "
                f"#{furthest.seq} (hash {furthest.hash[:12]}…): baris terbaru hilang"
            )
        inside = sorted({a.seq for a in points if a.seq <= end})
        stored = _lookup(spec, key, inside)
        for anchor in sorted(points, key=lambda a: (a.seq, a.at)):
            if anchor.seq > end:
                continue
            actual = stored.get(anchor.seq)
            if actual != anchor.hash:
                now = f"hash {actual[:12]}…" if actual else "tidak ada"
                problems.append(
                    f"{name}: {spec.label} #{anchor.seq} sekarang {now}, anchor {anchor.day} "
                    f"mencatat hash {anchor.hash[:12]}… ({anchor.where}): riwayat ditulis ulang"
                )
                break  # first difference first: later links follow from it
    return checked, problems


def check_anchor_files(
    paths: list[Path], koperasi=None, *, required: bool = True
) -> CheckResult | None:
    """The ``kopdes verify`` check: each file's own integrity, then the database against it.

    ``required=False`` (the default local file): a missing file is no check at all (None).
    """
    result = CheckResult(name="anchor kepala rantai", unit="titik anchor")
    anchors: list[Anchor] = []
    present = [Path(path) for path in paths if Path(path).exists()]
    if not required and not present:
        return None
    key = b""
    if present:
        try:
            key = anchor_key()
        except OSError as exc:
            result.problems.append(
                f"kunci anchor tidak dapat dibaca ({exc}): tanda tangan tidak dapat diperiksa; "
                "berikan KOPDES_ANCHOR_KEY"
            )
            return result
    for path in paths:
        if Path(path) not in present:
            result.problems.append(f"berkas anchor {path} tidak ada")
            continue
        found, problems = read_anchor_file(Path(path), key)
        anchors += found
        result.problems += problems
    checked, problems = compare(anchors, koperasi)
    result.checked = checked
    result.problems += problems
    return result
