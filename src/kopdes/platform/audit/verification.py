"""``kopdes verify``: recompute every audit chain from ``GENESIS`` and report the first break.

Per chain (one per koperasi, plus ``platform``) the events must run seq 1, 2, 3 ... with
no gap, each ``prev_hash`` must equal the stored hash of the event before, each stored hash
must equal ``link_hash(prev_hash, event_fields(event))``, and an event must sit in the chain
of its own koperasi. This catches an edited, deleted, inserted or re-numbered row. It does
not catch a truncated tail or a full rewrite with recomputed hashes: only a comparison with
a head hash kept outside the database can (see README.md).
"""

from __future__ import annotations

from kopdes.platform.audit.chain import GENESIS, event_fields, link_hash
from kopdes.platform.audit.models import PLATFORM_CHAIN, AuditEvent
from kopdes.platform.core.verification import CheckResult, register

CHUNK = 2000


def _chain_label(chain: str, names: dict[str, str]) -> str:
    return "platform" if chain == PLATFORM_CHAIN else f"koperasi {names.get(chain, chain)}"


def verify_chain(chain: str, label: str) -> tuple[int, str | None]:
    """Walk one chain in seq order; return (events checked, first problem or None)."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=CHUNK):
        checked += 1
        where = f"rantai {label}, seq {event.seq}"
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return checked, (
                    f"{where}: urutan bolong, seq {expected_seq} sampai {event.seq - 1} hilang"
                )
            return checked, f"{where}: urutan salah, seharusnya seq {expected_seq}"
        own_chain = str(event.koperasi_id) if event.koperasi_id is not None else PLATFORM_CHAIN
        if own_chain != chain:
            return checked, f"{where}: peristiwa milik rantai lain ({own_chain})"
        if event.prev_hash != prev:
            return checked, (
                f"{where}: prev_hash tidak menyambung (tersimpan {event.prev_hash[:12]}…, "
                f"seharusnya {prev[:12]}…)"
            )
        recomputed = link_hash(prev, event_fields(event))
        if recomputed != event.hash:
            return checked, (
                f"{where}: isi peristiwa berubah (hash tersimpan {event.hash[:12]}…, "
                f"dihitung ulang {recomputed[:12]}…)"
            )
        prev = event.hash
        expected_seq += 1
    return checked, None


@register("audit.chain")
def check_audit_chains(koperasi=None) -> CheckResult:
    """Recompute the audit chain of ``koperasi`` (or of every koperasi and the platform)."""
    from kopdes.platform.tenancy.models import Koperasi

    result = CheckResult(name="rantai audit", unit="peristiwa")
    names = {str(pk): slug for pk, slug in Koperasi.objects.values_list("pk", "slug")}
    if koperasi is not None:
        chains = [str(koperasi.pk)]
    else:
        found = set(AuditEvent.objects.values_list("chain", flat=True).distinct())
        chains = sorted(found - {PLATFORM_CHAIN}, key=lambda c: names.get(c, c))
        if PLATFORM_CHAIN in found:
            chains.append(PLATFORM_CHAIN)
    for chain in chains:
        checked, problem = verify_chain(chain, _chain_label(chain, names))
        result.checked += checked
        if problem:
            result.problems.append(problem)
    return result
