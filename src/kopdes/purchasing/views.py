"""Purchasing's pages (``/k/<slug>/toko/pembelian/``). Thin: parse, call one service or
selector, render. Money moves only after a confirmation page that shows the amount in
words; each form carries its idempotency key (made when the form is first shown), so a
resent confirmation posts once. A refusal is shown in Bahasa Indonesia, nothing written."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.domain import harvest as rules
from kopdes.domain.money import MoneyError, format_rupiah, parse_rupiah, terbilang
from kopdes.domain.units import Unit
from kopdes.members.selectors import get_member_by_number
from kopdes.platform.core.dates import INVALID_MESSAGE, parse_date_input
from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.purchasing import selectors, services
from kopdes.purchasing.models import OrderStatus
from kopdes.purchasing.services.receipts import line_cost
from kopdes.store import selectors as store_selectors
from kopdes.store.choices import UnitKind
from kopdes.store.models import Item
from kopdes.store.services.stock import stock_quantity

FORM_LINES = 6
UNITS = [u.value for u in Unit]


def _may(request, code: str) -> bool:
    return has_perm(request.roles, code)


def _key(request) -> str:
    """The form's idempotency key: the one posted back, or a new one for a new form."""
    posted = request.POST.get("key", "").strip()[:100]
    return posted or str(uuid.uuid4())


def _messages_of(exc: DomainError) -> list[str]:
    return [m for _f, m in getattr(exc, "errors", None) or [(exc.field, exc.message)]]


def _money(text: str, errors: list[str], label: str) -> int:
    try:
        return parse_rupiah(text or "")
    except MoneyError as exc:
        errors.append(f"{label}: {exc}")
        return 0


def _date(text: str, default: dt.date, errors: list[str]) -> dt.date:
    if not (text or "").strip():
        return default
    try:
        return parse_date_input(text)
    except ValueError:
        errors.append(str(INVALID_MESSAGE))
        return default


# --- orders ------------------------------------------------------------------------------------


@koperasi_view("purchasing.view")
def order_list(request: KoperasiRequest):
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    return render(
        request,
        "purchasing/order_list.html",
        {
            "koperasi": request.koperasi,
            "orders": selectors.list_orders(request.koperasi, status=status)[:200],
            "status": status,
            "statuses": OrderStatus.choices,
            "may_order": _may(request, "purchasing.order"),
            "may_harvest": _may(request, "purchasing.buy_harvest"),
        },
    )


def _goods(koperasi):
    return (
        Item.objects.filter(koperasi=koperasi, is_active=True, is_service=False)
        .exclude(business_unit__kind=UnitKind.HASIL_BUMI)
        .select_related("business_unit")
        .order_by("name")[:500]
    )


@koperasi_view("purchasing.order")
def order_create(request: KoperasiRequest):
    koperasi = request.koperasi
    errors: list[str] = []
    rows = []
    for n in range(FORM_LINES):
        get = request.POST.get if request.method == "POST" else (lambda _k, d="": d)
        rows.append(
            {
                "n": n,
                "item": get(f"item-{n}", ""),
                "quantity": get(f"quantity-{n}", ""),
                "unit": get(f"unit-{n}", ""),
                "price": get(f"price-{n}", ""),
            }
        )
    if request.method == "POST":
        lines = []
        for row in rows:
            if not row["item"] and not row["quantity"].strip():
                continue
            price = _money(row["price"], errors, _("Line %(n)d") % {"n": row["n"] + 1})
            lines.append(
                {"item": row["item"], "quantity": row["quantity"], "unit": row["unit"],
                 "price": price}
            )  # fmt: skip
        if not errors:
            try:
                order = services.create_order(
                    koperasi,
                    actor=request.user,
                    supplier=request.POST.get("supplier", ""),
                    lines=lines,
                    note=request.POST.get("note", ""),
                    idempotency_key=_key(request),
                )
            except DomainError as exc:
                errors = _messages_of(exc)
            else:
                messages.success(
                    request, _("Order %(number)s saved as a draft.") % {"number": order}
                )
                return redirect("purchasing:order-detail", slug=koperasi.slug, order_id=order.pk)
    return render(
        request,
        "purchasing/order_form.html",
        {
            "koperasi": koperasi,
            "suppliers": store_selectors.list_suppliers(koperasi).filter(is_active=True),
            "items": _goods(koperasi),
            "units": UNITS,
            "rows": rows,
            "supplier": request.POST.get("supplier", ""),
            "note": request.POST.get("note", ""),
            "key": _key(request),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@koperasi_view("purchasing.view")
def order_detail(request: KoperasiRequest, order_id):
    order = selectors.get_order(request.koperasi, order_id)
    lines = list(order.lines.select_related("item"))
    return render(
        request,
        "purchasing/order_detail.html",
        {
            "koperasi": request.koperasi,
            "order": order,
            "lines": [
                {
                    "line": x,
                    "ordered": services.in_unit(x, x.quantity),
                    "received": services.in_unit(x, x.received),
                }
                for x in lines
            ],
            "receipts": order.receipts.all(),
            "may_order": _may(request, "purchasing.order"),
            "may_receive": _may(request, "purchasing.receive"),
        },
    )


@require_POST
@koperasi_view("purchasing.order")
def order_place(request: KoperasiRequest, order_id):
    order = selectors.get_order(request.koperasi, order_id)
    try:
        services.place_order(request.koperasi, actor=request.user, order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order %(number)s placed.") % {"number": order})
    return redirect("purchasing:order-detail", slug=request.koperasi.slug, order_id=order.pk)


@require_POST
@koperasi_view("purchasing.order")
def order_cancel(request: KoperasiRequest, order_id):
    order = selectors.get_order(request.koperasi, order_id)
    try:
        services.cancel_order(
            request.koperasi, actor=request.user, order=order, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order %(number)s cancelled.") % {"number": order})
    return redirect("purchasing:order-detail", slug=request.koperasi.slug, order_id=order.pk)


@koperasi_view("purchasing.receive")
def order_receive(request: KoperasiRequest, order_id):
    """Quantities received per line (the rest still ordered is filled in), cash or credit;
    "check" shows the cost in words, "confirm" receives."""
    koperasi = request.koperasi
    order = selectors.get_order(koperasi, order_id)
    lines = [x for x in order.lines.select_related("item") if x.remaining > 0]
    posted = request.method == "POST"
    errors: list[str] = []
    rows, quantities, total = [], {}, 0
    for line in lines:
        typed = (
            request.POST.get(f"line-{line.pk}", "").strip()[:20]
            if posted
            else services.in_unit(line, line.remaining)
        )
        cost = None
        if typed:
            quantities[str(line.pk)] = typed
            try:
                stock = stock_quantity(line.item, typed, line.unit)
                cost = line_cost(line, line.received, min(stock, line.remaining))
                total += cost
            except DomainError:
                cost = None
        rows.append({"line": line, "typed": typed, "cost": cost,
                     "left": services.in_unit(line, line.remaining)})  # fmt: skip
    on_credit = posted and request.POST.get("on_credit") == "1"
    today = koperasi.today()
    day = _date(request.POST.get("date", ""), today, errors) if posted else today
    due = _date(request.POST.get("due_date", ""), day + dt.timedelta(days=30), errors)
    if posted and request.POST.get("action") == "confirm" and not errors:
        try:
            receipt = services.receive_order(
                koperasi, actor=request.user, order=order, quantities=quantities,
                on_credit=on_credit, due_date=due if on_credit else None, date=day,
                idempotency_key=_key(request),
            )  # fmt: skip
        except DomainError as exc:
            errors = _messages_of(exc)
        else:
            messages.success(request, _("Goods received: %(number)s.") % {"number": receipt})
            return redirect("purchasing:receipt-detail", slug=koperasi.slug, receipt_id=receipt.pk)
    if posted and not errors and request.POST.get("action") == "check":
        try:  # the same checks as the service, before the confirmation is offered
            for row in rows:
                if row["typed"]:
                    stock_quantity(row["line"].item, row["typed"], row["line"].unit)
            if not quantities:
                errors.append(_("Type the quantity received of at least one item."))
        except DomainError as exc:
            errors.append(f"{exc.message}")
    return render(
        request,
        "purchasing/order_receive.html",
        {
            "koperasi": koperasi,
            "order": order,
            "rows": rows,
            "on_credit": on_credit,
            "date": day,
            "due_date": due,
            "total": total,
            "total_words": terbilang(total),
            "ready": posted and not errors and bool(quantities),
            "key": _key(request),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@koperasi_view("purchasing.view")
def receipt_detail(request: KoperasiRequest, receipt_id):
    receipt = selectors.get_receipt(request.koperasi, receipt_id)
    return render(
        request,
        "purchasing/receipt_detail.html",
        {
            "koperasi": request.koperasi,
            "receipt": receipt,
            "lines": [
                {"line": x, "quantity": services.in_unit(x.order_line, x.quantity)}
                for x in receipt.lines.select_related("item", "order_line__item")
            ],
            "total_words": terbilang(receipt.total),
        },
    )


# --- payables ----------------------------------------------------------------------------------


@koperasi_view("purchasing.view")
def payables(request: KoperasiRequest):
    today = request.koperasi.today()
    rows = selectors.payables(request.koperasi, today=today)
    return render(
        request,
        "purchasing/payables.html",
        {
            "koperasi": request.koperasi,
            "rows": rows,
            "today": today,
            "total": sum(r["owed"] for r in rows),
            "buckets": selectors.BUCKETS,
            "payments": selectors.list_payments(request.koperasi)[:50],
            "may_pay": _may(request, "purchasing.pay"),
        },
    )


@koperasi_view("purchasing.pay")
def supplier_pay(request: KoperasiRequest, supplier_id):
    koperasi = request.koperasi
    supplier = store_selectors.get_supplier(koperasi, supplier_id)
    row = selectors.payable_of(koperasi, supplier, today=koperasi.today())
    posted = request.method == "POST"
    errors: list[str] = []
    amount_text = request.POST.get("amount", "")[:30] if posted else ""
    amount = _money(amount_text, errors, _("Amount")) if posted else 0
    units = store_selectors.list_business_units(koperasi, active_only=True)
    unit = request.POST.get("business_unit", "") if posted else ""
    if not unit and row["receipts"]:
        unit = row["receipts"][0].business_unit.kind
    if posted and not errors:
        if amount <= 0:
            errors.append(_("The amount paid must be more than zero."))
        elif amount > row["owed"]:
            errors.append(
                _("%(amount)s is more than is owed to %(supplier)s (%(owed)s).")
                % {"amount": format_rupiah(amount), "supplier": supplier.name,
                   "owed": format_rupiah(row["owed"])}
            )  # fmt: skip
    if posted and request.POST.get("action") == "confirm" and not errors:
        try:
            payment = services.pay_supplier(
                koperasi, actor=request.user, supplier=supplier, amount=amount,
                business_unit=unit, note=request.POST.get("note", ""),
                idempotency_key=_key(request),
            )  # fmt: skip
        except DomainError as exc:
            errors = _messages_of(exc)
        else:
            messages.success(
                request,
                _("%(amount)s paid to %(supplier)s.")
                % {"amount": format_rupiah(payment.amount), "supplier": supplier.name},
            )
            return redirect("purchasing:payables", slug=koperasi.slug)
    return render(
        request,
        "purchasing/supplier_pay.html",
        {
            "koperasi": koperasi,
            "supplier": supplier,
            "row": row,
            "units": units,
            "unit": unit,
            "amount": amount_text,
            "amount_value": amount,
            "amount_words": terbilang(amount) if amount > 0 else "",
            "note": request.POST.get("note", "")[:200],
            "ready": posted and not errors,
            "key": _key(request),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- members' harvest --------------------------------------------------------------------------


def _harvest_items(koperasi):
    return Item.objects.filter(
        koperasi=koperasi, is_active=True, business_unit__kind=UnitKind.HASIL_BUMI, base_unit="kg"
    ).order_by("name")


def _percent_bp(text: str, errors: list[str], label: str) -> int | None:
    text = (text or "").strip().replace("%", "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text) * 100
    except InvalidOperation:
        errors.append(_("%(label)s is not a number.") % {"label": label})
        return None
    if value != value.to_integral_value() or value < 0:
        errors.append(_("%(label)s: at most two decimals, not negative.") % {"label": label})
        return None
    return int(value)


@koperasi_view("purchasing.view")
def harvest_list(request: KoperasiRequest):
    koperasi = request.koperasi
    items = list(_harvest_items(koperasi))
    return render(
        request,
        "purchasing/harvest_list.html",
        {
            "koperasi": koperasi,
            "purchases": selectors.list_harvest(koperasi)[:100],
            "terms": [(i, services.terms_for(koperasi, i)) for i in items],
            "may_buy": _may(request, "purchasing.buy_harvest"),
            "may_terms": _may(request, "purchasing.order"),
            "has_unit": bool(items),
        },
    )


@require_POST
@koperasi_view("purchasing.order")
def harvest_terms(request: KoperasiRequest):
    errors: list[str] = []
    standard = _percent_bp(
        request.POST.get("standard_moisture", ""), errors, _("Standard moisture")
    )
    refraction = _percent_bp(request.POST.get("refraction", ""), errors, _("Refraction")) or 0
    if not errors:
        try:
            services.set_harvest_terms(
                request.koperasi, actor=request.user, item=request.POST.get("item", ""),
                standard_moisture_bp=standard, refraction_bp=refraction,
            )  # fmt: skip
        except DomainError as exc:
            errors = _messages_of(exc)
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, _("Buying terms saved."))
    return redirect("purchasing:harvest-list", slug=request.koperasi.slug)


@koperasi_view("purchasing.buy_harvest")
def harvest_buy(request: KoperasiRequest):
    """The member's number, the item, the weight, the moisture where the terms set a
    standard, the price per kg; "check" shows the deductions and the amount in words,
    "confirm" pays and takes it into stock."""
    koperasi = request.koperasi
    posted = request.method == "POST"
    errors: list[str] = []
    form = {
        k: request.POST.get(k, "")[:60] for k in ("member", "item", "gross", "moisture", "price")
    }
    preview = None
    member = None
    if posted:
        member = get_member_by_number(koperasi, form["member"]) if form["member"].strip() else None
        if member is None or not member.is_active:
            errors.append(_("Member not found or not active."))
        price = _money(form["price"], errors, _("Price per kg"))
        moisture = _percent_bp(form["moisture"], errors, _("Moisture"))
        if not errors:
            try:
                item = services.harvest_item(koperasi, form["item"])
                gross = services.grams_of(form["gross"])
                if price <= 0:
                    raise services.PurchasingError(_("The price per kg must be more than zero."))
                terms = services.terms_for(koperasi, item)
                preview = rules.price_harvest_line(
                    item.name, gross_grams=gross, price_per_kg=price, terms=terms,
                    moisture_bp=moisture if terms.standard_moisture_bp is not None else None,
                )  # fmt: skip
            except (DomainError, rules.HarvestError) as exc:
                errors.append(exc.message)
        if not errors and request.POST.get("action") == "confirm":
            try:
                purchase = services.buy_harvest(
                    koperasi, actor=request.user, member=member, item=form["item"],
                    gross_kg=form["gross"], price_per_kg=price, moisture_bp=moisture,
                    idempotency_key=_key(request),
                )  # fmt: skip
            except DomainError as exc:
                errors = _messages_of(exc)
            else:
                return redirect(
                    "purchasing:harvest-receipt", slug=koperasi.slug, purchase_id=purchase.pk
                )
    return render(
        request,
        "purchasing/harvest_buy.html",
        {
            "koperasi": koperasi,
            "items": _harvest_items(koperasi),
            "form": form,
            "member": member,
            "preview": preview,
            "weights": {
                "net": _kg(preview.net_grams),
                "moisture": _kg(preview.moisture_grams),
                "refraction": _kg(preview.refraction_grams),
            }
            if preview
            else {},
            "amount_words": terbilang(preview.amount) if preview else "",
            "ready": posted and not errors and preview is not None,
            "key": _key(request),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _kg(grams: int) -> str:
    """Grams as kg the Indonesian way: 1234567 -> "1.234,567 kg", 100000 -> "100 kg"."""
    whole, rest = divmod(grams, 1000)
    text = f"{whole:,}".replace(",", ".")
    if rest:
        text += "," + f"{rest:03d}".rstrip("0")
    return f"{text} kg"


@koperasi_view("purchasing.view")
def harvest_receipt(request: KoperasiRequest, purchase_id):
    koperasi = request.koperasi
    p = selectors.get_harvest(koperasi, purchase_id)
    rows = [(_("Gross weight"), _kg(p.gross_grams))]
    if p.moisture_grams:
        rows.append((_("Less moisture"), f"- {_kg(p.moisture_grams)}"))
    if p.refraction_grams:
        rows.append((_("Less refraction"), f"- {_kg(p.refraction_grams)}"))
    rows.append((_("Net weight"), _kg(p.net_grams)))
    rows.append((_("Price per kg"), format_rupiah(p.price_per_kg)))
    text = [
        koperasi.name,
        _("Harvest receipt %(number)s") % {"number": p},
        p.date.strftime("%d/%m/%Y"),
        f"{p.member.number} {p.member.full_name}",
        p.item.name,
        *[f"{label}: {value}" for label, value in rows],
        f"{_('Paid')}: {format_rupiah(p.amount)}",
        _("This purchase counts toward your SHU."),
    ]
    return render(
        request,
        "purchasing/harvest_receipt.html",
        {
            "koperasi": koperasi,
            "purchase": p,
            "rows": rows,
            "amount": format_rupiah(p.amount),
            "amount_words": terbilang(p.amount),
            "whatsapp": "https://wa.me/?text=" + quote("\n".join(text)),
            "may_buy": _may(request, "purchasing.buy_harvest"),
        },
    )
