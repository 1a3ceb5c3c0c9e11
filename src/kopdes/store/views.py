"""The store's pages under /k/<slug>/toko/. Thin: parse, call one service/selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.domain.money import format_rupiah
from kopdes.domain.units import tidy
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.regions import UnknownRegionError, lookup_region
from kopdes.platform.documents.xlsx import xlsx_response
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.privacy import services as privacy
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import catalog_xlsx, selectors, services
from kopdes.store.choices import UnitKind
from kopdes.store.forms import EnableUnitForm, ImportForm, ItemForm, RevealForm, SupplierForm


def _address(request) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


def _may(request, code: str) -> bool:
    return has_perm(request.roles, code)


def _form_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or [(exc.field, exc.message)]
    for field, message in errors:
        form.add_error(field if field in form.fields else None, message)


def _unit_choices(koperasi) -> list[tuple[str, str]]:
    return [(u.kind, u.name) for u in selectors.list_business_units(koperasi, active_only=True)]


@koperasi_view("store.view")
def catalog(request: KoperasiRequest):
    query = request.GET.get("q", "")[:100]
    unit = request.GET.get("unit", "")
    if unit not in UnitKind.values:
        unit = ""
    page = Paginator(selectors.list_items(request.koperasi, query=query, unit=unit), 50).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "item": item,
            "member_price": format_rupiah(item.member_price),
            "public_price": format_rupiah(item.public_price),
            "min_stock": tidy(item.min_stock),
        }
        for item in page
    ]
    return render(
        request,
        "store/catalog.html",
        {
            "koperasi": request.koperasi,
            "page": page,
            "rows": rows,
            "query": query,
            "unit": unit,
            "units": _unit_choices(request.koperasi),
            "may_edit": _may(request, "store.manage_catalog"),
            "may_units": _may(request, "store.manage_units"),
        },
    )


def _item_page(request, form, item=None):
    return render(
        request,
        "store/item_form.html",
        {
            "koperasi": request.koperasi,
            "form": form,
            "item": item,
            "categories": selectors.list_categories(request.koperasi),
            "no_units": not form.fields["business_unit"].choices,
        },
    )


@koperasi_view("store.manage_catalog")
def item_create(request: KoperasiRequest):
    units = _unit_choices(request.koperasi)
    form = ItemForm(request.POST or None, units=units, initial={"base_unit": "pcs"})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(
                request.koperasi,
                actor=request.user,
                data=form.item_data(),
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(item)s added to the catalog.") % {"item": item.name})
            if "again" in request.POST:
                return redirect("store:item-create", slug=request.koperasi.slug)
            return redirect("store:catalog", slug=request.koperasi.slug)
    return _item_page(request, form)


@koperasi_view("store.manage_catalog")
def item_edit(request: KoperasiRequest, item_id):
    item = selectors.get_item(request.koperasi, item_id)
    initial = {
        "name": item.name,
        "barcode": item.barcode,
        "business_unit": item.business_unit.kind,
        "category": item.category.name if item.category_id else "",
        "base_unit": item.base_unit,
        "units_per_pak": item.units_per_pak or "",
        "units_per_dus": item.units_per_dus or "",
        "member_price": format_rupiah(item.member_price, prefix=""),
        "public_price": format_rupiah(item.public_price, prefix=""),
        "min_stock": str(tidy(item.min_stock)).replace(".", ","),
        "is_service": item.is_service,
    }
    units = _unit_choices(request.koperasi)
    if item.business_unit.kind not in dict(units):
        units.append((item.business_unit.kind, item.business_unit.name))
    form = ItemForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(
                item, actor=request.user, data=form.item_data(), source_address=_address(request)
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(item)s saved.") % {"item": item.name})
            return redirect("store:catalog", slug=request.koperasi.slug)
    return _item_page(request, form, item)


@require_POST
@koperasi_view("store.manage_catalog")
def item_active(request: KoperasiRequest, item_id):
    item = selectors.get_item(request.koperasi, item_id)
    active = request.POST.get("active") == "1"
    try:
        services.set_item_active(
            item, actor=request.user, active=active, source_address=_address(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (_("%(item)s is back on sale.") if active else _("%(item)s is no longer sold."))
            % {"item": item.name},
        )
    return redirect("store:item-edit", slug=request.koperasi.slug, item_id=item.pk)


@koperasi_view("store.view")
def catalog_export(request: KoperasiRequest):
    koperasi = request.koperasi
    wb = catalog_xlsx.export_workbook(
        koperasi,
        selectors.list_items(koperasi),
        list(selectors.list_business_units(koperasi, active_only=True)),
    )
    return xlsx_response(wb, f"katalog-{koperasi.slug}-{timezone.localdate():%Y-%m-%d}.xlsx")


@koperasi_view("store.manage_catalog")
def catalog_template(request: KoperasiRequest):
    wb = catalog_xlsx.template_workbook(
        request.koperasi, list(selectors.list_business_units(request.koperasi, active_only=True))
    )
    return xlsx_response(wb, "templat-katalog.xlsx")


@koperasi_view("store.manage_catalog")
def catalog_import(request: KoperasiRequest):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > catalog_xlsx.MAX_BYTES:
                raise services.ImportErrors(
                    errors=[(0, "file", _("The file is too large (at most 5 MB)."))]
                )
            rows = catalog_xlsx.read_rows(upload.read())
            result = services.import_catalog(
                request.koperasi,
                actor=request.user,
                rows=rows,
                source_address=_address(request),
            )
        except services.ImportErrors as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Catalog imported: %(created)d items added, %(updated)d changed.") % result,
            )
            return redirect("store:catalog", slug=request.koperasi.slug)
    columns = dict(catalog_xlsx.COLUMNS)
    shown = [(row, columns.get(field, field), message) for row, field, message in errors]
    return render(
        request,
        "store/catalog_import.html",
        {"koperasi": request.koperasi, "form": form, "errors": shown},
    )


def _village(code: str) -> str:
    if not code:
        return ""
    try:
        region = lookup_region(code)
    except (UnknownRegionError, ValueError):
        return code
    return region.label


@koperasi_view("store.view")
def supplier_list(request: KoperasiRequest):
    return _supplier_page(request, revealed=None)


def _supplier_page(request, *, revealed):
    query = request.GET.get("q", "")[:100]
    suppliers = selectors.list_suppliers(request.koperasi, query=query)
    rows = [
        {
            "supplier": s,
            "phone": selectors.masked_phone(s),
            "village": _village(s.region_code),
        }
        for s in suppliers[:500]
    ]
    return render(
        request,
        "store/supplier_list.html",
        {
            "koperasi": request.koperasi,
            "rows": rows,
            "query": query,
            "may_add": _may(request, "store.manage_suppliers"),
            "may_reveal": _may(request, "privacy.reveal"),
            "reveal_form": RevealForm(),
            "revealed": revealed,
        },
    )


@koperasi_view("store.manage_suppliers")
def supplier_create(request: KoperasiRequest):
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.create_supplier(
                request.koperasi,
                actor=request.user,
                data=form.cleaned_data,
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Supplier %(name)s added.") % {"name": supplier.name})
            return redirect("store:supplier-list", slug=request.koperasi.slug)
    return render(request, "store/supplier_form.html", {"koperasi": request.koperasi, "form": form})


@require_POST
@koperasi_view("privacy.reveal")
def supplier_reveal(request: KoperasiRequest, supplier_id):
    supplier = selectors.get_supplier(request.koperasi, supplier_id)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            phone = privacy.reveal(
                supplier,
                "phone",
                actor=request.user,
                koperasi=request.koperasi,
                reason=form.cleaned_data["reason"],
                source_address=_address(request),
            )
            revealed = (supplier, phone)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Write why you need to see the number."))
    return _supplier_page(request, revealed=revealed)


@koperasi_view("store.view")
def unit_list(request: KoperasiRequest):
    koperasi = request.koperasi
    running = list(selectors.list_business_units(koperasi))
    taken = {u.kind for u in running if u.is_active}
    form = EnableUnitForm()
    form.fields["kind"].choices = [(k, v) for k, v in UnitKind.choices if k not in taken]
    return render(
        request,
        "store/unit_list.html",
        {
            "koperasi": koperasi,
            "units": [
                {
                    "unit": u,
                    "accounts": services.account_codes(u.kind),
                    "in_profile": u.ledger_unit in (koperasi.business_units or []),
                }
                for u in running
            ],
            "form": form,
            "may_manage": _may(request, "store.manage_units"),
        },
    )


@require_POST
@koperasi_view("store.manage_units")
def unit_enable(request: KoperasiRequest):
    form = EnableUnitForm(request.POST)
    if form.is_valid():
        try:
            unit = services.enable_business_unit(
                request.koperasi,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                at=timezone.now(),
                source_address=_address(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(unit)s is now running.") % {"unit": unit.name})
    else:
        messages.error(request, _("Choose a business unit."))
    return redirect("store:unit-list", slug=request.koperasi.slug)


@require_POST
@koperasi_view("store.manage_units")
def unit_disable(request: KoperasiRequest, business_unit_id):
    unit = selectors.get_business_unit(request.koperasi, business_unit_id)
    try:
        services.disable_business_unit(unit, actor=request.user, source_address=_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(unit)s was switched off.") % {"unit": unit.name})
    return redirect("store:unit-list", slug=request.koperasi.slug)
