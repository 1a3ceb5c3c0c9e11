"""The store's report pages under /k/<slug>/toko/laporan/: the index and the sales reports,
each a page, ``?format=pdf`` and ``?format=xlsx`` of the same ``reports.Table`` (the one
export path, ``platform.documents``). Thin: parse the range, call one builder, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kopdes.platform.core.dates import DateField, format_date_input
from kopdes.platform.core.forms import KopdesForm
from kopdes.platform.documents import pdf, xlsx
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import reports
from kopdes.store.models import BusinessUnit


class SalesRangeForm(KopdesForm):
    """``dari`` / ``sampai`` (dd-mm-yyyy; today when both are empty, one day when one is)
    and ``unit`` (a business unit's kind, every unit when empty)."""

    dari = DateField(label=_("From"), required=False)
    sampai = DateField(label=_("To"), required=False)
    unit = forms.ChoiceField(
        label=_("Business unit"),
        required=False,
        error_messages={"invalid_choice": _("Unknown business unit: choose one from the list.")},
    )

    def __init__(self, data, *, koperasi, units: list[BusinessUnit]):
        super().__init__(data)
        self.koperasi = koperasi
        self.units = {u.kind: u for u in units}
        self.fields["unit"].choices = [("", _("All business units"))] + [
            (u.kind, u.name) for u in units
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if start is None and end is None:
            start = end = self.koperasi.today()
        start, end = start or end, end or start
        problem = reports.check_range(start, end)
        if problem:
            raise forms.ValidationError(problem, code="range")
        cleaned["dari"], cleaned["sampai"] = start, end
        return cleaned

    def scope(self) -> reports.Scope:
        data = self.cleaned_data
        return reports.Scope(
            self.koperasi, data["dari"], data["sampai"], self.units.get(data.get("unit") or "")
        )


def _query(form: SalesRangeForm) -> str:
    """The range as a query string (what the tabs and the downloads carry)."""
    scope = form.scope()
    values = {"dari": format_date_input(scope.start), "sampai": format_date_input(scope.end)}
    if scope.unit is not None:
        values["unit"] = scope.unit.kind
    return urlencode(values)


def _sales_view(report: reports.SalesReport):
    @require_GET
    @koperasi_view(reports.PERMISSION)
    def view(request: KoperasiRequest):
        koperasi = request.koperasi
        units = list(BusinessUnit.objects.filter(koperasi=koperasi).order_by("kind"))
        form = SalesRangeForm(request.GET, koperasi=koperasi, units=units)
        context = {
            "koperasi": koperasi,
            "form": form,
            "report": report,
            "reports": reports.SALES_REPORTS,
        }
        if not form.is_valid():
            # Bad input answers the page with its message, never a file.
            return render(request, "store/reports/sales.html", context, status=400)
        scope = form.scope()
        table = report.build(scope)
        stem = f"penjualan-{report.slug}-{koperasi.slug}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
        if scope.unit is not None and report.by_unit:
            stem += f"-{scope.unit.kind}"
        fmt = request.GET.get("format", "")
        if fmt == "pdf":
            return pdf.pdf_response(
                "store/reports/sales_pdf.html",
                {"table": table, "koperasi": koperasi},
                f"{stem}.pdf",
            )
        if fmt == "xlsx":
            return xlsx.xlsx_response(reports.workbook(table, koperasi), f"{stem}.xlsx")
        return render(
            request,
            "store/reports/sales.html",
            {**context, "table": table, "query": _query(form)},
        )

    view.__name__ = f"sales_{report.slug}"
    return view


_BY_SLUG = {r.slug: r for r in reports.SALES_REPORTS}
sales_daily = _sales_view(_BY_SLUG["harian"])
sales_by_item = _sales_view(_BY_SLUG["barang"])
sales_by_category = _sales_view(_BY_SLUG["kategori"])
sales_by_unit = _sales_view(_BY_SLUG["unit"])
sales_by_member = _sales_view(_BY_SLUG["anggota"])
sales_by_payment = _sales_view(_BY_SLUG["pembayaran"])


@require_GET
@koperasi_view("store.view")
def index(request: KoperasiRequest):
    """Every store report the caller may open, grouped (``reports.REPORT_LINKS``)."""
    return render(
        request,
        "store/reports/index.html",
        {
            "koperasi": request.koperasi,
            "groups": reports.report_links(request.koperasi, request.roles),
        },
    )
