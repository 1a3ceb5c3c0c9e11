"""Helpers every ledger service shares: the koperasi's ledger lock, journal lines from
dicts and the business-date check. (The maker-checker's "someone else decides" and
"already decided" are the one ``platform.approvals.services``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kopdes.domain import dates
from kopdes.domain.ledger import LineDraft, Side
from kopdes.ledger import selectors
from kopdes.ledger.choices import PeriodStatus
from kopdes.ledger.errors import LedgerError
from kopdes.ledger.models import Period
from kopdes.ledger.posting import lock_name
from kopdes.platform.audit.services import record
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import roles_for

__all__ = ["lock_name"]


MAX_KEY_LENGTH = 200


def _lock(koperasi) -> None:
    lock_chain(lock_name(koperasi))


def _as_line(line: LineDraft | Mapping[str, Any]) -> LineDraft:
    if isinstance(line, LineDraft):
        return line
    try:
        return LineDraft(
            account=str(line["account"]),
            side=Side(line["side"]),
            amount=line["amount"],
            subledger_kind=str(line.get("subledger_kind", "") or ""),
            subledger_ref=str(line.get("subledger_ref", "") or ""),
            business_unit=str(line.get("business_unit", "") or ""),
            memo=str(line.get("memo", "") or ""),
        )
    except (KeyError, ValueError) as exc:
        raise LedgerError(
            _("A journal line is incomplete or has an unknown side."), field="lines"
        ) from exc


def _with_unit(line: LineDraft, business_unit: str) -> LineDraft:
    if line.business_unit or not business_unit:
        return line
    return LineDraft(
        account=line.account,
        side=line.side,
        amount=line.amount,
        subledger_kind=line.subledger_kind,
        subledger_ref=line.subledger_ref,
        business_unit=business_unit,
        memo=line.memo,
    )


_UNREAD: Any = object()


def check_business_date(
    koperasi,
    day: Any,
    *,
    opened_on: dt.date | None = None,
    opened_what: str = "rekening dibuka",
    last_closed_period: Any = _UNREAD,
    today: dt.date | None = None,
) -> dt.date:
    """The one service-level check of a business date (``domain.dates``): from the later of
    the koperasi's books start and ``opened_on`` (the account's or loan's opening), up to
    today in the koperasi's time zone, never in a closed month (nor before the newest
    closed one). ``post`` and ``post_many`` run it for every entry; modules call it to
    refuse early and to add their own opening bound. Raises ``LedgerError`` (field
    "date", Indonesian message)."""
    if last_closed_period is _UNREAD:
        last_closed_period = selectors.last_closed_period(koperasi)
    try:
        return dates.check_business_date(
            day,
            today=today or koperasi.today(),
            books_start=koperasi.books_start,
            opened_on=opened_on,
            opened_what=opened_what,
            last_closed_period=last_closed_period,
        )
    except dates.BusinessDateError as exc:
        raise LedgerError(exc.message, field=exc.field) from exc


def move_books_start(koperasi, *, actor, date: dt.date) -> bool:
    """Opening balances dated before the books start move it to the first day of their
    month (the books then start with the opening balances). Runs in the caller's
    transaction, after its permission check; returns whether it moved. A date in the
    future, outside the sane range or at/before a closed month is refused
    (``LedgerError``)."""
    from kopdes.platform.tenancy.models import Koperasi

    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise LedgerError(_("The date is not valid."), field="date")
    start = max(dates.month_start(date), dates.MIN_DATE)
    if start >= koperasi.books_start:
        return False
    # The opening's own date must be one the books accept once they start there.
    try:
        dates.check_business_date(
            date,
            today=koperasi.today(),
            books_start=start,
            last_closed_period=selectors.last_closed_period(koperasi),
        )
    except dates.BusinessDateError as exc:
        raise LedgerError(exc.message, field=exc.field) from exc
    before = koperasi.books_start
    Koperasi.objects.filter(pk=koperasi.pk).update(books_start=start)
    koperasi.books_start = start
    record(
        "ledger.books_start.moved",
        actor=actor,
        koperasi=koperasi,
        role=role_label(roles_for(actor, koperasi)) if actor is not None else "system",
        object_type="tenancy.koperasi",
        object_id=str(koperasi.pk),
        summary={"before": before.isoformat(), "after": start.isoformat()},
    )
    return True


def _is_closed(koperasi, period: int) -> bool:
    return Period.objects.filter(
        koperasi=koperasi, period=period, status=PeriodStatus.CLOSED
    ).exists()
