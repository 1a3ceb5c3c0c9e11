"""``record_batched``: the chain's head read in the caller's batch (``ChainReads``) and the
INSERT run in the caller's writes (the teller's two round trips under the lock) builds the
same chain as ``record``."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import ChainReads, record, record_batched
from kopdes.platform.audit.verification import check_audit_chains
from kopdes.platform.core.rows import execute_batch

pytestmark = pytest.mark.django_db


def test_a_batched_head_and_deferred_insert_continue_the_chain(koperasi):
    first = record("uji.satu.recorded", koperasi=koperasi)
    with transaction.atomic():
        chain = ChainReads(koperasi)
        chain.take(execute_batch(chain.statements()))
        second, writes = record_batched(chain, "uji.dua.recorded", summary={"n": 2})
        assert not AuditEvent.objects.filter(pk=second.pk).exists()  # not written yet
        assert len(writes) == 1
        execute_batch(writes)
        # The head read was used up: the next batched event reads the head itself.
        third, writes = record_batched(chain, "uji.tiga.recorded")
        execute_batch(writes)
        fourth = record("uji.empat.recorded", koperasi=koperasi)
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert (third.seq, third.prev_hash) == (second.seq + 1, second.hash)
    assert (fourth.seq, fourth.prev_hash) == (third.seq + 1, third.hash)
    stored = AuditEvent.objects.get(pk=second.pk)
    assert (stored.koperasi_id, stored.action, stored.summary) == (
        koperasi.pk,
        "uji.dua.recorded",
        {"n": 2},
    )
    assert check_audit_chains().ok


def test_record_batched_without_a_batch_read_reads_the_head_itself(koperasi):
    first = record("uji.satu.recorded", koperasi=koperasi)
    with transaction.atomic():
        event, writes = record_batched(ChainReads(koperasi), "uji.dua.recorded")
        execute_batch(writes)
    assert (event.seq, event.prev_hash) == (first.seq + 1, first.hash)
    assert check_audit_chains().ok


def test_the_platform_chain_starts_at_genesis(db):
    with transaction.atomic():
        event, writes = record_batched(ChainReads(None), "uji.platform.recorded")
        execute_batch(writes)
    assert event.koperasi_id is None
    assert (event.chain, event.seq, event.prev_hash) == ("platform", 1, "0" * 64)


def test_a_stale_batched_head_is_refused_not_forked(koperasi):
    record("uji.satu.recorded", koperasi=koperasi)
    with pytest.raises(IntegrityError), transaction.atomic():
        chain = ChainReads(koperasi)
        chain.take(execute_batch(chain.statements()))
        record("uji.sela.recorded", koperasi=koperasi)  # an event in between
        _event, writes = record_batched(chain, "uji.dua.recorded")
        execute_batch(writes)
    assert AuditEvent.objects.filter(koperasi=koperasi).count() == 1
