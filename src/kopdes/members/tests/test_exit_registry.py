"""members settles an exit through the settlement savings registers in
``platform.core.exits`` (no import of savings); without one the exit is approved unsettled."""

import datetime as dt
import logging

import pytest
from django.apps import apps
from django.utils import timezone

from kopdes.ledger.models import JournalEntry
from kopdes.members import services
from kopdes.members.choices import MemberStatus
from kopdes.members.testing import make_member
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import exits
from kopdes.platform.core.testing import make_user

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0))
EXIT_DAY = dt.date(2026, 4, 2)


def _approve(koperasi, member):
    proposal = services.propose_exit(
        member, actor=make_user("sekretaris", koperasi), to_status="berhenti",
        reason="Pindah", effective_on=EXIT_DAY, at=NOW,
    )  # fmt: skip
    return proposal, services.approve_exit(proposal, actor=make_user("ketua", koperasi), at=NOW)


@pytest.mark.skipif(not apps.is_installed("kopdes.savings"), reason="savings app not installed")
def test_savings_registers_its_exit_settlement_when_the_app_is_ready():
    from kopdes.savings.services import settle_member_exit

    assert exits.exit_settlement() is settle_member_exit


def test_the_registered_settlement_is_called_with_the_member_officer_and_exit_date(
    koperasi, monkeypatch
):
    calls = []

    def settle(member, *, actor, date):
        calls.append((member.pk, actor.pk, date))
        return {"paid": 0}

    monkeypatch.setattr(exits, "SETTLEMENTS", [settle])
    member = make_member(koperasi)
    proposal, approved = _approve(koperasi, member)
    proposal.refresh_from_db()
    assert approved.settlement == {"paid": 0}
    assert calls == [(member.pk, proposal.decided_by_id, EXIT_DAY)]


def test_without_a_registered_settlement_the_exit_is_approved_unsettled(
    koperasi, monkeypatch, caplog
):
    monkeypatch.setattr(exits, "SETTLEMENTS", [])
    member = make_member(koperasi)
    entries = JournalEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="kopdes.members.services"):
        proposal, approved = _approve(koperasi, member)
    assert approved.settlement is None
    member.refresh_from_db()
    proposal.refresh_from_db()
    assert member.status == MemberStatus.RESIGNED and member.left_on == EXIT_DAY
    assert proposal.state == ProposalState.APPROVED
    assert JournalEntry.objects.count() == entries
    assert AuditEvent.objects.filter(action="savings.exit.settled").count() == 0
    assert AuditEvent.objects.filter(action="members.exit.approved").count() == 1
    assert f"exit of member {member.number} not settled" in caplog.text
