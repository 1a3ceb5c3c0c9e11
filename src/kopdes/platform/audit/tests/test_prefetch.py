"""``record`` with the chain's head read in the caller's batch and its INSERT run in the
caller's writes (the teller's two round trips under the lock) builds the same chain."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import Prefetch, record
from kopdes.platform.audit.verification import check_audit_chains
from kopdes.platform.core.rows import execute_batch

pytestmark = pytest.mark.django_db


def test_a_prefetched_head_and_deferred_insert_continue_the_chain(koperasi):
    first = record("uji.satu.recorded", koperasi=koperasi)
    with transaction.atomic():
        chain = Prefetch(koperasi)
        chain.take(execute_batch(chain.statements()))
        writes: list = []
        second = record("uji.dua.recorded", koperasi=koperasi, prefetched=chain, writes=writes)
        assert not AuditEvent.objects.filter(pk=second.pk).exists()  # not written yet
        execute_batch(writes)
        # The prefetch was used up: the next event reads the head itself.
        third = record("uji.tiga.recorded", koperasi=koperasi, prefetched=chain)
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert (third.seq, third.prev_hash) == (second.seq + 1, second.hash)
    assert check_audit_chains().ok


def test_a_stale_prefetched_head_is_refused_not_forked(koperasi):
    record("uji.satu.recorded", koperasi=koperasi)
    with pytest.raises(IntegrityError), transaction.atomic():
        chain = Prefetch(koperasi)
        chain.take(execute_batch(chain.statements()))
        record("uji.sela.recorded", koperasi=koperasi)  # an event in between
        record("uji.dua.recorded", koperasi=koperasi, prefetched=chain)
    assert AuditEvent.objects.filter(koperasi=koperasi).count() == 1
