"""Pages of the subsidised channels (``/k/<slug>/toko/subsidi/``). Thin: parse, call one
service or selector, render; a refusal is shown in Bahasa Indonesia and nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.domain import subsidy as rules
from kopdes.platform.core.errors import DomainError
from kopdes.platform.documents.xlsx import xlsx_response
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.privacy import services as privacy
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.subsidy import rdkk_xlsx, selectors, services
from kopdes.subsidy.choices import BuyerKind, Channel, Product
from kopdes.subsidy.forms import (
    BuyerForm,
    DayForm,
    HetForm,
    ImportForm,
    NikSearchForm,
    RevealForm,
    RuleForm,
    SeasonForm,
)


def _address(request) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


def _may(request, code: str) -> bool:
    return has_perm(request.roles, code)


def _form_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or [(exc.field, exc.message)]
    for field, message in errors:
        form.add_error(field if field in form.fields else None, message)


# --- the channels and their settings ---------------------------------------------------------


def _overview(request: KoperasiRequest, **forms):
    koperasi = request.koperasi
    today = koperasi.today()
    lpg_rule = selectors.rule_on(koperasi, Channel.LPG, today)
    sphp_rule = selectors.rule_on(koperasi, Channel.SPHP, today)
    context = {
        "koperasi": koperasi,
        "today": today,
        "lpg_rule": lpg_rule,
        "sphp_rule": sphp_rule,
        "het_rates": selectors.list_het_rates(koperasi),
        "default_fertilizer_het": [
            (kind.label, rate)
            for kind, rates in rules.DEFAULT_FERTILIZER_HET.items()
            for rate in rates
        ],
        "channel_rules": selectors.list_channel_rules(koperasi),
        "seasons": selectors.list_seasons(koperasi),
        "counts": selectors.counts(koperasi),
        "recent_sales": selectors.recent_sales(koperasi),
        "may_manage": _may(request, "subsidy.manage_settings"),
        "may_register": _may(request, "subsidy.register_buyer"),
        "may_import": _may(request, "subsidy.import_allocations"),
        "may_register_export": _may(request, "subsidy.export_register"),
        "may_reports": _may(request, "subsidy.export_reports"),
        "het_form": forms.get("het_form") or HetForm(initial={"product": Product.LPG_3KG}),
        "rule_form": forms.get("rule_form") or RuleForm(),
        "season_form": forms.get("season_form") or SeasonForm(),
        # Two date fields named "tanggal" (the query parameter), each with its own id.
        "lpg_day_form": DayForm(initial={"tanggal": today}, auto_id="lpg_%s"),
        "sphp_day_form": DayForm(initial={"tanggal": today}, auto_id="sphp_%s"),
    }
    return render(request, "subsidy/overview.html", context, status=400 if forms else 200)


@koperasi_view("subsidy.view")
def overview(request: KoperasiRequest):
    return _overview(request)


def _setting(request: KoperasiRequest, form, service, done: str, form_name: str):
    if form.is_valid():
        try:
            service(
                request.koperasi,
                actor=request.user,
                data=form.cleaned_data,
                at=timezone.now(),
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("subsidy:overview", slug=request.koperasi.slug)
    return _overview(request, **{form_name: form})


@require_POST
@koperasi_view("subsidy.manage_settings")
def het_add(request: KoperasiRequest):
    return _setting(
        request, HetForm(request.POST), services.add_het_rate, _("HET saved."), "het_form"
    )


@require_POST
@koperasi_view("subsidy.manage_settings")
def rule_add(request: KoperasiRequest):
    return _setting(
        request, RuleForm(request.POST), services.add_channel_rule, _("Limit saved."), "rule_form"
    )


@require_POST
@koperasi_view("subsidy.manage_settings")
def season_add(request: KoperasiRequest):
    return _setting(
        request, SeasonForm(request.POST), services.add_season, _("Season saved."), "season_form"
    )


# --- buyers -------------------------------------------------------------------------------


@koperasi_view("subsidy.view")
def buyer_list(request: KoperasiRequest):
    form = NikSearchForm(request.GET or None)
    problem = ""
    searched = False
    if form.is_bound and form.is_valid() and form.cleaned_data["nik"]:
        searched = True
        buyers, problem = selectors.search_buyers(request.koperasi, form.cleaned_data["nik"])
    else:
        buyers = list(selectors.list_buyers(request.koperasi)[:200])
    return render(
        request,
        "subsidy/buyer_list.html",
        {
            "koperasi": request.koperasi,
            "form": form,
            "searched": searched,
            "problem": problem,
            "rows": [(b, selectors.masked_nik(b)) for b in buyers],
            "may_register": _may(request, "subsidy.register_buyer"),
        },
    )


@koperasi_view("subsidy.register_buyer")
def buyer_register(request: KoperasiRequest):
    form = BuyerForm(request.POST or None, initial={"kind": BuyerKind.HOUSEHOLD})
    if request.method == "POST" and form.is_valid():
        try:
            buyer = services.register_buyer(
                request.koperasi,
                actor=request.user,
                data=form.cleaned_data,
                at=timezone.now(),
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Buyer %(name)s registered.") % {"name": buyer.name})
            return redirect("subsidy:buyer-detail", slug=request.koperasi.slug, buyer_id=buyer.pk)
    return render(
        request,
        "subsidy/buyer_form.html",
        {"koperasi": request.koperasi, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _buyer_page(request: KoperasiRequest, buyer, *, revealed=None, reveal_form=None):
    return render(
        request,
        "subsidy/buyer_detail.html",
        {
            "koperasi": request.koperasi,
            "buyer": buyer,
            "nik_masked": selectors.masked_nik(buyer),
            "sales": selectors.buyer_sales(buyer),
            "may_reveal": _may(request, "privacy.reveal"),
            "reveal_form": reveal_form or RevealForm(),
            "revealed": revealed,
        },
    )


@koperasi_view("subsidy.view")
def buyer_detail(request: KoperasiRequest, buyer_id):
    return _buyer_page(request, selectors.get_buyer(request.koperasi, buyer_id))


@require_POST
@koperasi_view("privacy.reveal")
def buyer_reveal(request: KoperasiRequest, buyer_id):
    buyer = selectors.get_buyer(request.koperasi, buyer_id)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = privacy.reveal(
                buyer,
                "nik",
                actor=request.user,
                koperasi=request.koperasi,
                reason=form.cleaned_data["reason"],
                source_address=_address(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    return _buyer_page(request, buyer, revealed=revealed, reveal_form=form)


# --- RDKK allocations ---------------------------------------------------------------------


def _season_from(request: KoperasiRequest):
    seasons = list(selectors.list_seasons(request.koperasi))
    code = request.GET.get("musim", "")[:20]
    chosen = next((s for s in seasons if s.code == code), None)
    if chosen is None and not code and seasons:
        today = request.koperasi.today()
        chosen = next((s for s in seasons if s.start <= today <= s.end), seasons[0])
    return seasons, chosen


@koperasi_view("subsidy.view")
def allocation_list(request: KoperasiRequest):
    seasons, season = _season_from(request)
    rows = selectors.allocation_rows(request.koperasi, season) if season else []
    return render(
        request,
        "subsidy/allocation_list.html",
        {
            "koperasi": request.koperasi,
            "seasons": seasons,
            "season": season,
            "rows": rows,
            "may_import": _may(request, "subsidy.import_allocations"),
            "may_reports": _may(request, "subsidy.export_reports"),
        },
    )


@koperasi_view("subsidy.import_allocations")
def allocation_import(request: KoperasiRequest):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > rdkk_xlsx.MAX_BYTES:
                raise services.ImportErrors(
                    errors=[(0, "file", _("The file is too large (at most 5 MB)."))]
                )
            batch = services.import_allocations(
                request.koperasi,
                actor=request.user,
                content=upload.read(),
                filename=upload.name,
                at=timezone.now(),
                source_address=_address(request),
            )
        except services.ImportErrors as exc:
            form.add_error(None, exc.message)
            errors = exc.errors
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(n)d allocation(s) imported.") % {"n": batch.rows})
            return redirect("subsidy:allocation-list", slug=request.koperasi.slug)
    return render(
        request,
        "subsidy/allocation_import.html",
        {"koperasi": request.koperasi, "form": form, "errors": errors},
        status=400 if form.is_bound and (errors or form.errors) else 200,
    )


@koperasi_view("subsidy.import_allocations")
def allocation_template(request: KoperasiRequest):
    codes = [s.code for s in selectors.list_seasons(request.koperasi)]
    return xlsx_response(rdkk_xlsx.template_workbook(codes), "templat-rdkk.xlsx")


# --- registers ----------------------------------------------------------------------------


def _day(request: KoperasiRequest):
    if not request.GET.get("tanggal"):
        return request.koperasi.today()
    form = DayForm(request.GET)
    if not form.is_valid():
        return None
    return form.cleaned_data["tanggal"]


def _bad_day(request: KoperasiRequest):
    messages.error(request, _("Write the date as dd-mm-yyyy, for example 17-08-2026."))
    return redirect("subsidy:overview", slug=request.koperasi.slug)


@koperasi_view("subsidy.export_register")
def lpg_register(request: KoperasiRequest):
    day = _day(request)
    if day is None:
        return _bad_day(request)
    wb = services.lpg_register_workbook(
        request.koperasi, actor=request.user, day=day, source_address=_address(request)
    )
    return xlsx_response(wb, f"register-lpg-{request.koperasi.slug}-{day:%Y-%m-%d}.xlsx")


@koperasi_view("subsidy.export_reports")
def sphp_report(request: KoperasiRequest):
    day = _day(request)
    if day is None:
        return _bad_day(request)
    wb = services.sphp_daily_workbook(
        request.koperasi, actor=request.user, day=day, source_address=_address(request)
    )
    return xlsx_response(wb, f"sphp-{request.koperasi.slug}-{day:%Y-%m-%d}.xlsx")


@koperasi_view("subsidy.export_reports")
def pupuk_report(request: KoperasiRequest):
    _seasons, season = _season_from(request)
    if season is None:
        raise Http404
    wb = services.pupuk_season_workbook(
        request.koperasi, actor=request.user, season=season, source_address=_address(request)
    )
    return xlsx_response(wb, f"pupuk-{request.koperasi.slug}-{season.code}.xlsx")
