"""Pages of titip jual (``/k/<slug>/toko/titip/``). Thin: parse, call one service, render;
a refusal is shown in Bahasa Indonesia and nothing is written."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kopdes.consignment import documents, services
from kopdes.consignment.forms import MovementForm, PayoutForm, TermsForm
from kopdes.consignment.models import Direction
from kopdes.domain.money import format_rupiah, terbilang
from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store.models import Item


def _form_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or [(exc.field, exc.message)]
    for name, message in errors:
        form.add_error(name if name in form.fields else None, message)


def _items(koperasi):
    return services.candidate_items(koperasi)


def _overview(request: KoperasiRequest, *, terms_form=None, movement_form=None, status=200):
    koperasi = request.koperasi
    items = _items(koperasi)
    consignors = services.consignors(koperasi)
    consigned = services.item_rows(koperasi)
    today = koperasi.today()
    context = {
        "koperasi": koperasi,
        "rows": consigned,
        "consignors": consignors,
        "period": f"{today:%Y-%m}",
        "may_manage": has_perm(request.roles, services.MANAGE),
        "terms_form": terms_form
        or TermsForm(
            items=items,
            consignors=[c for c in consignors if c.is_active],
            initial={"valid_from": today},
        ),
        "movement_form": movement_form
        or MovementForm(
            items=[r.item for r in consigned],
            initial={"idempotency_key": secrets.token_urlsafe(16), "date": today},
        ),
    }
    return render(request, "consignment/overview.html", context, status=status)


@koperasi_view(services.VIEW)
def overview(request: KoperasiRequest):
    return _overview(request)


def _item(koperasi, value) -> Item | None:
    try:
        return Item.objects.select_related("business_unit").get(koperasi=koperasi, pk=value)
    except (Item.DoesNotExist, ValueError, ValidationError):
        return None


@require_POST
@koperasi_view(services.MANAGE)
def terms_add(request: KoperasiRequest):
    koperasi = request.koperasi
    consignors = [c for c in services.consignors(koperasi) if c.is_active]
    form = TermsForm(request.POST, items=_items(koperasi), consignors=consignors)
    if form.is_valid():
        data = form.cleaned_data
        item = _item(koperasi, data["item"])
        consignor = next((c for c in consignors if str(c.pk) == data["consignor"]), None)
        try:
            if item is None or consignor is None:
                raise services.ConsignmentError(_("Item or consignor not found."), field="item")
            services.set_terms(
                koperasi,
                actor=request.user,
                item=item,
                consignor=consignor,
                kind=data["kind"],
                rate_bp=data["rate"] or 0,
                margin=data["margin"] or 0,
                consignor_price=data["consignor_price"] or 0,
                valid_from=data["valid_from"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Consignment terms saved."))
            return redirect("consignment:overview", slug=koperasi.slug)
    return _overview(request, terms_form=form, status=400)


@require_POST
@koperasi_view(services.MANAGE)
def movement_add(request: KoperasiRequest):
    koperasi = request.koperasi
    items = [r.item for r in services.item_rows(koperasi)]
    form = MovementForm(request.POST, items=items)
    if form.is_valid():
        data = form.cleaned_data
        item = next((i for i in items if str(i.pk) == data["item"]), None)
        service = (
            services.receive_goods if data["direction"] == Direction.IN else services.return_goods
        )
        try:
            if item is None:
                raise services.ConsignmentError(_("Item or consignor not found."), field="item")
            moved = service(
                koperasi,
                actor=request.user,
                item=item,
                quantity=data["quantity"],
                date=data["date"] or None,
                idempotency_key=data["idempotency_key"],
                note=data["note"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Already recorded.")
                if moved.replayed
                else (
                    _("Consigned goods received.")
                    if data["direction"] == Direction.IN
                    else _("Consigned goods returned to the consignor.")
                ),
            )
            return redirect("consignment:overview", slug=koperasi.slug)
    return _overview(request, movement_form=form, status=400)


def _period(request, today: dt.date) -> tuple[int, int]:
    text = (request.GET.get("periode") or request.POST.get("periode") or "").strip()
    if not text:
        return today.year, today.month
    try:
        year, month = (int(x) for x in text.split("-", 1))
        services.period_bounds(year, month)
    except (ValueError, DomainError):
        raise Http404 from None
    return year, month


def _settlement(request: KoperasiRequest, consignor_id, *, form=None, confirm=None, status=200):
    koperasi = request.koperasi
    consignor = services.get_consignor(koperasi, consignor_id)
    year, month = _period(request, koperasi.today())
    stated = services.statement(koperasi, consignor, year, month)
    fmt = request.GET.get("format", "")
    if fmt in ("pdf", "xlsx") and request.method == "GET":
        return documents.respond(fmt, stated, koperasi)
    previous = stated.start - dt.timedelta(days=1)
    following = stated.end + dt.timedelta(days=1)
    context = {
        "koperasi": koperasi,
        "stated": stated,
        "consignor": consignor,
        "owed": services.owed(koperasi, consignor),
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}" if following <= koperasi.today() else "",
        "may_pay": has_perm(request.roles, services.PAY),
        "form": form
        or PayoutForm(
            initial={
                "amount": format_rupiah(stated.due, prefix="") if stated.due > 0 else "",
                "idempotency_key": secrets.token_urlsafe(16),
            }
        ),
        "confirm": confirm,
        "words": terbilang(stated.due) if stated.due > 0 else "",
    }
    return render(request, "consignment/settlement.html", context, status=status)


@koperasi_view(services.VIEW)
def settlement(request: KoperasiRequest, consignor_id):
    return _settlement(request, consignor_id)


@require_http_methods(["POST"])
@koperasi_view(services.PAY)
def payout(request: KoperasiRequest, consignor_id):
    """Form -> confirmation (the amount in words) -> paid once -> back to the statement."""
    koperasi = request.koperasi
    consignor = services.get_consignor(koperasi, consignor_id)
    year, month = _period(request, koperasi.today())
    form = PayoutForm(request.POST)
    if not form.is_valid():
        return _settlement(request, consignor_id, form=form, status=400)
    data = form.cleaned_data
    amount = data["amount"] or 0
    if data["step"] == "edit":
        return _settlement(request, consignor_id, form=form)
    try:
        if data["step"] == "post":
            paid = services.pay_consignor(
                koperasi,
                actor=request.user,
                consignor=consignor,
                year=year,
                month=month,
                amount=amount,
                idempotency_key=data["idempotency_key"],
            )
            messages.success(
                request,
                _("Already recorded.") if paid.replayed else _("The payout was recorded."),
            )
            url = reverse(
                "consignment:settlement",
                kwargs={"slug": koperasi.slug, "consignor_id": consignor.pk},
            )
            return redirect(f"{url}?periode={year:04d}-{month:02d}")
        stated = services.statement(koperasi, consignor, year, month)
        if amount <= 0 or amount > stated.due:
            raise services.ConsignmentError(
                _("%(amount)s is more than what is due to %(name)s for %(period)s: %(due)s.")
                % {
                    "amount": format_rupiah(amount),
                    "name": consignor.name,
                    "period": stated.period_code,
                    "due": format_rupiah(max(stated.due, 0)),
                }
                if amount > 0
                else _("The amount must be more than zero."),
                field="amount",
            )
    except DomainError as exc:
        _form_errors(form, exc)
        return _settlement(request, consignor_id, form=form, status=exc.status)
    confirm = {"amount": amount, "words": terbilang(amount), "raw": request.POST.get("amount")}
    return _settlement(request, consignor_id, form=form, confirm=confirm)
