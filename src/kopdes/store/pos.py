"""The point of sale's pages: /k/<slug>/toko/kasir/ (``store:pos``), its confirmation and
the receipt. Server-rendered; the cart lives in the session (per koperasi) until the sale
is posted through ``services.checkout`` with the cart's idempotency key, so a resent
confirmation (a lost connection, a double press) never sells twice."""

from __future__ import annotations

import contextlib
import uuid
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kopdes.domain import barcode as barcodes
from kopdes.domain.money import MoneyError, format_rupiah, parse_rupiah, terbilang
from kopdes.domain.sale import Payment
from kopdes.members.selectors import get_member_by_number
from kopdes.members.services import read_member_card
from kopdes.platform.core.errors import DomainError
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import hooks, selectors, services, subsidised
from kopdes.store import payments as payment_methods
from kopdes.store.errors import StoreError
from kopdes.store.models import Item
from kopdes.store.services.stock import stock_quantity

MAX_CART = 200


def _cart(request) -> dict:
    key = f"pos:{request.koperasi.pk}"
    cart = request.session.get(key)
    if not isinstance(cart, dict) or "key" not in cart:
        cart = {"lines": [], "member": "", "key": str(uuid.uuid4())}
    return cart


def _save(request, cart: dict) -> None:
    request.session[f"pos:{request.koperasi.pk}"] = cart
    request.session.modified = True


def _member(request, cart):
    return get_member_by_number(request.koperasi, cart["member"]) if cart["member"] else None


def member_from_input(koperasi, text: str):
    """The member the POS's member field names: her number typed, or her card's QR code
    (``members.services.member_card_payload``) typed by a USB scanner. ``None`` for an
    empty field; ``DomainError`` (Bahasa Indonesia) for a card that is not hers to use here
    (another koperasi's, a changed or made-up one) or a member not found or not active."""
    text = (text or "").strip()[:200]
    if not text:
        return None
    if "|" in text:  # a card payload: prefix|koperasi|number|signature
        member = read_member_card(text, koperasi=koperasi)
    else:
        member = get_member_by_number(koperasi, text[:10])
    if member is None or not member.is_active:
        raise StoreError(_("Member not found or not active."), field="member")
    return member


def _rows(request, cart) -> tuple[list[dict], int]:
    """The cart's lines priced for display (the checkout prices again under the lock)."""
    member = _member(request, cart)
    items = {
        str(i.pk): i
        for i in Item.objects.filter(
            koperasi=request.koperasi, pk__in=[line[0] for line in cart["lines"]]
        )
    }
    rows, total = [], 0
    for index, (item_id, quantity, *extras) in enumerate(cart["lines"]):
        item = items.get(item_id)
        if item is None:
            continue
        price = item.member_price if member is not None else item.public_price
        try:
            stock = stock_quantity(item, quantity)
        except DomainError:
            stock = 0
        amount = -(-stock * price // item.units().price_per // 100) * 100
        total += amount
        rows.append(
            {
                "index": index,
                "item": item,
                "quantity": quantity,
                "price": format_rupiah(price),
                "amount": format_rupiah(amount),
                "extras": extras[0] if extras else {},
            }
        )
    return rows, total


def _checkout_line(line: list) -> dict:
    """A cart line ``[item id, quantity]`` or ``[item id, quantity, {what the rules
    asked}]`` as ``services.checkout`` takes it."""
    return {"item": line[0], "quantity": line[1], **(line[2] if len(line) > 2 else {})}


def _asked_item(koperasi, item_id: str) -> Item | None:
    """The item the ask form (below) names by its id."""
    try:
        return Item.objects.filter(koperasi=koperasi, pk=uuid.UUID(item_id), is_active=True).first()
    except ValueError:
        return None


def _line_fields(request, item: Item, quantity: str) -> tuple[dict, dict | None]:
    """What the registered checkout rules need with ``item`` (``store.hooks``: the
    prescription number and prescriber of an obat keras): (the values typed, None) when
    complete, else ({}, the form asking for them)."""
    fields = hooks.fields_to_ask(request.koperasi, item)
    if not fields:
        return {}, None
    asked = request.POST.get("asked") == "1"
    values = {
        f.name: " ".join(request.POST.get(f.name, "").split())[: f.max_length] for f in fields
    }
    if asked and all(values[f.name] or not f.required for f in fields):
        return {k: v for k, v in values.items() if v}, None
    # The focus goes to the first field still empty (keyboard-only at the counter).
    empty = [f.name for f in fields if not values[f.name]]
    focus = empty[0] if empty else fields[0].name
    return {}, {
        "item": item,
        "quantity": quantity,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "value": values[f.name],
                "max_length": f.max_length,
                "missing": asked and f.required and not values[f.name],
                "focus": f.name == focus,
            }
            for f in fields
        ],
    }


def _find(koperasi, code: str) -> tuple[Item | None, list[Item]]:
    """A scan (barcode) names one item; else a name search lists the matches."""
    code = code.strip()[:100]
    if not code:
        return None, []
    try:
        item, _label = selectors.find_by_barcode(koperasi, code)
        return item, []
    except (barcodes.BarcodeError, Http404):
        pass
    found = list(selectors.list_items(koperasi, query=code, active_only=True)[:10])
    if len(found) == 1:
        return found[0], []
    return None, found


def _without_shift(request):
    """The counter sells only within the cashier's open shift (its cash is counted when it
    closes): without one, to the shift page to open it. ``services.checkout`` itself does
    not require a shift (the API, imports and tests call it); a sale without a shift
    belongs to none."""
    request.pos_shift = services.open_shift_of(request.koperasi, request.user)
    if request.pos_shift is None:
        messages.info(request, _("Open your cash shift before selling."))
        return redirect("store:shift", slug=request.koperasi.slug)
    return None


@koperasi_view("store.sell")
def pos(request: KoperasiRequest):
    if (to_shift := _without_shift(request)) is not None:
        return to_shift
    cart = _cart(request)
    matches: list[Item] = []
    ask = None
    if request.method == "POST":
        action = request.POST.get("action", "add")
        if action == "add" and not request.POST.get("code", "").strip() and cart["lines"]:
            # Enter on an empty scan field: on to the payment (keyboard-only at the counter).
            return redirect("store:pos-pay", slug=request.koperasi.slug)
        card = request.POST.get("code", "").strip()[:200]
        if action == "add" and "|" in card:
            # The member card scanned into the scan field (no barcode holds "|"): the member.
            try:
                member = member_from_input(request.koperasi, card)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                cart["member"] = member.number if member else ""
            action = "scanned-card"
        if action == "add":
            asked = _asked_item(request.koperasi, request.POST.get("item_id", ""))
            item, matches = (
                (asked, []) if asked else _find(request.koperasi, request.POST.get("code", ""))
            )
            quantity = (request.POST.get("quantity", "") or "1").strip()[:12]
            if item is not None:
                try:
                    stock_quantity(item, quantity)
                except DomainError as exc:
                    messages.error(request, f"{item.name}: {exc.message}")
                else:
                    extras, ask = _line_fields(request, item, quantity)
                    if ask is None and len(cart["lines"]) < MAX_CART:
                        cart["lines"].append(
                            [str(item.pk), quantity, extras] if extras else [str(item.pk), quantity]
                        )
            elif not matches:
                messages.error(request, _("No item with this barcode or name."))
        elif action == "remove":
            with contextlib.suppress(ValueError, IndexError):
                del cart["lines"][int(request.POST.get("index", ""))]
        elif action == "member":
            try:
                member = member_from_input(request.koperasi, request.POST.get("member", ""))
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                cart["member"] = member.number if member else ""
        elif action == "clear":
            cart = {"lines": [], "member": "", "key": str(uuid.uuid4())}
        _save(request, cart)
        if not matches and ask is None:
            return redirect("store:pos", slug=request.koperasi.slug)
    rows, total = _rows(request, cart)
    return render(
        request,
        "store/pos.html",
        {
            "koperasi": request.koperasi,
            "shift": request.pos_shift,
            "rows": rows,
            "total": format_rupiah(total),
            "member": _member(request, cart),
            "matches": matches,
            "ask": ask,
        },
    )


@koperasi_view("store.sell")
def pos_pay(request: KoperasiRequest):
    """The confirmation: the total in words and the change, then the sale is posted."""
    if (to_shift := _without_shift(request)) is not None:
        return to_shift
    cart = _cart(request)
    if not cart["lines"]:
        return redirect("store:pos", slug=request.koperasi.slug)
    rows, total = _rows(request, cart)
    member = _member(request, cart)
    posted = request.method == "POST"
    error = ""
    # Every registered payment method (cash first; members-only ones for a member): one
    # field each, so a sale is split over any of them (cash + bon, QRIS ...).
    methods = [
        m for m in payment_methods.METHODS.values() if member is not None or not m.members_only
    ]
    methods.sort(key=lambda m: m.code != "cash")
    texts: dict[str, str] = {}
    amounts: dict[str, int] = {}
    for method in methods:
        texts[method.code] = request.POST.get(method.code, "")[:30] if posted else ""
        if texts[method.code].strip():
            try:
                amounts[method.code] = parse_rupiah(texts[method.code])
            except MoneyError as exc:
                error = error or f"{method.label}: {exc}"
    # Subsidised goods (LPG, pupuk, SPHP): the buyer's NIK, and the farmer's confirmation.
    channels = {row["index"]: subsidised.channel_of(row["item"]) for row in rows}
    channels = {index: c for index, c in channels.items() if c}
    nik_text = request.POST.get("nik", "")[:40] if posted else ""
    farmer_confirmed = posted and request.POST.get("farmer_confirmed") == "1"
    subsidy_data: dict = {}
    nik_error = False  # the focus goes back to the NIK field
    if channels and posted and not error:
        try:
            subsidy_data = subsidised.line_data(
                request.koperasi, nik=nik_text, farmer_confirmed=farmer_confirmed
            )
        except DomainError as exc:
            error, nik_error = exc.message, True
    tendered = amounts.get("cash", 0)
    non_cash = sum(a for code, a in amounts.items() if code != "cash")
    paid = tendered + non_cash
    if posted and request.POST.get("action") == "confirm" and not error:
        payments = [Payment(code, a) for code, a in amounts.items() if a]
        lines = [_checkout_line(line) for line in cart["lines"]]
        for index in channels:
            lines[index].update(subsidy_data)
        try:
            sale = services.checkout(
                request.koperasi,
                actor=request.user,
                member=member,
                lines=lines,
                payments=payments,
                idempotency_key=cart["key"],
            )
        except DomainError as exc:
            error = exc.message
            nik_error = bool(channels) and exc.field in ("nik", "farmer_confirmed")
        else:
            _save(request, {"lines": [], "member": "", "key": str(uuid.uuid4())})
            return redirect("store:receipt", slug=request.koperasi.slug, sale_id=sale.pk)
    change = max(tendered - max(total - non_cash, 0), 0)
    return render(
        request,
        "store/pos_pay.html",
        {
            "koperasi": request.koperasi,
            "rows": rows,
            "total": format_rupiah(total),
            "total_sen": total,
            "total_words": terbilang(total),
            "member": member,
            "bon_owed": format_rupiah(services.current_bon(request.koperasi, member))
            if member is not None
            else "",
            "bon_limit": format_rupiah(services.bon_limit(request.koperasi))
            if member is not None
            else "",
            "methods": [
                {"code": m.code, "label": m.label, "value": texts[m.code]} for m in methods
            ],
            "cash": texts.get("cash", ""),
            "bon": texts.get("bon", ""),
            "paid": format_rupiah(paid),
            "remaining": format_rupiah(max(total - paid, 0)),
            "change": format_rupiah(change),
            "checked": posted,
            "subsidised": bool(channels),
            "pupuk": "pupuk" in channels.values(),
            "nik": nik_text,
            "farmer_confirmed": farmer_confirmed,
            "nik_error": nik_error,
            "error": error,
            "ready": posted and not error and paid >= total,
        },
    )


@koperasi_view("store.sell")
def bon_repay(request: KoperasiRequest):
    """A member pays off her bon: her card or number, the amount in rupiah; "check" shows
    what she owes, the amount in words and what remains; "confirm" posts it once (the
    form's key is kept in a hidden field, so a resent confirmation never posts twice).
    The cash goes into the kasir's drawer: only within her open shift, like a sale."""
    if (to_shift := _without_shift(request)) is not None:
        return to_shift
    koperasi = request.koperasi
    data = request.POST if request.method == "POST" else request.GET
    member_text = data.get("member", "")[:200]
    amount_text = request.POST.get("amount", "")[:30] if request.method == "POST" else ""
    key = request.POST.get("key", "")[:64] if request.method == "POST" else ""
    key = key or str(uuid.uuid4())
    error, member, amount, owed = "", None, 0, 0
    try:
        member = member_from_input(koperasi, member_text) if member_text.strip() else None
    except DomainError as exc:
        error = exc.message
    if member is not None:
        owed = services.current_bon(koperasi, member)
    if request.method == "POST" and member is not None and not error:
        try:
            amount = parse_rupiah(amount_text)
        except MoneyError as exc:
            error = str(exc)
        else:
            if amount > owed:
                error = _("The payment of %(amount)s is more than her bon of %(owed)s.") % {
                    "amount": format_rupiah(amount),
                    "owed": format_rupiah(owed),
                }
    elif request.method == "POST" and not error:
        error = _("Scan the member card or type the member number.")
    # What the kasir checked (member and amount): a confirmation of anything else is
    # shown for checking again, never posted unseen.
    checked = f"{member.number}:{amount}" if member is not None and amount else ""
    confirm = request.POST.get("action") == "confirm" and request.POST.get("checked") == checked
    if request.method == "POST" and confirm and not error:
        try:
            done = services.repay_bon(
                koperasi,
                actor=request.user,
                member=member,
                amount=amount,
                idempotency_key=f"bon:{key}",
                source_address=request.META.get("REMOTE_ADDR", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Bon payment of %(amount)s from %(name)s received; bon left %(left)s.")
                % {
                    "amount": format_rupiah(done.amount),
                    "name": member.full_name,
                    "left": format_rupiah(services.current_bon(koperasi, member)),
                },
            )
            return redirect("store:bon-repay", slug=koperasi.slug)
    ready = request.method == "POST" and not error and amount > 0
    return render(
        request,
        "store/pos_bon.html",
        {
            "koperasi": koperasi,
            "member": member,
            "member_text": member.number if member is not None else member_text.strip(),
            "owed": format_rupiah(owed),
            "limit": format_rupiah(services.bon_limit(koperasi)),
            "amount": amount_text,
            "amount_rupiah": format_rupiah(amount),
            "amount_words": terbilang(amount) if ready else "",
            "left": format_rupiah(owed - amount),
            "key": key,
            "checked": checked,
            "error": error,
            "ready": ready,
        },
    )


def _method_label(code: str) -> str:
    """A payment method's name on the receipt ("Tunai", "Bon anggota" ...)."""
    method = payment_methods.get_method(code)
    return str(method.label) if method is not None else code


@koperasi_view("store.sell")
def receipt(request: KoperasiRequest, sale_id):
    sale = selectors.get_sale(request.koperasi, sale_id)
    lines = list(sale.lines.select_related("item"))
    payments = list(sale.payments.all())
    text_lines = [
        request.koperasi.name,
        _("Sale #%(number)d") % {"number": sale.number},
        str(sale.date),
    ]
    for line in lines:
        text_lines.append(f"{line.item.name} x{line.quantity}: {format_rupiah(line.net)}")
    text_lines.append(f"{_('Total')}: {format_rupiah(sale.total)}")
    whatsapp = "https://wa.me/?text=" + quote("\n".join(text_lines))
    return render(
        request,
        "store/receipt.html",
        {
            "koperasi": request.koperasi,
            "sale": sale,
            "lines": [{"line": x, "net": format_rupiah(x.net)} for x in lines],
            "payments": [
                {"method": _method_label(p.method), "amount": format_rupiah(p.amount)}
                for p in payments
            ],
            "total": format_rupiah(sale.total),
            "total_words": terbilang(sale.total),
            "tendered": format_rupiah(sale.cash_tendered),
            "change": format_rupiah(sale.change),
            "whatsapp": whatsapp,
            "back": reverse("store:pos", kwargs={"slug": request.koperasi.slug}),
        },
    )
