"""The poster process of the kill -9 test (T4). Not a test module; run as

    python -m kopdes.ledger.tests.crash_poster setup|post|verify <ack log>

against the database in DATABASE_URL. ``post`` first reports (one JSON line) whether the
books verify and every acknowledged key is present, prints READY, then posts entries of
2-6 lines in a loop, appending each key to the ack log (fsynced) only after its commit
returned. Restarted, it resumes at the first unacknowledged key with the same content, so
the entry in doubt (committed, not yet acknowledged) is retried through idempotency.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import zlib

SLUG = "crash-test"


def lines_for(i: int):
    from kopdes.domain.ledger import LineDraft
    from kopdes.domain.money import allocate_by_weights

    rng = random.Random(i)
    amount = rng.randint(1, 10**9)
    debits = rng.randint(1, 3)
    credits = rng.randint(1, 3)
    member = f"m{rng.randint(1, 5)}"
    lines = [
        LineDraft.debit("1-1100", p)
        for p in allocate_by_weights(amount, [rng.randint(1, 9) for _ in range(debits)])
        if p
    ]
    lines += [
        LineDraft.credit("2-1100", p, subledger_kind="savings", subledger_ref=member)
        for p in allocate_by_weights(amount, [rng.randint(1, 9) for _ in range(credits)])
        if p
    ]
    return lines


def report(ack_path: str) -> dict:
    from django.db import connection

    from kopdes.ledger.models import JournalEntry
    from kopdes.ledger.verification import verify_books
    from kopdes.platform.tenancy.models import Koperasi

    koperasi = Koperasi.objects.get(slug=SLUG)
    problems = [p for r in verify_books(koperasi) for p in r.problems]
    acked = []
    if os.path.exists(ack_path):
        with open(ack_path) as fh:
            acked = [line.strip() for line in fh if line.strip()]
    keys = set(
        JournalEntry.objects.filter(koperasi=koperasi).values_list("idempotency_key", flat=True)
    )
    integrity = "ok"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = cursor.fetchone()[0]
    return {
        "problems": problems,
        "acked": len(acked),
        "acked_missing": sorted(set(acked) - keys),
        "entries": len(keys),
        "in_doubt": len(keys - set(acked)),
        "integrity": integrity,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kopdes.ledger import services
    from kopdes.platform.core.testing import make_koperasi

    mode, ack_path = sys.argv[1], sys.argv[2]
    if mode == "setup":
        call_command("migrate", verbosity=0)
        services.setup_koperasi_books(make_koperasi(SLUG))
        print("SETUP", flush=True)
        return
    if mode == "burst":
        # Concurrent writers (T1 on SQLite): every process posts the same shared key first,
        # then its own keys; prints the entry numbers it got.
        from kopdes.platform.tenancy.models import Koperasi

        koperasi = Koperasi.objects.get(slug=SLUG)
        prefix, count = sys.argv[3], int(sys.argv[4])
        numbers = []
        for key in ["shared-key", *(f"{prefix}-{n}" for n in range(count))]:
            entry = services.post(
                koperasi,
                actor=None,
                date=dt.date(2026, 3, 1),
                memo="Serentak",
                lines=lines_for(0 if key == "shared-key" else zlib.crc32(key.encode()) % 1000),
                idempotency_key=key,
            )
            numbers.append(entry.number)
        print(json.dumps(numbers), flush=True)
        return
    print(json.dumps(report(ack_path)), flush=True)
    if mode == "verify":
        return
    from kopdes.platform.tenancy.models import Koperasi

    koperasi = Koperasi.objects.get(slug=SLUG)
    acked = 0
    if os.path.exists(ack_path):
        with open(ack_path) as fh:
            acked = sum(1 for line in fh if line.strip())
    print("READY", flush=True)
    i = acked
    with open(ack_path, "a") as ack:
        while True:
            key = f"crash-{i}"
            services.post(
                koperasi,
                actor=None,
                date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
                memo=f"Setoran beruntun {i}",
                lines=lines_for(i),
                idempotency_key=key,
                source="savings",
            )
            ack.write(key + "\n")
            ack.flush()
            os.fsync(ack.fileno())
            i += 1


if __name__ == "__main__":
    main()
