"""Cash shifts: a kasir opens a shift at her till with a float, her sales are linked to it,
and she closes it with the counted cash. The pure rules are ``domain.shift``:

expected = float + cash sales (tendered less change) - cash refunds of approved voids
           and returns + other cash in - other cash out (``CASH_SOURCES``: bon repaid
           in cash at her till; other apps register theirs)

The difference (selisih kas = counted - expected) is posted when the shift closes: a
shortage (kas kurang) debits Beban lain-lain 5-9000 against the drawer's Kas, a surplus
(kas lebih) credits Pendapatan lain-lain 4-9000 (DOMAIN.md: other income and expense sit
outside the units' operating result), ``business_unit`` the drawer's unit. The float itself
is cash already in that Kas (moved from the safe to the drawer), so opening posts nothing.

Opening and closing hold the koperasi's ledger lock, the lock every checkout takes: a sale
is either in the shift's figures when it closes, or rung up after it (and then in none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import shift as rules
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.store.errors import StoreError
from kopdes.store.models import (
    BonRepayment,
    BusinessUnit,
    CashShift,
    Sale,
    SalePayment,
    SaleReturn,
    ShiftState,
)
from kopdes.store.services._common import _role, _text
from kopdes.store.services.stock import as_store_errors

PERMISSION = "store.shift"
VIEW_PERMISSION = "store.view_shifts"
TILL_MAX = 40


def open_shift_of(koperasi, user) -> CashShift | None:
    """The user's open shift in ``koperasi`` (at most one: the database says so)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        CashShift.objects.filter(koperasi=koperasi, cashier=user, state=ShiftState.OPEN)
        .select_related("business_unit")
        .first()
    )


def _drawer_unit(koperasi, kind: str | None) -> BusinessUnit:
    units = BusinessUnit.objects.filter(koperasi=koperasi, is_active=True)
    if kind:
        found = units.filter(kind=kind).first()
    else:  # the gerai's till by default, else the first running unit
        found = units.filter(kind="sembako").first() or units.order_by("kind").first()
    if found is None:
        raise StoreError(
            _("No business unit is running: switch one on before opening a shift."),
            field="business_unit",
        )
    return found


def open_shift(
    koperasi,
    *,
    actor,
    till: str,
    opening_float,
    business_unit: str | None = None,
    at: dt.datetime | None = None,
) -> CashShift:
    """Open the actor's shift at ``till`` with ``opening_float`` sen in the drawer.

    Refused (``StoreError``, nothing written): she has a shift open already, the till has
    one open (another cashier's), an empty or too long till name, a float that is not a
    whole amount of zero or more, no running business unit."""
    role = _role(actor, koperasi, PERMISSION)
    errors: list[tuple[str, str]] = []
    name = _text({"till": till}, "till", label=_("Till"), max_length=TILL_MAX, required=True,
                 errors=errors)  # fmt: skip
    if errors:
        raise StoreError(errors[0][1], field="till")
    unit = _drawer_unit(koperasi, business_unit)
    with transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        try:
            amount = rules.check_can_open(
                has_open_shift=open_shift_of(koperasi, actor) is not None,
                opening_float=opening_float,
            )
        except rules.ShiftError as exc:
            raise StoreError(exc.message, field=exc.field or "opening_float") from exc
        taken = (
            CashShift.objects.filter(koperasi=koperasi, till__iexact=name, state=ShiftState.OPEN)
            .select_related("cashier")
            .first()
        )
        if taken is not None:
            raise StoreError(
                _("Till %(till)s already has an open shift (%(cashier)s): it must be closed first.")
                % {"till": taken.till, "cashier": taken.cashier},
                field="till",
            )
        try:
            with transaction.atomic():
                shift = CashShift.objects.create(
                    koperasi=koperasi,
                    cashier=actor,
                    till=name,
                    business_unit=unit,
                    opening_float=amount,
                    opened_at=at or timezone.now(),
                )
        except IntegrityError as exc:  # a race the lock did not see (another database)
            raise StoreError(
                _("A shift is already open for this cashier or till."), field="till"
            ) from exc
        record(
            "store.shift.opened",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=shift,
            summary={"till": name, "opening_float": amount, "unit": unit.kind},
        )
    return shift


def in_shift_window(qs, shift: CashShift, *, by: str = "created_by", at: str = "created_at"):
    """``qs`` narrowed to rows made by the shift's cashier while it was open (a cashier has
    one open shift at a time, so the time window is the shift)."""
    qs = qs.filter(**{f"{by}_id": shift.cashier_id, f"{at}__gte": shift.opened_at})
    if shift.closed_at is not None:
        qs = qs.filter(**{f"{at}__lte": shift.closed_at})
    return qs


def _bon_repaid(shift: CashShift) -> tuple[int, int]:
    """Bon repaid in cash at her till while the shift was open."""
    qs = in_shift_window(BonRepayment.objects.filter(koperasi_id=shift.koperasi_id), shift)
    return qs.aggregate(t=Sum("amount"))["t"] or 0, 0


# Other cash into or out of a till besides sales and refunds: each ``source(shift)``
# returns ``(cash_in, cash_out)`` sen of that drawer (``in_shift_window`` helps). An app
# whose counter takes or pays cash (a member's harvest paid out at the counter...)
# appends its source from its ``ready()``.
CashSource = Callable[[CashShift], tuple[int, int]]
CASH_SOURCES: list[CashSource] = [_bon_repaid]


def register_cash_source(source: CashSource) -> CashSource:
    if source not in CASH_SOURCES:
        CASH_SOURCES.append(source)
    return source


def shift_figures(shift: CashShift) -> dict[str, int]:
    """What the drawer should hold now: the float, the cash its sales kept (tendered less
    change), the cash refunded from it, the expected cash and how many sales."""
    sales = Sale.objects.filter(koperasi_id=shift.koperasi_id, shift=shift)
    got = sales.aggregate(tendered=Sum("cash_tendered"), change=Sum("change"))
    cash = (
        SalePayment.objects.filter(
            koperasi_id=shift.koperasi_id, sale__shift=shift, method="cash"
        ).aggregate(t=Sum("amount"))["t"]
        or 0
    )
    refunds = (
        SaleReturn.objects.filter(
            koperasi_id=shift.koperasi_id, shift=shift, state=ProposalState.APPROVED
        ).aggregate(t=Sum("cash_refund"))["t"]
        or 0
    )
    cash_in = cash_out = 0
    for source in CASH_SOURCES:
        got_in, got_out = source(shift)
        cash_in, cash_out = cash_in + got_in, cash_out + got_out
    try:
        expected = rules.expected_cash(
            opening_float=shift.opening_float, cash_sales=cash, cash_in=cash_in,
            cash_out=cash_out, cash_refunds=refunds,
        )  # fmt: skip
    except rules.ShiftError as exc:
        raise StoreError(exc.message, field="counted") from exc
    return {
        "opening_float": shift.opening_float,
        "cash_sales": cash,
        "cash_tendered": got["tendered"] or 0,
        "change": got["change"] or 0,
        "cash_refunds": refunds,
        "cash_in": cash_in,
        "cash_out": cash_out,
        "expected": expected,
        "sales": sales.count(),
    }


def close_shift(shift: CashShift, *, actor, counted, at: dt.datetime | None = None) -> CashShift:
    """Close ``shift`` with ``counted`` sen found in the drawer: the expected cash, the
    difference, its entry (none when the count agrees), audited ``store.shift.closed``.

    Her own shift, or any shift for an officer who also oversees shifts (the manajer, when
    a kasir went home without closing). Refused, nothing written: a shift closed already
    ("Shift ini sudah ditutup."), a count that is not a whole amount of zero or more."""
    koperasi = shift.koperasi
    roles = require_perm(actor, koperasi, PERMISSION)
    role = role_label(roles, PERMISSION)
    if shift.cashier_id != actor.pk and not has_perm(roles, VIEW_PERMISSION):
        raise StoreError(_("Only the cashier of this shift may close it."), field="shift")
    with as_store_errors(), transaction.atomic():
        lock_chain(ledger.lock_name(koperasi))
        row = (
            CashShift.objects.select_for_update()
            .select_related("business_unit")
            .get(koperasi=koperasi, pk=shift.pk)
        )
        figures = shift_figures(row)
        try:
            result = rules.close_shift(row.state, expected=figures["expected"], counted=counted)
        except rules.ShiftError as exc:
            raise StoreError(exc.message, field="counted", code=exc.code) from exc
        unit = row.business_unit
        entry = None
        if result.amount:
            over = result.selisih is rules.Selisih.OVER
            kas, counter = (
                (LineDraft.debit, LineDraft.credit) if over else (LineDraft.credit, LineDraft.debit)
            )
            other = chart.OTHER_INCOME_ACCOUNT if over else chart.OTHER_EXPENSE_ACCOUNT
            text = (
                _("Cash over, shift %(till)s (%(cashier)s)")
                if over
                else _("Cash short, shift %(till)s (%(cashier)s)")
            )
            entry = ledger.post(
                koperasi,
                actor=actor,
                date=koperasi.today(),
                memo=(text % {"till": row.till, "cashier": row.cashier})[:200],
                lines=[kas(unit.cash_account, result.amount), counter(other, result.amount)],
                idempotency_key=f"store.shift:{row.pk}",
                source="store.shift",
                source_ref=str(row.pk),
                business_unit=unit.ledger_unit,
                audited_by_caller=True,
            )
        now = at or timezone.now()
        updated = CashShift.objects.filter(pk=row.pk, state=ShiftState.OPEN).update(
            state=ShiftState.CLOSED,
            closed_at=now,
            closed_by=actor,
            cash_sales=figures["cash_sales"],
            cash_tendered=figures["cash_tendered"],
            change=figures["change"],
            cash_refunds=figures["cash_refunds"],
            expected=result.expected,
            counted=result.counted,
            difference=result.difference,
            entry=entry,
        )
        if not updated:  # unreachable under the lock; never close twice whatever happens
            raise StoreError(_("This shift has already been closed."), code="closed")
        record(
            "store.shift.closed",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=row,
            summary={
                "till": row.till,
                "expected": result.expected,
                "counted": result.counted,
                "difference": result.difference,
                "selisih": result.selisih.value,
                "entry": entry.number if entry else None,
            },
        )
    row.refresh_from_db()
    return row
