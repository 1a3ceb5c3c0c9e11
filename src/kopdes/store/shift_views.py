"""Cash shift pages: open a shift at the till (``store:shift``), close it with the counted
cash after a terbilang confirmation (``store:shift-close``), and the list of shifts with
their differences for the pengawas (``store:shift-list``). Thin: parse, one service call."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kopdes.domain.money import MoneyError, format_rupiah, parse_rupiah, terbilang
from kopdes.domain.shift import Selisih
from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import services
from kopdes.store.models import CashShift, ShiftState
from kopdes.store.selectors import _get

DEFAULT_TILL = "Kasir 1"


def _selisih(difference: int) -> str:
    if difference > 0:
        return Selisih.OVER.label
    if difference < 0:
        return Selisih.SHORT.label
    return Selisih.NONE.label


def _figures_text(figures: dict[str, int]) -> dict[str, str]:
    return {k: format_rupiah(v) for k, v in figures.items() if k != "sales"}


@koperasi_view("store.shift")
def shift(request: KoperasiRequest):
    """Her shift: the open form when she has none, else its running figures."""
    current = services.open_shift_of(request.koperasi, request.user)
    error = ""
    till = request.POST.get("till", DEFAULT_TILL)[:100] if request.method == "POST" else ""
    float_text = request.POST.get("opening_float", "")[:40] if request.method == "POST" else ""
    if request.method == "POST" and current is None:
        try:
            amount = parse_rupiah(float_text) if float_text.strip() else 0
            opened = services.open_shift(
                request.koperasi, actor=request.user, till=till, opening_float=amount
            )
        except MoneyError as exc:
            error = str(exc)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Shift opened at %(till)s with a float of %(amount)s.")
                % {"till": opened.till, "amount": format_rupiah(opened.opening_float)},
            )
            return redirect("store:pos", slug=request.koperasi.slug)
    figures = services.shift_figures(current) if current is not None else None
    recent = CashShift.objects.filter(
        koperasi=request.koperasi, cashier=request.user, state=ShiftState.CLOSED
    ).order_by("-closed_at")[:5]
    return render(
        request,
        "store/shift.html",
        {
            "koperasi": request.koperasi,
            "current": current,
            "figures": _figures_text(figures) if figures else None,
            "sales": figures["sales"] if figures else 0,
            "till": till or DEFAULT_TILL,
            "opening_float": float_text,
            "error": error,
            "recent": [
                {
                    "shift": s,
                    "difference": format_rupiah(s.difference),
                    "selisih": _selisih(s.difference),
                }
                for s in recent
            ],
            "may_view_all": has_perm(request.roles, "store.view_shifts"),
        },
    )


def _closable(request, shift_id) -> CashShift:
    found = _get(
        CashShift.objects.filter(koperasi=request.koperasi).select_related("cashier"), shift_id
    )
    if found.cashier_id != request.user.pk and not has_perm(request.roles, "store.view_shifts"):
        raise Http404
    return found


@koperasi_view("store.shift")
def shift_close(request: KoperasiRequest, shift_id):
    """Count the drawer: "check" shows the count in words and the difference; "confirm"
    closes the shift and posts the difference."""
    row = _closable(request, shift_id)
    error = ""
    counted_text = request.POST.get("counted", "")[:40] if request.method == "POST" else ""
    counted = None
    if request.method == "POST":
        try:
            counted = parse_rupiah(counted_text)
        except MoneyError as exc:
            error = str(exc)
    if request.method == "POST" and request.POST.get("action") == "confirm" and not error:
        try:
            closed = services.close_shift(row, actor=request.user, counted=counted)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _(
                    "Shift closed. Expected %(expected)s, counted %(counted)s, "
                    "difference %(diff)s (%(label)s)."
                )
                % {
                    "expected": format_rupiah(closed.expected),
                    "counted": format_rupiah(closed.counted),
                    "diff": format_rupiah(closed.difference),
                    "label": _selisih(closed.difference),
                },
            )  # fmt: skip
            return redirect("store:shift", slug=request.koperasi.slug)
    figures = None
    if row.is_open:
        try:
            figures = services.shift_figures(row)
        except DomainError as exc:
            error = error or exc.message
    elif not error:
        error = _("This shift has already been closed.")
    review = None
    if figures and counted is not None and not error:
        difference = counted - figures["expected"]
        review = {
            "counted": format_rupiah(counted),
            "words": terbilang(counted),
            "difference": format_rupiah(difference),
            "selisih": _selisih(difference),
        }
    return render(
        request,
        "store/shift_close.html",
        {
            "koperasi": request.koperasi,
            "shift": row,
            "figures": _figures_text(figures) if figures else None,
            "sales": figures["sales"] if figures else 0,
            "counted": counted_text,
            "review": review,
            "error": error,
        },
    )


@koperasi_view("store.view_shifts")
def shift_list(request: KoperasiRequest):
    """Every shift with its difference (selisih kas), newest first: the pengawas's view."""
    qs = (
        CashShift.objects.filter(koperasi=request.koperasi)
        .select_related("cashier", "entry", "business_unit")
        .order_by("-opened_at")
    )
    only = request.GET.get("selisih", "")
    if only == "yes":
        qs = qs.exclude(difference=0)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = []
    for s in page:
        figures = None
        if s.is_open:
            try:
                figures = services.shift_figures(s)
            except DomainError:
                figures = None
        rows.append(
            {
                "shift": s,
                "opening_float": format_rupiah(s.opening_float),
                "cash_sales": format_rupiah(figures["cash_sales"] if figures else s.cash_sales),
                "cash_refunds": format_rupiah(
                    figures["cash_refunds"] if figures else s.cash_refunds
                ),
                "expected": format_rupiah(figures["expected"] if figures else s.expected),
                "counted": format_rupiah(s.counted) if s.counted is not None else "",
                "difference": format_rupiah(s.difference),
                "selisih": _selisih(s.difference),
                "short": s.difference < 0,
            }
        )
    return render(
        request,
        "store/shift_list.html",
        {"koperasi": request.koperasi, "rows": rows, "page": page, "only": only},
    )
