"""Months (tutup buku): closing and reopening by maker-checker, in order, and the
year-end closing entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain import ledger as rules
from kopdes.domain.ledger import LineDraft, Side
from kopdes.ledger import chart
from kopdes.ledger.choices import EntryKind, PeriodAction, PeriodStatus
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.models import AccountBalance, JournalEntry, Period, PeriodProposal
from kopdes.ledger.services.common import _is_closed, _lock
from kopdes.ledger.services.entries import post
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import check_decider, reject, settle
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm


def _period_key(year: int, month: int) -> int:
    if not (1900 <= int(year) <= 9999 and 1 <= int(month) <= 12):
        raise LedgerError(_("The month is not valid."), field="period")
    return int(year) * 100 + int(month)


def fiscal_year_end_month(koperasi) -> int:
    """The last month of the koperasi's fiscal year (12 when it starts in January)."""
    return (int(koperasi.fiscal_year_start_month) - 2) % 12 + 1


def _last_day(period: int) -> dt.date:
    year, month = divmod(period, 100)
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def propose_period_change(
    koperasi, *, actor, year: int, month: int, action: str = PeriodAction.CLOSE, reason: str = ""
) -> PeriodProposal:
    """The bendahara proposes closing (tutup buku) or reopening a month.

    Close: every earlier month that has entries must already be closed. Reopen: no later
    month may be closed (reopen from the newest first). The ketua approves.
    """
    roles = require_perm(actor, koperasi, "ledger.propose_close")
    period = _period_key(year, month)
    if action not in PeriodAction.values:
        raise LedgerError(_("Unknown period action."), field="action")
    if action == PeriodAction.REOPEN and not (reason or "").strip():
        raise LedgerError(_("Give the reason for reopening the month."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        _check_period_action(koperasi, period, action)
        if PeriodProposal.objects.filter(
            koperasi=koperasi, period=period, state=ProposalState.PENDING
        ).exists():
            raise LedgerError(_("A proposal for this month is already waiting for approval."))
        proposal = PeriodProposal.objects.create(
            koperasi=koperasi,
            period=period,
            action=action,
            reason=(reason or "").strip()[:500],
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            f"ledger.period.{action}_proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"period": period, "action": action, "reason": proposal.reason},
        )
    return proposal


def propose_period_close(
    koperasi, *, actor, year: int, month: int, reason: str = ""
) -> PeriodProposal:
    return propose_period_change(
        koperasi, actor=actor, year=year, month=month, action=PeriodAction.CLOSE, reason=reason
    )


def propose_period_reopen(koperasi, *, actor, year: int, month: int, reason: str) -> PeriodProposal:
    return propose_period_change(
        koperasi, actor=actor, year=year, month=month, action=PeriodAction.REOPEN, reason=reason
    )


def _check_period_action(koperasi, period: int, action: str) -> None:
    closed = _is_closed(koperasi, period)
    if action == PeriodAction.CLOSE:
        if closed:
            raise LedgerError(_("This month is already closed."))
        if period >= dates.period_of(koperasi.today()):
            # Closing a month still running (or to come) would close every month up to
            # it, today's included: nothing could be posted until it was reopened.
            raise LedgerError(
                _("%(month)s has not ended yet; a month is closed after its last day.")
                % {"month": dates.format_period(period)},
                field="period",
            )
        open_earlier = (
            JournalEntry.objects.filter(koperasi=koperasi, period__lt=period)
            .exclude(
                period__in=Period.objects.filter(
                    koperasi=koperasi, status=PeriodStatus.CLOSED
                ).values("period")
            )
            .order_by("period")
            .values_list("period", flat=True)
            .first()
        )
        if open_earlier is not None:
            raise LedgerError(
                _("Close %(month)02d/%(year)d first: earlier months are closed in order.")
                % {"month": open_earlier % 100, "year": open_earlier // 100}
            )
    else:
        if not closed:
            raise LedgerError(_("This month is not closed."))
        later = (
            Period.objects.filter(koperasi=koperasi, period__gt=period, status=PeriodStatus.CLOSED)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        if later is not None:
            raise LedgerError(
                _("Reopen %(month)02d/%(year)d first: later months are reopened first.")
                % {"month": later % 100, "year": later // 100}
            )


def approve_period_change(proposal: PeriodProposal, *, actor) -> PeriodProposal:
    """The ketua approves closing or reopening a month.

    Closing the last month of the fiscal year first posts the closing entry that moves
    the year's result (pendapatan - beban) to SHU tahun berjalan (3-9000). The maker, an
    officer without ``ledger.approve_close`` and a decided proposal are refused; a month
    that may not change (any more) leaves it pending.
    """
    koperasi = proposal.koperasi
    roles = check_decider(proposal, actor, "ledger.approve_close")
    with transaction.atomic():
        _lock(koperasi)
        proposal = PeriodProposal.objects.select_related("proposed_by").get(pk=proposal.pk)
        settle(proposal, actor=actor, state=ProposalState.APPROVED)
        _check_period_action(koperasi, proposal.period, proposal.action)
        closing = None
        if proposal.action == PeriodAction.CLOSE and proposal.period % 100 == fiscal_year_end_month(
            koperasi
        ):
            closing = _post_year_end_closing(koperasi, actor, proposal)
        status = PeriodStatus.CLOSED if proposal.action == PeriodAction.CLOSE else PeriodStatus.OPEN
        Period.objects.update_or_create(
            koperasi=koperasi,
            period=proposal.period,
            defaults={"status": status, "changed_at": proposal.decided_at},
        )
        if closing is not None:
            proposal.closing_entry = closing
            proposal.save(update_fields=["closing_entry"])
        action = "closed" if proposal.action == PeriodAction.CLOSE else "reopened"
        record(
            f"ledger.period.{action}",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={
                "period": proposal.period,
                "proposed_by": str(proposal.proposed_by),
                "reason": proposal.reason,
                "closing_entry": closing.number if closing else None,
            },
        )
        if proposal.action == PeriodAction.CLOSE:
            # The closed month's heads go outside the database once the close is committed.
            from kopdes.platform.core.anchors import anchor_now

            reason = f"tutup buku {proposal.period // 100:04d}-{proposal.period % 100:02d}"
            transaction.on_commit(lambda: anchor_now(koperasi, reason=reason), robust=True)
    return proposal


def reject_period_change(
    proposal: PeriodProposal, *, actor, reason: str = "", source_address: str = ""
) -> PeriodProposal:
    """The ketua turns the month's close / reopening down; nothing changes. Her ``reason``
    is the proposal's ``decision_note``."""
    note = (reason or "").strip()[:500]
    return reject(
        proposal,
        actor=actor,
        permission="ledger.approve_close",
        note=note,
        action="ledger.period.change_rejected",
        summary={"period": proposal.period, "action": proposal.action, "reason": note},
        source_address=source_address,
    )


def _post_year_end_closing(koperasi, actor, proposal: PeriodProposal) -> JournalEntry | None:
    rows = (
        AccountBalance.objects.filter(
            koperasi=koperasi,
            period__lte=proposal.period,
            account__type__in=[rules.AccountType.REVENUE, rules.AccountType.EXPENSE],
        )
        .values("account__code", "business_unit")
        .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
        .order_by("account__code", "business_unit")
    )
    lines: list[LineDraft] = []
    net_debit = 0  # debit minus credit over all result accounts
    for row in rows:
        net = row["d"] - row["c"]
        if net == 0:
            continue
        net_debit += net
        side = Side.CREDIT if net > 0 else Side.DEBIT
        lines.append(
            LineDraft(
                account=row["account__code"],
                side=side,
                amount=abs(net),
                business_unit=row["business_unit"],
            )
        )
    if not lines:
        return None
    if net_debit:
        # Revenue above expense leaves a net credit -> credit SHU tahun berjalan.
        side = Side.DEBIT if net_debit > 0 else Side.CREDIT
        lines.append(LineDraft(account=chart.SHU_CURRENT_YEAR, side=side, amount=abs(net_debit)))
    year, month = divmod(proposal.period, 100)
    return post(
        koperasi,
        actor=actor,
        date=_last_day(proposal.period),
        memo=book_text(
            koperasi,
            gettext_lazy(
                "Closing entry of the fiscal year %(month)s: results to the SHU of the year"
            ),
            month=f"{month:02d}/{year}",
        ),
        lines=lines,
        idempotency_key=f"closing:{proposal.pk}",
        source="ledger.closing",
        source_ref=str(proposal.period),
        kind=EntryKind.CLOSING,
    )
