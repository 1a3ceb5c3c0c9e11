"""Pages of the apotek desa (``/k/<slug>/toko/apotek/``). Thin: parse, call one service or
selector, render; a refusal is shown in Bahasa Indonesia and nothing is written. Every
page carries the pharmacist's licence warning (none recorded, expired, within 30 days)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.domain.money import format_rupiah, terbilang
from kopdes.pharmacy import reports, selectors, services
from kopdes.pharmacy.choices import DosageForm, DrugClass
from kopdes.pharmacy.forms import DaysForm, DrugInfoForm, MonthForm, PharmacistForm, ReceiveForm
from kopdes.platform.core.errors import DomainError
from kopdes.platform.documents.xlsx import xlsx_response
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import selectors as store_selectors


def _address(request) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


def _may(request, code: str) -> bool:
    return has_perm(request.roles, code)


def _form_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or [(exc.field, exc.message)]
    for field, message in errors:
        form.add_error(field if field in form.fields else None, message)


def _render(request: KoperasiRequest, template: str, context: dict, status: int = 200):
    koperasi = request.koperasi
    base = {
        "koperasi": koperasi,
        "today": koperasi.today(),
        "unit": selectors.apotek_unit(koperasi),
        "licence": selectors.licence_warning(koperasi),
        "may_manage": _may(request, "pharmacy.manage"),
        "may_receive": _may(request, "store.receive_stock"),
    }
    return render(request, template, {**base, **context}, status=status)


@koperasi_view("pharmacy.view")
def home(request: KoperasiRequest):
    return _render(
        request,
        "pharmacy/home.html",
        {
            "pharmacist": selectors.current_pharmacist(request.koperasi),
            "rows": selectors.drug_rows(request.koperasi),
        },
    )


# --- the responsible pharmacist -------------------------------------------------------------


def _pharmacist_page(request: KoperasiRequest, form=None, status: int = 200):
    return _render(
        request,
        "pharmacy/pharmacist.html",
        {
            "history": selectors.pharmacists(request.koperasi),
            "form": form or PharmacistForm(),
        },
        status,
    )


@koperasi_view("pharmacy.view")
def pharmacist(request: KoperasiRequest):
    return _pharmacist_page(request)


@require_POST
@koperasi_view("pharmacy.manage")
def pharmacist_appoint(request: KoperasiRequest):
    form = PharmacistForm(request.POST)
    if form.is_valid():
        try:
            done = services.appoint_pharmacist(
                request.koperasi,
                actor=request.user,
                data=form.cleaned_data,
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s is the responsible pharmacist.") % {"name": done.name}
            )
            return redirect("pharmacy:pharmacist", slug=request.koperasi.slug)
    return _pharmacist_page(request, form, status=400)


# --- drug information -----------------------------------------------------------------------


@koperasi_view("pharmacy.manage")
def drug_edit(request: KoperasiRequest, item_id):
    item = selectors.get_apotek_item(request.koperasi, item_id)
    info = selectors.drug_info(request.koperasi, item)
    initial = (
        {
            "drug_class": info.drug_class,
            "dosage_form": info.dosage_form,
            "strength": info.strength,
            "nie": info.nie,
        }
        if info
        else {"drug_class": DrugClass.BEBAS, "dosage_form": DosageForm.TABLET}
    )
    form = DrugInfoForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_drug_info(
                request.koperasi,
                actor=request.user,
                item=item,
                data=form.cleaned_data,
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(item)s saved.") % {"item": item.name})
            return redirect("pharmacy:home", slug=request.koperasi.slug)
    status = 400 if request.method == "POST" else 200
    return _render(request, "pharmacy/drug_form.html", {"item": item, "form": form}, status)


# --- receiving by batch ---------------------------------------------------------------------


@koperasi_view("store.receive_stock")
def receive(request: KoperasiRequest):
    """Drugs received by batch: typed, checked (the cost in words), then confirmed. The
    form's key is the receipt's idempotency key, so a resent confirmation posts once."""
    koperasi = request.koperasi
    items = {str(i.pk): i for i in selectors.apotek_items(koperasi).filter(is_active=True)}
    suppliers = {str(s.pk): s for s in store_selectors.list_suppliers(koperasi)}
    form = ReceiveForm(
        request.POST or None,
        initial={"key": uuid.uuid4().hex},
        items=[(pk, i.name) for pk, i in items.items()],
        suppliers=[(pk, s.name) for pk, s in suppliers.items()],
    )
    review = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cost = data["cost"]
        # What the officer checked (the cost in words): a confirmation of anything else
        # is shown for checking again, never posted unseen.
        checked = "|".join(
            str(data[k]) for k in ("item", "batch_number", "expires_on", "quantity", "cost")
        )
        if cost is None or cost < 0:
            form.add_error("cost", _("Please fill in the total cost."))
        elif request.POST.get("action") == "confirm" and request.POST.get("checked") == checked:
            try:
                services.receive_batch(
                    koperasi,
                    actor=request.user,
                    item=items[data["item"]],
                    batch_number=data["batch_number"],
                    expires_on=data["expires_on"],
                    quantity=data["quantity"],
                    cost=cost,
                    supplier=suppliers.get(data["supplier"] or ""),
                    on_credit=data["on_credit"],
                    idempotency_key=f"pharmacy.receive:{data['key']}",
                )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Batch %(batch)s of %(item)s received.")
                    % {"batch": data["batch_number"], "item": items[data["item"]].name},
                )
                return redirect("pharmacy:batch-list", slug=koperasi.slug)
        else:
            review = {
                "item": items[data["item"]],
                "cost": format_rupiah(cost),
                "words": terbilang(cost),
                "expires_on": data["expires_on"],
                "checked": checked,
            }
    status = 400 if request.method == "POST" and form.errors else 200
    return _render(request, "pharmacy/receive.html", {"form": form, "review": review}, status)


# --- batches and expiry -------------------------------------------------------------------


@koperasi_view("pharmacy.view")
def batch_list(request: KoperasiRequest):
    koperasi = request.koperasi
    today = koperasi.today()
    days_form = DaysForm(request.GET or None, initial={"hari": selectors.NEAR_EXPIRY_DAYS})
    days = selectors.NEAR_EXPIRY_DAYS
    if request.GET and days_form.is_valid():
        days = days_form.cleaned_data["hari"]
    near, expired = selectors.expiry_lists(koperasi, today=today, within_days=days)
    return _render(
        request,
        "pharmacy/batch_list.html",
        {
            "days_form": days_form,
            "days": days,
            "near": near,
            "expired": expired,
            "batches": selectors.batches_on_hand(koperasi),
        },
        400 if request.GET and days_form.errors else 200,
    )


@koperasi_view("pharmacy.view")
def batch_detail(request: KoperasiRequest, batch_id):
    koperasi = request.koperasi
    batch = selectors.get_batch(koperasi, batch_id)
    moves = selectors.batch_movements(koperasi, batch)
    prescriptions = selectors.prescriptions_by_line(
        koperasi, [m.sale_line_id for m in moves if m.sale_line_id]
    )
    rows = [{"move": m, "prescription": prescriptions.get(m.sale_line_id)} for m in moves]
    return _render(
        request,
        "pharmacy/batch_detail.html",
        {"batch": batch, "rows": rows, "expired": batch.expires_on < koperasi.today()},
    )


# --- SIPNAP ---------------------------------------------------------------------------------


def _month(request: KoperasiRequest) -> tuple[MonthForm, tuple[int, int] | None]:
    """The month asked (?bulan=mm-yyyy), default the month before this one (the report
    is sent after the month closes)."""
    today = request.koperasi.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    form = MonthForm(request.GET or {"bulan": f"{last:%m-%Y}"})
    return form, (form.cleaned_data["bulan"] if form.is_valid() else None)


@koperasi_view("pharmacy.view")
def sipnap(request: KoperasiRequest):
    form, month = _month(request)
    report = (
        reports.sipnap_report(request.koperasi, year=month[0], month=month[1]) if month else None
    )
    return _render(
        request,
        "pharmacy/sipnap.html",
        {"form": form, "report": report, "bulan": form.data.get("bulan", "")},
        200 if month else 400,
    )


@koperasi_view("pharmacy.view")
def sipnap_export(request: KoperasiRequest):
    form, month = _month(request)
    if month is None:
        return _render(
            request, "pharmacy/sipnap.html", {"form": form, "report": None, "bulan": ""}, 400
        )
    year, number = month
    wb = reports.sipnap_workbook(
        request.koperasi,
        actor=request.user,
        year=year,
        month=number,
        source_address=_address(request),
    )
    return xlsx_response(wb, f"sipnap-{request.koperasi.slug}-{year:04d}-{number:02d}.xlsx")
