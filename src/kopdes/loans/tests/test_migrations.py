"""Migrations 0006-0007 (loans proposals on the approvals base) keep every row, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kopdes.loans import services, testing
from kopdes.loans.models import LoanProposal, RepaymentReversal
from kopdes.platform.core.testing import make_user

BEFORE = ("loans", "0005_sen_field")
DAY = dt.date(2026, 11, 30)


@pytest.mark.django_db(transaction=True)
def test_migrations_0006_0007_keep_the_proposals_and_corrections_both_ways(koperasi):
    """Rows made on the base go back to 0005 under the old names ("proposed",
    ``requested_by``, ``approved_by``), a row written there comes forward under the base's
    names, and the four-eyes constraints hold on the renamed columns."""
    maker, ketua = make_user("petugas_pinjaman", koperasi), make_user("ketua", koperasi)
    kasir = make_user("kasir", koperasi)
    loan = testing.active_loan(koperasi)
    write_off = services.propose_write_off(loan, actor=maker, reason="Macet")
    services.approve_proposal(write_off, actor=ketua, date=DAY)  # the first half
    rep = services.repay_loan(
        loan, actor=kasir, amount=50_000_00, date=dt.date(2026, 4, 2), idempotency_key="r1"
    )
    reversal = services.request_repayment_reversal(
        rep, actor=kasir, reason="Salah input", idempotency_key="c1"
    )
    other = testing.active_loan(koperasi)
    now = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldProposal = old.get_model("loans", "LoanProposal")
        OldReversal = old.get_model("loans", "RepaymentReversal")
        back = OldProposal.objects.get(pk=write_off.pk)
        assert (back.state, back.approved_by_id, back.proposed_by_id) == (
            "proposed",
            ketua.pk,
            maker.pk,
        )
        back_rv = OldReversal.objects.get(pk=reversal.pk)
        assert (back_rv.state, back_rv.requested_by_id) == ("pending", kasir.pk)
        written = OldProposal.objects.create(
            koperasi_id=koperasi.pk, loan_id=other.pk, kind="restructure", state="proposed",
            reason="Banjir", params={"term": 12}, proposed_by_id=maker.pk, proposed_at=now,
        ).pk  # fmt: skip
    finally:
        MigrationExecutor(connection).migrate(leaves)
    forward = LoanProposal.objects.get(pk=write_off.pk)
    assert (forward.state, forward.decided_by_id, forward.proposed_by_id) == (
        "pending",
        ketua.pk,
        maker.pk,
    )
    row = LoanProposal.objects.get(pk=written)
    assert (row.state, row.reason, row.proposed_at, row.decided_by_id) == (
        "pending",
        "Banjir",
        now,
        None,
    )
    rv = RepaymentReversal.objects.get(pk=reversal.pk)
    assert (rv.state, rv.proposed_by_id, rv.reason) == ("pending", kasir.pk, "Salah input")
    with pytest.raises(IntegrityError), transaction.atomic():
        RepaymentReversal.objects.filter(pk=rv.pk).update(decided_by=kasir)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanProposal.objects.filter(pk=written).update(decided_by=maker)
    with pytest.raises(IntegrityError), transaction.atomic():  # one pending per loan and kind
        LoanProposal.objects.create(
            koperasi=koperasi, loan=other, kind="restructure", reason="lagi", proposed_by=maker
        )
