"""The one maker-checker base on a real table: ``settle``, ``reject``, the database's
four-eyes constraint and the decide view's way back (``next``). The concrete model is
the ledger's ``ReversalProposal`` (a ``Proposal`` subclass); the rules are the base's."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from kopdes.ledger import services as ledger
from kopdes.ledger.models import JournalEntry, ReversalProposal
from kopdes.ledger.testing import post_simple, with_books
from kopdes.platform.approvals import services
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import testing
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import make_user

pytestmark = pytest.mark.django_db

MAKER_REFUSED = (
    "Pengurus yang mengusulkan tidak boleh menyetujui atau menolaknya sendiri; harus pengurus lain."
)


def _proposal(koperasi, maker=None) -> ReversalProposal:
    with_books(koperasi)
    maker = maker or make_user("bendahara", koperasi)
    entry = post_simple(koperasi, 75_000_00, actor=maker)
    return ledger.propose_reversal(entry, actor=maker, reason="Salah akun")


def _fresh(proposal) -> ReversalProposal:
    return ReversalProposal.objects.get(pk=proposal.pk)


def test_settle_moves_pending_to_approved_once(koperasi):
    proposal = _proposal(koperasi)
    ketua, manajer = make_user("ketua", koperasi), make_user("manajer", koperasi)
    # Two officers holding the same pending row: the first settles it...
    first, second = _fresh(proposal), _fresh(proposal)
    with transaction.atomic():
        settled = services.settle(first, actor=ketua, state=ProposalState.APPROVED)
    assert settled is first and first.state == ProposalState.APPROVED
    row = _fresh(proposal)
    assert row.state == ProposalState.APPROVED
    assert row.decided_by_id == ketua.pk and row.decided_at is not None
    assert row.decision_note == ""
    # ...the second, with her stale copy, is refused (409, in Bahasa Indonesia) and the
    # first decision stands.
    with pytest.raises(services.AlreadyDecidedError) as refused, transaction.atomic():
        services.settle(second, actor=manajer, state=ProposalState.REJECTED, note="Tidak")
    assert isinstance(refused.value, ConflictError) and refused.value.status == 409
    assert refused.value.message == "Usulan ini sudah diputuskan."
    assert second.state == ProposalState.PENDING  # her copy is left as it was
    again = _fresh(proposal)
    assert (again.state, again.decided_by_id, again.decided_at, again.decision_note) == (
        row.state,
        row.decided_by_id,
        row.decided_at,
        "",
    )


def test_settle_sets_the_modules_own_columns_in_the_same_update(koperasi):
    proposal = _proposal(koperasi)
    ketua = make_user("ketua", koperasi)
    other = post_simple(koperasi, 1_000_00)
    services.settle(
        _fresh(proposal), actor=ketua, state=ProposalState.REJECTED, note="x", reversal_entry=other
    )
    row = _fresh(proposal)
    assert (row.state, row.decision_note, row.reversal_entry_id) == ("rejected", "x", other.pk)


def test_the_maker_cannot_reject_her_own_proposal_and_nothing_is_written(koperasi):
    maker = make_user("manajer", koperasi)  # holds ledger.approve_reversal: only four eyes
    proposal = _proposal(koperasi, maker)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError) as refused:
        services.reject(
            proposal,
            actor=maker,
            permission="ledger.approve_reversal",
            note="Saya batalkan sendiri",
            action="ledger.reversal.rejected",
        )
    assert refused.value.message == MAKER_REFUSED
    row = _fresh(proposal)
    assert (row.state, row.decided_by_id, row.decided_at, row.decision_note) == (
        ProposalState.PENDING,
        None,
        None,
        "",
    )
    assert AuditEvent.objects.count() == events


def test_an_officer_without_the_permission_cannot_reject(koperasi):
    proposal = _proposal(koperasi)
    with pytest.raises(PermissionDeniedError):
        services.reject(
            proposal,
            actor=make_user("kasir", koperasi),
            permission="ledger.approve_reversal",
            note="",
            action="ledger.reversal.rejected",
        )
    assert _fresh(proposal).state == ProposalState.PENDING


def test_reject_by_another_officer_keeps_her_note_and_audits_it(koperasi):
    proposal = _proposal(koperasi)
    ketua = make_user("ketua", koperasi)
    services.reject(
        proposal,
        actor=ketua,
        permission="ledger.approve_reversal",
        note="Jurnal sudah benar",
        action="ledger.reversal.rejected",
        summary={"entry_id": str(proposal.entry_id)},
        source_address="10.0.0.7",
    )
    row = _fresh(proposal)
    assert (row.state, row.decided_by_id, row.decision_note) == (
        "rejected",
        ketua.pk,
        "Jurnal sudah benar",
    )
    event = AuditEvent.objects.get(action="ledger.reversal.rejected")
    assert event.summary["note"] == "Jurnal sudah benar"
    assert event.object_id == str(proposal.pk) and event.actor_id == ketua.pk
    # Decided: a second reject is refused and writes nothing more.
    with pytest.raises(services.AlreadyDecidedError):
        services.reject(
            _fresh(proposal),
            actor=make_user("manajer", koperasi),
            permission="ledger.approve_reversal",
            note="lagi",
            action="ledger.reversal.rejected",
        )
    assert AuditEvent.objects.filter(action="ledger.reversal.rejected").count() == 1
    assert _fresh(proposal).decision_note == "Jurnal sudah benar"


def test_the_database_refuses_a_checker_who_is_the_maker(koperasi):
    """Below the services (an UPDATE by hand): the base's ``<app>_<model>_four_eyes``
    CHECK constraint, on SQLite and PostgreSQL alike."""
    proposal = _proposal(koperasi)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReversalProposal.objects.filter(pk=proposal.pk).update(
            decided_by_id=proposal.proposed_by_id, state=ProposalState.APPROVED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReversalProposal.objects.create(
            koperasi=koperasi,
            entry=post_simple(koperasi, 2_000_00),
            reason="langsung",
            date=proposal.date,
            proposed_by=proposal.proposed_by,
            decided_by=proposal.proposed_by,
        )
    assert _fresh(proposal).decided_by_id is None
    assert "ledger_reversalproposal_four_eyes" in {
        c.name for c in ReversalProposal._meta.constraints
    }


# --- the decide view's way back ----------------------------------------------------------


def _decide(koperasi, proposal, decision: str) -> str:
    return reverse(
        f"approvals:{decision}",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "ledger-reversal",
            "approval_item_id": proposal.pk,
        },
    )


def test_the_decide_view_goes_back_to_a_same_site_next(koperasi):
    proposal = _proposal(koperasi)
    client = testing.login(Client(), make_user("ketua", koperasi))
    page = reverse(
        "ledger:entry-detail", kwargs={"slug": koperasi.slug, "entry_id": proposal.entry_id}
    )
    response = client.post(_decide(koperasi, proposal, "approve"), {"next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert _fresh(proposal).state == ProposalState.APPROVED
    assert JournalEntry.objects.filter(koperasi=koperasi, reverses=proposal.entry).exists()


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/k/", "http://evil.example/k/x/", "javascript:x"],
)
def test_the_decide_view_ignores_a_next_to_another_site(koperasi, elsewhere):
    proposal = _proposal(koperasi)
    client = testing.login(Client(), make_user("ketua", koperasi))
    response = client.post(
        _decide(koperasi, proposal, "reject"), {"next": elsewhere, "reason": "Tidak perlu"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:inbox", kwargs={"slug": koperasi.slug})
    assert _fresh(proposal).state == ProposalState.REJECTED  # decided all the same


def test_another_koperasis_proposal_is_not_found(koperasi, other_koperasi):
    theirs = _proposal(other_koperasi)
    client = testing.login(Client(), make_user("ketua", koperasi))
    for decision in ("approve", "reject"):
        url = reverse(
            f"approvals:{decision}",
            kwargs={
                "slug": koperasi.slug,
                "approval_kind": "ledger-reversal",
                "approval_item_id": theirs.pk,
            },
        )
        assert client.post(url).status_code == 404
    assert _fresh(theirs).state == ProposalState.PENDING
