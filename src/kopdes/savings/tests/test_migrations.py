"""Migration 0005 (the requests on the approvals base) keeps every row and its words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kopdes.platform.core.testing import make_user
from kopdes.savings import services
from kopdes.savings.models import Correction, SavingsTransaction, WithdrawalRequest
from kopdes.savings.testing import DAY, key, teller, voluntary_account

BEFORE = ("savings", "0004_sen_field")


@pytest.mark.django_db(transaction=True)
def test_migration_0005_keeps_every_request_its_state_and_both_officers_words(koperasi):
    """Back to 0004 (``status``, ``requested_by``, ``reason`` / ``reject_reason``), rows
    written there, forward again: the same rows under the base's names, the checker's
    words in ``decision_note``, the base's constraints in force on the renamed columns."""
    kasir, ketua = teller(koperasi), make_user("ketua", koperasi)
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account).latest("seq")
    now = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state(BEFORE).apps
        Request = old.get_model("savings", "WithdrawalRequest")
        OldCorrection = old.get_model("savings", "Correction")
        requests = {}
        for status in ("pending", "approved", "rejected"):
            decided = {"decided_by_id": ketua.pk, "decided_at": now} if status != "pending" else {}
            requests[status] = Request.objects.create(
                koperasi_id=koperasi.pk, account_id=account.pk, amount=6_000_000_00, date=DAY,
                idempotency_key=f"w-{status}", status=status, requested_by_id=kasir.pk,
                requested_at=now, reason="Tanda tangan beda" if status == "rejected" else "",
                **decided,
            ).pk  # fmt: skip
        correction = OldCorrection.objects.create(
            koperasi_id=koperasi.pk, transaction_id=txn.pk, entry_id=txn.entry_id,
            reason="Salah anggota", date=DAY, idempotency_key="c-old", status="rejected",
            requested_by_id=kasir.pk, requested_at=now, decided_by_id=ketua.pk,
            decided_at=now, reject_reason="Sudah benar",
        ).pk  # fmt: skip
    finally:
        MigrationExecutor(connection).migrate(leaves)
    for state, pk in requests.items():
        row = WithdrawalRequest.objects.get(pk=pk)
        assert (row.state, row.proposed_by_id, row.proposed_at, row.reason) == (
            state,
            kasir.pk,
            now,
            "",
        )
        assert row.decision_note == ("Tanda tangan beda" if state == "rejected" else "")
        assert row.decided_by_id == (ketua.pk if state != "pending" else None)
    old_correction = Correction.objects.get(pk=correction)
    assert (old_correction.state, old_correction.reason, old_correction.decision_note) == (
        "rejected",
        "Salah anggota",
        "Sudah benar",
    )
    # The constraints work on the renamed columns: four eyes on both models, and a
    # rejected correction lets the row be asked again while a waiting one does not.
    with pytest.raises(IntegrityError), transaction.atomic():
        WithdrawalRequest.objects.filter(pk=requests["pending"]).update(decided_by=kasir)
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=correction).update(decided_by=kasir)
    again = services.request_correction(txn, actor=kasir, reason="Salah", idempotency_key=key())
    assert again.state == "pending"
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(
            koperasi=koperasi, transaction=txn, entry_id=txn.entry_id, reason="x", date=DAY,
            idempotency_key="c-twice", proposed_by=kasir,
        )  # fmt: skip
