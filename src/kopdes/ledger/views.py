"""Bookkeeping pages: manual journal, journal list and detail, periods, chart of accounts,
books and statements (page, PDF, XLSX), opening balances.

Views parse input, call one service or selector and map ``DomainError`` to a message.
Every object is looked up inside ``request.koperasi`` (404 for another koperasi's).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kopdes.domain.ledger import Side
from kopdes.domain.money import format_rupiah, terbilang
from kopdes.ledger import forms, opening, reports, selectors, services
from kopdes.ledger.attachments import EntryAttachment, post_manual_with_receipts
from kopdes.ledger.attachments import add_attachments as add_receipts
from kopdes.ledger.errors import IdempotencyConflictError
from kopdes.ledger.models import (
    Account,
    EntryProposal,
    JournalEntry,
    PeriodProposal,
    ReversalProposal,
)
from kopdes.platform.core.dates import parse_date_input
from kopdes.platform.core.errors import DomainError
from kopdes.platform.documents import pdf, xlsx
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest

PAGE_SIZE = 50


def _can(request: KoperasiRequest, code: str) -> bool:
    return has_perm(request.roles, code)


def _get(model, request: KoperasiRequest, pk):
    """The object of this koperasi with ``pk``, else 404 (also for a malformed id)."""
    try:
        found = model.objects.filter(koperasi=request.koperasi, pk=pk).first()
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc
    if found is None:
        raise Http404
    return found


# --- home ----------------------------------------------------------------------------------


@require_GET
@koperasi_view("ledger.view")
def home(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    return render(
        request,
        "ledger/home.html",
        {
            "may_post": _can(request, "ledger.post_manual"),
            "may_import": _can(request, "ledger.import_opening"),
            "pending_reversals": selectors.pending_reversals(koperasi).count(),
            "pending_periods": selectors.pending_period_proposals(koperasi).count(),
            "pending_entries": selectors.pending_entry_proposals(koperasi).count(),
        },
    )


# --- manual journal ------------------------------------------------------------------------


def _line_count(request: HttpRequest) -> int:
    try:
        n = int(request.POST.get("lines-TOTAL_FORMS", forms.START_LINES))
    except ValueError:
        n = forms.START_LINES
    return max(forms.MIN_LINES, min(n, forms.MAX_FORM_LINES))


def _summary(drafts) -> dict:
    debit = sum(d.amount for d in drafts if d.side == Side.DEBIT)
    credit = sum(d.amount for d in drafts if d.side == Side.CREDIT)
    return {
        "debit": debit,
        "credit": credit,
        "difference": abs(debit - credit),
        "balanced": debit == credit and debit > 0,
        "words": terbilang(debit) if debit == credit and debit > 0 else "",
    }


def _with_extra_line(request: HttpRequest):
    data = request.POST.copy()
    data["lines-TOTAL_FORMS"] = str(min(_line_count(request) + 1, forms.MAX_FORM_LINES))
    return data


@require_http_methods(["GET", "POST"])
@koperasi_view("ledger.post_manual")
def entry_create(request: KoperasiRequest) -> HttpResponse:
    """Step 1: fill in; step 2 ("review"): confirm with the total in words; step 3: post."""
    koperasi = request.koperasi
    step = request.POST.get("step", "")
    if request.method == "GET":
        form = forms.EntryForm(koperasi=koperasi)
        lines = forms.line_formset(koperasi)
        return _entry_page(request, form, lines)
    data = _with_extra_line(request) if step == "add-line" else request.POST
    form = forms.EntryForm(data, koperasi=koperasi)
    lines = forms.line_formset(koperasi, data)
    if step in ("add-line", "edit"):
        form.errors.clear()  # not a submission yet: no "required" errors on the head
        return _entry_page(request, form, lines, validate=False)
    if not (form.is_valid() & lines.is_valid()):
        return _entry_page(request, form, lines, status=400)
    drafts = lines.drafts()
    summary = _summary(drafts)
    if not summary["balanced"]:
        form.add_error(
            None,
            _("The entry does not balance: debit %(debit)s, credit %(credit)s.")
            % {
                "debit": format_rupiah(summary["debit"]),
                "credit": format_rupiah(summary["credit"]),
            },
        )
        return _entry_page(request, form, lines, status=400)
    if step != "post":
        return render(
            request,
            "ledger/entry_confirm.html",
            {
                "form": form,
                "lines": lines,
                "drafts": _named(koperasi, drafts),
                "summary": summary,
                "attachment_form": forms.AttachmentForm(),
            },
        )
    receipts = forms.AttachmentForm(files=request.FILES)
    if not receipts.is_valid():
        form.add_error(None, _("The receipts could not be read."))
        return _entry_page(request, form, lines, status=400)
    try:
        entry = post_manual_with_receipts(
            koperasi,
            actor=request.user,
            files=receipts.cleaned_data["files"],
            date=form.cleaned_data["date"],
            memo=form.cleaned_data["memo"],
            lines=drafts,
            idempotency_key=form.cleaned_data["idempotency_key"],
            business_unit=form.cleaned_data["business_unit"],
        )
    except IdempotencyConflictError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:entry-detail", slug=koperasi.slug, entry_id=exc.entry_id)
    except DomainError as exc:
        if exc.field == "date":
            form.add_error("date", exc.message)
        else:
            form.add_error(None, exc.message)
        return _entry_page(request, form, lines, status=400)
    if isinstance(entry, EntryProposal):
        # Back-dated beyond the AD/ART allowance: another officer approves it first.
        messages.success(
            request,
            _(
                "%(reason)s The entry is waiting for another officer's approval; nothing is "
                "recorded until then. Attach the receipts to the journal once it is approved."
            )
            % {"reason": entry.reason},
        )
        return redirect("ledger:entry-proposal-list", slug=koperasi.slug)
    messages.success(
        request,
        _("Journal %(number)s was recorded: %(total)s.")
        % {"number": entry, "total": format_rupiah(entry.total_amount)},
    )
    return redirect("ledger:entry-detail", slug=koperasi.slug, entry_id=entry.pk)


def _named(koperasi, drafts):
    names = dict(
        Account.objects.filter(koperasi=koperasi, code__in=[d.account for d in drafts]).values_list(
            "code", "name"
        )
    )
    return [{"draft": d, "name": names.get(d.account, "")} for d in drafts]


def _entry_page(request, form, lines, *, status: int = 200, validate: bool = True):
    drafts = []
    if lines.is_bound and validate:
        drafts = [f.draft() for f in lines.forms if f.is_valid()]
    return render(
        request,
        "ledger/entry_form.html",
        {
            "form": form,
            "lines": lines,
            "summary": _summary([d for d in drafts if d is not None]),
            "max_lines": forms.MAX_FORM_LINES,
        },
        status=status,
    )


@require_POST
@koperasi_view("ledger.post_manual")
def balance_preview(request: KoperasiRequest) -> HttpResponse:
    """HTMX: the running debit/credit totals of the form as typed so far."""
    koperasi = request.koperasi
    lines = forms.line_formset(koperasi, request.POST)
    drafts = []
    errors = []
    if not lines.management_form.is_valid():
        return HttpResponse(status=400)
    for n, f in enumerate(lines.forms, start=1):
        if f.is_valid():
            d = f.draft()
            if d is not None:
                drafts.append(d)
        else:
            errors.append(n)
    return render(
        request,
        "ledger/partials/_balance_preview.html",
        {"summary": _summary(drafts), "error_rows": errors},
    )


# --- journal list and detail ---------------------------------------------------------------


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    value = request.GET.get(name, "")
    try:
        return parse_date_input(value) if value else None
    except ValueError:
        return None


@require_GET
@koperasi_view("ledger.view")
def entry_list(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    date_from, date_to = _date_param(request, "dari"), _date_param(request, "sampai")
    qs = selectors.list_entries(koperasi, date_from=date_from, date_to=date_to).select_related(
        "posted_by"
    )
    page = Paginator(qs.order_by("-number"), PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "ledger/entry_list.html",
        {
            "page": page,
            "date_from": date_from,
            "date_to": date_to,
            "may_post": _can(request, "ledger.post_manual"),
        },
    )


@require_GET
@koperasi_view("ledger.view")
def entry_detail(request: KoperasiRequest, entry_id) -> HttpResponse:
    koperasi = request.koperasi
    entry = selectors.get_entry(koperasi, entry_id)
    proposals = list(
        ReversalProposal.objects.filter(koperasi=koperasi, entry=entry).select_related(
            "proposed_by", "decided_by", "reversal_entry"
        )
    )
    pending = next((p for p in proposals if p.is_pending), None)
    reversal = selectors.reversal_of(entry)
    return render(
        request,
        "ledger/entry_detail.html",
        {
            "entry": entry,
            "lines": selectors.entry_lines(entry),
            "attachments": EntryAttachment.objects.filter(koperasi=koperasi, entry=entry),
            "proposals": proposals,
            "pending": pending,
            "reversal": reversal,
            "total_words": terbilang(entry.total_amount),
            "may_propose": _can(request, "ledger.propose_reversal")
            and pending is None
            and reversal is None
            and entry.kind != "closing",
            "may_decide": pending is not None
            and _can(request, "ledger.approve_reversal")
            and pending.proposed_by_id != request.user.pk,
            "may_attach": _can(request, "ledger.post_manual"),
            "reversal_form": forms.ReversalForm(),
            "attachment_form": forms.AttachmentForm(),
        },
    )


@require_POST
@koperasi_view("ledger.propose_reversal")
def reversal_propose(request: KoperasiRequest, entry_id) -> HttpResponse:
    koperasi = request.koperasi
    entry = _get(JournalEntry, request, entry_id)
    form = forms.ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the reversal."))
    else:
        try:
            services.propose_reversal(
                entry,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                date=form.cleaned_data["date"],
            )
            messages.success(request, _("The reversal is waiting for another officer's approval."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("ledger:entry-detail", slug=koperasi.slug, entry_id=entry.pk)


@require_GET
@koperasi_view("ledger.view")
def entry_proposal_list(request: KoperasiRequest) -> HttpResponse:
    """Back-dated manual entries waiting for (or decided by) a second officer."""
    koperasi = request.koperasi
    proposals = EntryProposal.objects.filter(koperasi=koperasi).select_related(
        "proposed_by", "decided_by", "entry"
    )[:50]
    return render(
        request,
        "ledger/entry_proposal_list.html",
        {"proposals": proposals, "may_approve": _can(request, "ledger.approve_reversal")},
    )


@require_POST
@koperasi_view("ledger.post_manual")
def attachment_add(request: KoperasiRequest, entry_id) -> HttpResponse:
    koperasi = request.koperasi
    entry = _get(JournalEntry, request, entry_id)
    form = forms.AttachmentForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise DomainError(_("Choose at least one file."))
        add_receipts(entry, actor=request.user, files=form.cleaned_data["files"])
        messages.success(request, _("The receipts were attached."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("ledger:entry-detail", slug=koperasi.slug, entry_id=entry.pk)


@require_GET
@koperasi_view("ledger.view")
def attachment_download(request: HttpRequest, attachment_id) -> HttpResponse:
    attachment = _get(EntryAttachment, request, attachment_id)
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Always a download (never shown inline from our origin); at most 5 MB, so in memory.
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{pdf.safe_filename(attachment.original_name)}"'
    )
    return response


# --- periods -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("ledger.view")
def period_list(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = forms.PeriodForm(request.POST or None)
    if request.method == "POST":
        if not _can(request, "ledger.propose_close"):
            raise PermissionDenied
        action = request.POST.get("action", "close")
        if form.is_valid():
            year, month = form.cleaned_data["month"]
            try:
                if action == "reopen":
                    services.propose_period_reopen(
                        koperasi,
                        actor=request.user,
                        year=year,
                        month=month,
                        reason=form.cleaned_data["reason"],
                    )
                else:
                    services.propose_period_close(
                        koperasi,
                        actor=request.user,
                        year=year,
                        month=month,
                        reason=form.cleaned_data["reason"],
                    )
                messages.success(request, _("The proposal is waiting for the ketua's approval."))
                return redirect("ledger:period-list", slug=koperasi.slug)
            except DomainError as exc:
                form.add_error(None, exc.message)
    proposals = PeriodProposal.objects.filter(koperasi=koperasi).select_related(
        "proposed_by", "decided_by"
    )[:50]
    closed = selectors.closed_periods(koperasi)
    return render(
        request,
        "ledger/period_list.html",
        {
            "form": form,
            "proposals": proposals,
            "closed": [reports.month_name(p) for p in reversed(closed)],
            "may_propose": _can(request, "ledger.propose_close"),
            "may_approve": _can(request, "ledger.approve_close"),
            "next_close": selectors.next_close(koperasi),
        },
        status=400 if form.errors else 200,
    )


# --- chart of accounts ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("ledger.view")
def account_list(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    may_manage = _can(request, "ledger.manage_accounts")
    form = forms.AccountForm(request.POST or None, koperasi=koperasi)
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                account = services.create_account(
                    koperasi,
                    actor=request.user,
                    parent_code=form.cleaned_data["parent"].code,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    business_unit=form.cleaned_data["business_unit"],
                )
                messages.success(
                    request, _("Account %(account)s was added.") % {"account": account}
                )
                return redirect("ledger:account-list", slug=koperasi.slug)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        status = 400
    books = reports.Books(koperasi)
    rows = [{"account": a, "depth": books.depth[a.id]} for a in books.ordered()]
    return render(
        request,
        "ledger/account_list.html",
        {"rows": rows, "form": form, "may_manage": may_manage},
        status=status,
    )


# --- books and statements ------------------------------------------------------------------


def _period(request: HttpRequest) -> int:
    value = request.GET.get("periode", "")
    try:
        year, month = (int(x) for x in value.split("-"))
        dt.date(year, month, 1)
        if 1900 <= year <= 9999:
            return year * 100 + month
    except (ValueError, TypeError):
        pass
    today = timezone.localdate()
    return today.year * 100 + today.month


def _unit(request: KoperasiRequest) -> str | None:
    unit = request.GET.get("unit", "")
    koperasi = request.koperasi
    return unit if unit in dict(reports.unit_choices(koperasi)) else None


def report_workbook(report: reports.Report, koperasi):
    """The report as an XLSX sheet: same rows and totals as the page."""
    wb, ws = xlsx.new_workbook(report.title)
    xlsx.write_row(ws, [koperasi.name], bold=True)
    xlsx.write_row(ws, [report.title], bold=True)
    xlsx.write_row(ws, [report.subtitle])
    ws.append([])
    texts = len(report.text_headers)
    headers = [*report.text_headers, _("Code"), report.label_header, *report.value_headers]
    xlsx.write_header(ws, headers)
    money = range(texts + 2, texts + 2 + len(report.value_headers))
    for row in report.rows:
        label = ("  " * row.indent) + row.label
        xlsx.write_row(
            ws,
            [*row.texts, row.code, label, *row.values],
            money_columns=money,
            bold=row.kind in ("heading", "subtotal", "total"),
        )
    for note in report.notes:
        ws.append([])
        xlsx.write_row(ws, [note])
    xlsx.set_widths(ws, [12] * texts + [12, 60] + [22] * len(report.value_headers))
    return wb


def _render_report(request: KoperasiRequest, report: reports.Report, period: int, unit):
    koperasi = request.koperasi
    fmt = request.GET.get("format", "")
    stem = f"{koperasi.slug}-{report.slug}-{period}" + (f"-{unit}" if unit else "")
    context = {"report": report, "koperasi": koperasi}
    if fmt == "pdf":
        return pdf.pdf_response("ledger/report_pdf.html", context, f"{stem}.pdf")
    if fmt == "xlsx":
        return xlsx.xlsx_response(report_workbook(report, koperasi), f"{stem}.xlsx")
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "ledger/report.html",
        {
            **context,
            "periode": f"{period // 100:04d}-{period % 100:02d}",
            "unit": unit or "",
            "units": reports.unit_choices(koperasi),
            "query": query.urlencode(),
            "show_unit": not report.slug.startswith("buku-besar"),
        },
    )


def _report_view(builder):
    @require_GET
    @koperasi_view("ledger.view")
    def view(request: KoperasiRequest) -> HttpResponse:
        period, unit = _period(request), _unit(request)
        report = builder(request.koperasi, period, unit)
        return _render_report(request, report, period, unit)

    view.__name__ = builder.__name__
    return view


statement_position = _report_view(reports.statement_of_position)
statement_income = _report_view(reports.statement_of_income)
statement_cash_flows = _report_view(reports.statement_of_cash_flows)
statement_equity = _report_view(reports.statement_of_equity)
trial_balance = _report_view(reports.trial_balance)
cash_book = _report_view(reports.cash_book)
bank_book = _report_view(reports.bank_book)


@require_GET
@koperasi_view("ledger.view")
def account_ledger(request: KoperasiRequest, account_id) -> HttpResponse:
    account = _get(Account, request, account_id)
    period, unit = _period(request), _unit(request)
    report = reports.general_ledger(request.koperasi, account, period, unit)
    return _render_report(request, report, period, unit)


# --- opening balances ----------------------------------------------------------------------


@require_GET
@koperasi_view("ledger.import_opening")
def opening_template(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    return xlsx.xlsx_response(
        opening.template_workbook(koperasi), f"{koperasi.slug}-saldo-awal.xlsx"
    )


@require_http_methods(["GET", "POST"])
@koperasi_view("ledger.import_opening")
def opening_import(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = forms.OpeningForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > opening.MAX_FILE_BYTES:
            errors = [_("The file is larger than 5 MB.")]
        else:
            try:
                entry = opening.import_opening(
                    koperasi,
                    actor=request.user,
                    data=upload.read(),
                    date=form.cleaned_data["date"],
                )
            except opening.OpeningImportError as exc:
                errors = exc.errors
            except DomainError as exc:
                errors = [exc.message]
            else:
                messages.success(
                    request,
                    _("Opening balances were recorded as journal %(number)s.") % {"number": entry},
                )
                return redirect("ledger:entry-detail", slug=koperasi.slug, entry_id=entry.pk)
    return render(
        request,
        "ledger/opening.html",
        {"form": form, "errors": errors},
        status=400 if (errors or form.errors) else 200,
    )
