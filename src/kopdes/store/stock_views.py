"""The store's stock pages under /k/<slug>/toko/: stock opname (list, start, the count
sheet, submit; the decision is the approvals inbox's), transfers between units, the
low-stock list and the stock valuation (page, XLSX, PDF). Thin: parse, call one service
or selector, render."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.domain.money import format_rupiah
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.errors import DomainError
from kopdes.platform.documents.pdf import pdf_response
from kopdes.platform.documents.xlsx import xlsx_response
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import selectors, valuation
from kopdes.store.models import BusinessUnit, Item, StockCount, StockMovement
from kopdes.store.services import stock_count as counts
from kopdes.store.services.stock_count import shown_quantity
from kopdes.store.services.transfers import transfer_stock

SHEET_PAGE = 30  # items per page of the count sheet (a phone scrolls; search narrows)


def _address(request) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


def _goods_units(koperasi) -> list[BusinessUnit]:
    return [u for u in selectors.list_business_units(koperasi, active_only=True) if u.sells_goods]


def _unit(koperasi, kind: str) -> BusinessUnit | None:
    units = _goods_units(koperasi)
    return next((u for u in units if u.kind == kind), units[0] if units else None)


def _get_count(koperasi, count_id) -> StockCount:
    count = (
        StockCount.objects.filter(koperasi=koperasi, pk=count_id)
        .select_related("business_unit", "proposed_by", "decided_by", "entry", "koperasi")
        .first()
    )
    if count is None:
        raise Http404
    return count


# --- stock opname ------------------------------------------------------------------------


@koperasi_view("store.view")
def stock_count_list(request: KoperasiRequest):
    koperasi = request.koperasi
    found = StockCount.objects.filter(koperasi=koperasi).select_related(
        "business_unit", "proposed_by"
    )
    return render(
        request,
        "store/stock_count_list.html",
        {
            "koperasi": koperasi,
            "counts": [
                {
                    "c": c,
                    "shortage": format_rupiah(c.shortage_value),
                    "surplus": format_rupiah(c.surplus_value),
                }
                for c in found.order_by("-number")[:100]
            ],
            "units": _goods_units(koperasi),
            "may_count": has_perm(request.roles, counts.COUNT),
        },
    )


@require_POST
@koperasi_view(counts.COUNT)
def stock_count_start(request: KoperasiRequest):
    koperasi = request.koperasi
    unit = next((u for u in _goods_units(koperasi) if u.kind == request.POST.get("unit", "")), None)
    if unit is None:
        messages.error(request, _("Choose a business unit that sells goods."))
        return redirect("store:stock-count-list", slug=koperasi.slug)
    try:
        count = counts.start_count(
            koperasi, actor=request.user, business_unit=unit, source_address=_address(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("store:stock-count-list", slug=koperasi.slug)
    messages.success(
        request,
        _("%(count)s of %(unit)s started: count every item.") % {"count": count, "unit": unit.name},
    )
    return redirect("store:stock-count", slug=koperasi.slug, stock_count_id=count.pk)


def _sheet_lines(count: StockCount, query: str, todo: bool):
    lines = count.lines.select_related("item", "item__category").order_by("item__name")
    if query:
        lines = lines.filter(
            item__in=selectors.list_items(count.koperasi, query=query).values("pk")
        )
    if todo:
        lines = lines.filter(counted__isnull=True)
    return lines


def _sheet_url(request, count, query: str, todo: bool, page) -> str:
    url = reverse(
        "store:stock-count", kwargs={"slug": request.koperasi.slug, "stock_count_id": count.pk}
    )
    params = []
    if query:
        params.append(f"q={quote(query)}")
    if todo:
        params.append("belum=1")
    if page and str(page) != "1":
        params.append(f"page={int(page)}")
    return url + ("?" + "&".join(params) if params else "")


@koperasi_view("store.view")
def stock_count(request: KoperasiRequest, stock_count_id):
    """A count being counted: the count sheet (for officers with ``store.count_stock``);
    submitted or decided: its differences, with the decide buttons for the checker."""
    koperasi = request.koperasi
    count = _get_count(koperasi, stock_count_id)
    may_count = has_perm(request.roles, counts.COUNT)
    counting = count.state == ProposalState.PENDING and not count.is_submitted
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "")[:100].strip()
    todo = source.get("belum", "") == "1"
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not (counting and may_count):
            messages.error(request, _("You are not allowed to do this in this koperasi."))
            return redirect("store:stock-count", slug=koperasi.slug, stock_count_id=count.pk)
        typed = {
            key[2:]: value[:20]
            for key, value in request.POST.items()
            if key.startswith("c-") and len(key) < 60
        }
        try:
            saved = counts.save_counts(
                count, actor=request.user, counts=typed, source_address=_address(request)
            )
        except DomainError as exc:
            for field, message in getattr(exc, "errors", None) or [(exc.field, exc.message)]:
                if (field or "").startswith("line-"):
                    errors[field[5:]] = message
                else:
                    messages.error(request, message)
            if errors:
                messages.error(request, _("Check the counts marked below; nothing was saved."))
        else:
            if saved:
                messages.success(request, _("%(n)d count(s) saved.") % {"n": saved})
            else:
                messages.info(request, _("Nothing new to save."))
            return redirect(_sheet_url(request, count, query, todo, source.get("page")))
    context = {
        "koperasi": koperasi,
        "count": count,
        "counting": counting,
        "may_count": may_count,
        "query": query,
        "todo": todo,
    }
    if counting:
        page = Paginator(_sheet_lines(count, query, todo), SHEET_PAGE).get_page(source.get("page"))
        context["page"] = page
        context["rows"] = [
            {
                "line": line,
                "value": typed.get(str(line.pk))
                if str(line.pk) in typed
                else ("" if line.counted is None else shown_quantity(line.item, line.counted)),
                "error": errors.get(str(line.pk), ""),
            }
            for line in page
        ]
        total = count.lines.count()
        done = count.lines.filter(counted__isnull=False).count()
        context.update(total=total, done=done, left=total - done)
        return render(request, "store/stock_count_sheet.html", context)
    found = counts.differences(count) if count.state == ProposalState.PENDING else []
    if count.state == ProposalState.APPROVED:
        rows = [
            {
                "item": line.item,
                "snapshot": shown_quantity(line.item, line.snapshot_quantity),
                "counted": shown_quantity(line.item, line.counted or 0),
                "difference": _signed(
                    shown_quantity(line.item, abs(line.difference or 0)), line.difference or 0
                ),
                "value": _signed(format_rupiah(abs(line.difference_value)), line.difference_value),
            }
            for line in count.lines.select_related("item").order_by("item__name")
            if line.difference
        ]
    else:
        rows = [
            {
                "item": d.line.item,
                "snapshot": shown_quantity(d.line.item, d.line.snapshot_quantity),
                "counted": shown_quantity(d.line.item, d.line.counted or 0),
                "difference": _signed(shown_quantity(d.line.item, abs(d.quantity)), d.quantity),
                "value": _signed(format_rupiah(abs(d.value or 0)), d.value or 0),
            }
            for d in found
        ]
    context.update(
        rows=rows,
        shortage=format_rupiah(count.shortage_value),
        surplus=format_rupiah(count.surplus_value),
        may_decide=(
            count.state == ProposalState.PENDING
            and has_perm(request.roles, counts.APPROVE)
            and count.proposed_by_id != request.user.pk
            and not count.lines.filter(counted_by=request.user).exists()
        ),
    )
    return render(request, "store/stock_count_detail.html", context)


def _signed(text: str, n: int) -> str:
    return f"+{text}" if n > 0 else (f"−{text}" if n < 0 else text)


@require_POST
@koperasi_view(counts.COUNT)
def stock_count_submit(request: KoperasiRequest, stock_count_id):
    koperasi = request.koperasi
    count = _get_count(koperasi, stock_count_id)
    try:
        counts.submit_count(
            count,
            actor=request.user,
            reason=request.POST.get("reason", "")[:300],
            source_address=_address(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(count)s submitted: another officer approves it.") % {"count": count}
        )
    return redirect("store:stock-count", slug=koperasi.slug, stock_count_id=count.pk)


@require_POST
@koperasi_view(counts.COUNT)
def stock_count_cancel(request: KoperasiRequest, stock_count_id):
    koperasi = request.koperasi
    count = _get_count(koperasi, stock_count_id)
    try:
        counts.cancel_count(count, actor=request.user, source_address=_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("store:stock-count", slug=koperasi.slug, stock_count_id=count.pk)
    messages.success(request, _("%(count)s cancelled.") % {"count": count})
    return redirect("store:stock-count-list", slug=koperasi.slug)


# --- transfers -----------------------------------------------------------------------------


def _item_choices(koperasi) -> list[Item]:
    return list(
        Item.objects.filter(
            koperasi=koperasi,
            is_service=False,
            is_active=True,
            business_unit__is_active=True,
            business_unit__inventory_account__gt="",
        )
        .select_related("business_unit")
        .order_by("business_unit__kind", "name")[:2000]
    )


@koperasi_view("store.view")
def transfer(request: KoperasiRequest):
    koperasi = request.koperasi
    may = has_perm(request.roles, "store.transfer")
    items = _item_choices(koperasi) if may else []
    by_id = {str(i.pk): i for i in items}
    data = {"item": "", "to_item": "", "quantity": "", "memo": "", "key": str(uuid.uuid4())}
    error = ""
    if request.method == "POST":
        if not may:
            messages.error(request, _("You are not allowed to do this in this koperasi."))
            return redirect("store:transfer", slug=koperasi.slug)
        data = {k: request.POST.get(k, "")[:200] for k in data}
        item, to_item = by_id.get(data["item"]), by_id.get(data["to_item"])
        if item is None or to_item is None:
            error = _("Choose the item to move and the item of the other unit it goes to.")
        else:
            try:
                done = transfer_stock(
                    koperasi,
                    actor=request.user,
                    item=item,
                    to_item=to_item,
                    quantity=data["quantity"].strip()[:20],
                    idempotency_key=data["key"] or str(uuid.uuid4()),
                    memo=data["memo"],
                    source_address=_address(request),
                )
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("%(qty)s %(unit)s of %(item)s moved to %(target)s (%(value)s).")
                    % {
                        "qty": shown_quantity(item, done.out.quantity),
                        "unit": item.get_base_unit_display(),
                        "item": item.name,
                        "target": to_item.business_unit.name,
                        "value": format_rupiah(done.out.value),
                    },
                )
                return redirect("store:transfer", slug=koperasi.slug)
    recent = (
        StockMovement.objects.filter(koperasi=koperasi, kind="transfer_out")
        .select_related("item", "business_unit")
        .order_by("-created_at", "-id")[:30]
    )
    return render(
        request,
        "store/transfer.html",
        {
            "koperasi": koperasi,
            "may_transfer": may,
            "items": items,
            "data": data,
            "error": error,
            "recent": [
                {
                    "movement": m,
                    "quantity": shown_quantity(m.item, m.quantity),
                    "value": format_rupiah(m.value),
                }
                for m in recent
            ],
        },
    )


# --- low stock and valuation ---------------------------------------------------------------

# Where an item below its minimum is bought again: the purchasing app's new order (its
# goods are received from the order), when the project has it.
RESTOCK_URLS = ("purchasing:order-create",)


def restock_url(koperasi, item: Item) -> str:
    for name in RESTOCK_URLS:
        try:
            return reverse(name, kwargs={"slug": koperasi.slug}) + f"?barang={item.pk}"
        except NoReverseMatch:
            continue
    return ""


@koperasi_view("store.view")
def low_stock(request: KoperasiRequest):
    koperasi = request.koperasi
    units = _goods_units(koperasi)
    unit = _unit(koperasi, request.GET.get("unit", ""))
    rows = valuation.low_stock(unit) if unit else []
    return render(
        request,
        "store/low_stock.html",
        {
            "koperasi": koperasi,
            "units": units,
            "unit": unit,
            "rows": [
                {
                    "row": r,
                    "on_hand": valuation.shown(r.on_hand),
                    "minimum": valuation.shown(r.minimum),
                    "short": valuation.shown(r.short),
                    "restock": restock_url(koperasi, r.item),
                }
                for r in rows
            ],
        },
    )


@koperasi_view("store.view")
def stock_valuation(request: KoperasiRequest):
    koperasi = request.koperasi
    units = _goods_units(koperasi)
    unit = _unit(koperasi, request.GET.get("unit", ""))
    if unit is None:
        return render(
            request,
            "store/valuation.html",
            {"koperasi": koperasi, "units": units, "unit": None},
        )
    v = valuation.valuation(unit)
    as_of = koperasi.today().strftime("%d-%m-%Y")
    name = f"nilai-stok-{koperasi.slug}-{unit.kind}-{koperasi.today():%Y-%m-%d}"
    wanted = request.GET.get("format", "")
    if wanted == "xlsx":
        return xlsx_response(valuation.workbook(v, as_of=as_of), f"{name}.xlsx")
    if wanted == "pdf":
        return pdf_response(
            "store/valuation_pdf.html", valuation.pdf_context(v, as_of=as_of), f"{name}.pdf"
        )
    context = valuation.pdf_context(v, as_of=as_of)
    context.update(units=units, unit=unit)
    return render(request, "store/valuation.html", context)
