"""Exit settlement nets what the member owes: loans are paid off from the savings first,
only the remainder leaves in cash; debts above the savings refuse the exit."""

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from kopdes.domain.money import format_rupiah
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.members import services
from kopdes.members.choices import MemberStatus
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import verification
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.testing import login, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (apps.is_installed("kopdes.savings") and apps.is_installed("kopdes.loans")),
        reason="savings and loans apps needed",
    ),
]
NOW = timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0))
EXIT_DAY = dt.date(2026, 4, 2)


def _member_with_loan(koperasi, *, savings: int, principal: int):
    from kopdes.loans.testing import active_loan
    from kopdes.savings.testing import voluntary_account

    account = voluntary_account(koperasi, balance=savings)
    loan = active_loan(koperasi, member=account.member, principal=principal)
    return account.member, loan


def _propose(koperasi, member):
    return services.propose_exit(
        member, actor=make_user("sekretaris", koperasi), to_status="berhenti",
        reason="Pindah", effective_on=EXIT_DAY, at=NOW,
    )  # fmt: skip


def test_exit_pays_off_the_loan_from_savings_and_returns_the_rest(koperasi):
    from kopdes.loans.choices import LoanStatus
    from kopdes.loans.models import Repayment
    from kopdes.loans.services import dues_on
    from kopdes.savings.models import SavingsAccount

    member, loan = _member_with_loan(koperasi, savings=3_000_000_00, principal=1_200_000_00)
    owed = dues_on(loan, EXIT_DAY).payoff.total
    assert owed >= 1_200_000_00
    pokok = koperasi.adart.simpanan_pokok_amount
    proposal = _propose(koperasi, member)
    member = services.approve_exit(proposal, actor=make_user("ketua", koperasi), at=NOW)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAID_OFF and loan.closed_on == EXIT_DAY
    repayment = Repayment.objects.get(loan=loan)
    assert repayment.amount == owed and repayment.is_payoff
    settled = member.settlement
    assert settled["total"] == 3_000_000_00 + pokok
    assert settled["offset"] == owed and settled["paid"] == settled["total"] - owed
    assert settled["obligations"] == [{"kind": "loan", "ref": loan.number, "amount": owed}]
    assert not SavingsAccount.objects.filter(member=member, status="open").exists()
    assert not SavingsAccount.objects.filter(member=member, balance__gt=0).exists()
    # Kas: out the whole savings, in the payoff; net out is the remainder.
    exit_entries = JournalEntry.objects.filter(date=EXIT_DAY)
    cash = {"D": 0, "C": 0}
    for line in JournalLine.objects.filter(entry__in=exit_entries, account__code="1-1100"):
        cash[line.side] += line.amount
    assert cash["C"] - cash["D"] == settled["paid"]
    event = AuditEvent.objects.get(action="savings.exit.settled")
    assert event.summary["offset"] == owed
    results = verification.run_all(koperasi)
    assert all(r.ok for r in results), [(r.name, r.problems) for r in results if not r.ok]


def test_debts_above_the_savings_refuse_the_exit_and_write_nothing(koperasi):
    from kopdes.loans.choices import LoanStatus
    from kopdes.savings.errors import SavingsError

    member, loan = _member_with_loan(koperasi, savings=100_000_00, principal=1_200_000_00)
    proposal = _propose(koperasi, member)
    entries = JournalEntry.objects.count()
    with pytest.raises(SavingsError, match=r"dilunasi|paid first"):
        services.approve_exit(proposal, actor=make_user("ketua", koperasi), at=NOW)
    proposal.refresh_from_db()
    member.refresh_from_db()
    loan.refresh_from_db()
    assert proposal.state == ProposalState.PENDING and member.status == MemberStatus.ACTIVE
    assert loan.status == LoanStatus.ACTIVE and JournalEntry.objects.count() == entries
    assert not AuditEvent.objects.filter(action="savings.exit.settled").exists()


def test_exit_without_loans_still_returns_everything(koperasi):
    from kopdes.savings.testing import voluntary_account

    account = voluntary_account(koperasi, balance=200_000_00)
    proposal = _propose(koperasi, account.member)
    member = services.approve_exit(proposal, actor=make_user("ketua", koperasi), at=NOW)
    assert member.settlement["offset"] == 0
    assert member.settlement["paid"] == member.settlement["total"] > 200_000_00


def test_member_page_previews_the_netting_and_a_short_exit_shows_the_message(client, koperasi):
    member, _loan = _member_with_loan(koperasi, savings=100_000_00, principal=1_200_000_00)
    proposal = _propose(koperasi, member)
    login(client, make_user("ketua", koperasi))
    page = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    html = client.get(page).content.decode()
    assert 'data-testid="exit-settlement"' in html and "harus dibayar dulu" in html
    response = client.post(
        reverse(
            "approvals:approve",
            kwargs={
                "slug": koperasi.slug,
                "approval_kind": "members-exit",
                "approval_item_id": proposal.pk,
            },
        ),
        {"next": page},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page
    assert "Selisih" in response.content.decode() or "selisih" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING
    with pytest.raises(DomainError):
        services.approve_exit(proposal, actor=make_user("ketua", koperasi), at=NOW)


def test_approving_from_the_member_page_shows_what_the_settlement_paid(client, koperasi):
    """The member page (where the ketua returns after approving) says what the exit paid:
    the savings, what went to the loans and the cash handed over."""
    member, _loan = _member_with_loan(koperasi, savings=3_000_000_00, principal=1_200_000_00)
    proposal = _propose(koperasi, member)
    login(client, make_user("ketua", koperasi))
    page = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    assert 'data-testid="exit-settled"' not in client.get(page).content.decode()
    response = client.post(
        reverse(
            "approvals:approve",
            kwargs={
                "slug": koperasi.slug,
                "approval_kind": "members-exit",
                "approval_item_id": proposal.pk,
            },
        ),
        {"next": page},
        follow=True,
    )
    assert response.redirect_chain == [(page, 302)]
    event = AuditEvent.objects.get(action="savings.exit.settled")
    total, offset, paid = (event.summary[k] for k in ("total", "offset", "paid"))
    assert offset > 0 and paid == total - offset
    html = response.content.decode()
    card = html.split('data-testid="exit-settled"', 1)[1].split("</div>", 1)[0]
    assert "Diselesaikan saat keluar" in card and "melunasi pinjaman" in card
    for amount in (total, offset, paid):
        assert format_rupiah(amount) in card


def test_the_settlement_shown_is_the_members_own(koperasi, other_koperasi):
    from kopdes.members import selectors
    from kopdes.savings.testing import voluntary_account

    mine = voluntary_account(koperasi, balance=200_000_00).member
    theirs = voluntary_account(other_koperasi, balance=300_000_00).member
    services.approve_exit(
        _propose(other_koperasi, theirs), actor=make_user("ketua", other_koperasi), at=NOW
    )
    assert selectors.exit_settlement_made(mine) is None
    services.approve_exit(_propose(koperasi, mine), actor=make_user("ketua", koperasi), at=NOW)
    assert selectors.exit_settlement_made(mine)["paid"] > 200_000_00
    assert selectors.exit_settlement_made(theirs)["paid"] > 300_000_00
