"""Savings pages: the teller counter (setoran, penarikan, pemindahbukuan) with a confirmation
step and a 58 mm receipt, member savings, statements (page, PDF, XLSX), the passbook,
large-withdrawal approvals (decided through the approvals inbox's view pair), the monthly
jasa run, wajib arrears and opening balances.

Views parse input, call one service or selector and map ``DomainError`` to a message.
Every object is looked up inside ``request.koperasi`` (404 for another koperasi's). Money
forms carry an idempotency key made when the form is first shown (hidden field), so a
double click, a retry or the back button never posts twice.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kopdes.domain.money import format_rupiah, terbilang
from kopdes.members.choices import MemberStatus
from kopdes.platform.core.errors import DomainError
from kopdes.platform.documents import pdf, xlsx
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.savings import export, forms, opening, selectors, services
from kopdes.savings.approvals import DEPOSIT, WITHDRAWAL
from kopdes.savings.choices import AccountStatus, SavingsKind, TxnKind
from kopdes.savings.models import SavingsTransaction, WithdrawalRequest

CORRECTION_KINDS = frozenset(services.CORRECTABLE_KINDS)


def _can(request: KoperasiRequest, code: str) -> bool:
    return has_perm(request.roles, code)


def _today() -> dt.date:
    return timezone.localdate()


# --- home and member -----------------------------------------------------------------------


@require_GET
@koperasi_view("savings.view")
def home(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = forms.FindMemberForm(request.GET or None)
    not_found = False
    if form.is_bound and form.is_valid():
        member = selectors.find_member(koperasi, form.cleaned_data["q"])
        if member is not None:
            return redirect("savings:member", slug=koperasi.slug, member_id=member.pk)
        not_found = True
    totals = selectors.totals_by_kind(koperasi)
    return render(
        request,
        "savings/home.html",
        {
            "form": form,
            "not_found": not_found,
            "totals": [(label, totals.get(kind, 0)) for kind, label in SavingsKind.choices],
            "total": sum(totals.values()),
            "recent": selectors.recent_transactions(koperasi),
            "pending": len(selectors.pending_withdrawals(koperasi)),
            "can_teller": _can(request, "savings.teller"),
            "can_jasa": _can(request, "savings.run_jasa"),
            "can_import": _can(request, "savings.import_opening"),
        },
    )


@require_GET
@koperasi_view("savings.view")
def member(request: KoperasiRequest, member_id) -> HttpResponse:
    koperasi = request.koperasi
    person = selectors.get_member(koperasi, member_id)
    accounts = selectors.list_member_accounts(person)
    has = {a.kind for a in accounts if a.status == AccountStatus.OPEN}
    return render(
        request,
        "savings/member.html",
        {
            "member": person,
            "accounts": accounts,
            "can_teller": _can(request, "savings.teller"),
            "needs_pokok": SavingsKind.PRINCIPAL not in has,
            "missing_kinds": [
                (k, label)
                for k, label in SavingsKind.choices
                if k in (SavingsKind.MANDATORY, SavingsKind.VOLUNTARY) and k not in has
            ],
            "total": sum(a.balance for a in accounts),
        },
    )


@require_POST
@koperasi_view("savings.teller")
def account_open(request: KoperasiRequest, member_id) -> HttpResponse:
    koperasi = request.koperasi
    person = selectors.get_member(koperasi, member_id)
    kind = request.POST.get("kind", "")
    if kind not in (SavingsKind.MANDATORY, SavingsKind.VOLUNTARY):
        messages.error(request, _("Choose mandatory or voluntary savings."))
    else:
        try:
            services.open_account(person, actor=request.user, kind=kind, date=_today())
            messages.success(request, _("The account is open."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("savings:member", slug=koperasi.slug, member_id=person.pk)


# --- teller --------------------------------------------------------------------------------

OPS = {
    "deposit": (gettext_lazy("Deposit (setoran)"), "savings.deposit"),
    "withdraw": (gettext_lazy("Withdrawal (penarikan)"), "savings.withdraw"),
}


def _teller_accounts(accounts, op: str):
    accounts = [a for a in accounts if a.status == AccountStatus.OPEN]
    if op == "withdraw":
        return [a for a in accounts if a.kind == SavingsKind.VOLUNTARY]
    return [a for a in accounts if a.kind in (SavingsKind.MANDATORY, SavingsKind.VOLUNTARY)]


def _needs_pokok(person, accounts) -> bool:
    """A candidate (or an active member whose pokok was corrected away) pays simpanan
    pokok before any other savings: the teller page says so and offers it."""
    if person.status not in (MemberStatus.CANDIDATE, MemberStatus.ACTIVE):
        return False
    return not any(
        a.kind == SavingsKind.PRINCIPAL and a.status == AccountStatus.OPEN and a.balance > 0
        for a in accounts
    )


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.teller")
def teller(request: KoperasiRequest, member_id, op: str) -> HttpResponse:
    """Step 1 form; step "review": amount and terbilang to confirm; step "post": move money."""
    koperasi = request.koperasi
    data = selectors.teller_data(koperasi, member_id)
    person, counters = data.member, data.counters
    accounts = _teller_accounts(data.accounts, op)
    title = str(OPS[op][0])
    step = request.POST.get("step", "")
    form = forms.TellerForm(
        request.POST if request.method == "POST" else None, accounts=accounts, counters=counters
    )
    context = {
        "member": person,
        "form": form,
        "title": title,
        "op": op,
        "has_accounts": bool(accounts),
        "needs_pokok": _needs_pokok(person, data.accounts),
        "pokok_amount": koperasi.adart.simpanan_pokok_amount,
    }
    if request.method == "GET" or step == "edit":
        if step == "edit":
            form = forms.TellerForm(
                initial=request.POST.dict(), accounts=accounts, counters=counters
            )
            context["form"] = form
        return render(request, "savings/teller.html", context)
    if not form.is_valid():
        return render(request, "savings/teller.html", context, status=400)
    data = form.cleaned_data
    if step != "post":
        needs_approval = False
        if op == "withdraw":
            # The service's own refusals, before the teller confirms (nothing is written).
            try:
                needs_approval = services.check_withdrawal(
                    data["account"],
                    actor=request.user,
                    amount=data["amount"],
                    date=_today(),
                    counter_account=data["counter_account"],
                ).needs_approval
            except DomainError as exc:
                form.add_error(None, exc.message)
                return render(request, "savings/teller.html", context, status=exc.status)
        else:
            needs_approval = data["amount"] > koperasi.adart.deposit_approval_threshold
        context.update(
            {
                "account": data["account"],
                "amount": data["amount"],
                "words": terbilang(data["amount"]),
                "counter": data["counter_account"] or None,
                "counter_name": form.counters.get(data["counter_account"], ""),
                "needs_approval": needs_approval,
            }
        )
        return render(request, "savings/teller_confirm.html", context)
    service = services.deposit if op == "deposit" else services.withdraw
    try:
        result = service(
            data["account"],
            actor=request.user,
            amount=data["amount"],
            date=_today(),
            idempotency_key=data["idempotency_key"],
            memo=data["memo"],
            counter_account=data["counter_account"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "savings/teller.html", context, status=exc.status)
    if isinstance(result, WithdrawalRequest):
        if result.kind == TxnKind.DEPOSIT:
            waits = _("The deposit is above %(limit)s and waits for a second officer's approval.")
            limit = koperasi.adart.deposit_approval_threshold
        else:
            waits = _(
                "The withdrawal is above %(limit)s and waits for a second officer's approval."
            )
            limit = koperasi.adart.withdrawal_approval_threshold
        messages.warning(request, waits % {"limit": format_rupiah(limit)})
        return redirect("savings:approval-list", slug=koperasi.slug)
    return redirect("savings:receipt", slug=koperasi.slug, transaction_id=result.pk)


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.teller")
def transfer(request: KoperasiRequest, member_id) -> HttpResponse:
    koperasi = request.koperasi
    person = selectors.get_member(koperasi, member_id)
    open_accounts = [
        a for a in selectors.list_member_accounts(person) if a.status == AccountStatus.OPEN
    ]
    sources = [a for a in open_accounts if a.kind == SavingsKind.VOLUNTARY]
    targets = [a for a in open_accounts if a.kind in services.TRANSFER_TARGETS]
    step = request.POST.get("step", "")
    form = forms.TransferForm(
        request.POST if request.method == "POST" else None, sources=sources, targets=targets
    )
    context = {"member": person, "form": form, "title": _("Transfer between savings")}
    if request.method == "GET" or step == "edit":
        if step == "edit":
            context["form"] = forms.TransferForm(
                initial=request.POST.dict(), sources=sources, targets=targets
            )
        return render(request, "savings/transfer.html", context)
    if not form.is_valid():
        return render(request, "savings/transfer.html", context, status=400)
    data = form.cleaned_data
    if step != "post":
        try:  # the transfer's own refusals before the teller confirms (nothing written)
            services.check_transfer(
                data["source"],
                data["target"],
                actor=request.user,
                amount=data["amount"],
                date=_today(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, "savings/transfer.html", context, status=exc.status)
        context.update({"amount": data["amount"], "words": terbilang(data["amount"])})
        return render(request, "savings/transfer_confirm.html", context)
    try:
        out, _into = services.transfer(
            data["source"],
            data["target"],
            actor=request.user,
            amount=data["amount"],
            date=_today(),
            idempotency_key=data["idempotency_key"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "savings/transfer.html", context, status=exc.status)
    return redirect("savings:receipt", slug=koperasi.slug, transaction_id=out.pk)


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.teller")
def pay_principal(request: KoperasiRequest, member_id) -> HttpResponse:
    """Simpanan pokok: confirm the AD/ART amount in words, then take it (activates a calon)."""
    koperasi = request.koperasi
    person = selectors.get_member(koperasi, member_id)
    form = forms.CounterForm(
        request.POST if request.method == "POST" else None,
        counters=selectors.counter_accounts(koperasi),
    )
    amount = koperasi.adart.simpanan_pokok_amount
    context = {"member": person, "form": form, "amount": amount, "words": terbilang(amount)}
    if request.method == "GET":
        return render(request, "savings/principal.html", context)
    if not form.is_valid():
        return render(request, "savings/principal.html", context, status=400)
    try:
        txn = services.pay_principal(
            person,
            actor=request.user,
            date=_today(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            counter_account=form.cleaned_data["counter_account"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "savings/principal.html", context, status=exc.status)
    return redirect("savings:receipt", slug=koperasi.slug, transaction_id=txn.pk)


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.teller")
def term_place(request: KoperasiRequest, member_id) -> HttpResponse:
    koperasi = request.koperasi
    person = selectors.get_member(koperasi, member_id)
    product = services.default_product(koperasi, SavingsKind.TERM)
    step = request.POST.get("step", "")
    counters = selectors.counter_accounts(koperasi)
    form = forms.TermForm(
        request.POST if request.method == "POST" else None,
        initial={"term_months": product.term_months or 6},
        counters=counters,
    )
    context = {"member": person, "form": form, "product": product}
    if request.method == "GET" or step == "edit":
        if step == "edit":
            context["form"] = forms.TermForm(initial=request.POST.dict(), counters=counters)
        return render(request, "savings/term.html", context)
    if not form.is_valid():
        return render(request, "savings/term.html", context, status=400)
    data = form.cleaned_data
    if step != "post":
        context.update(
            {
                "amount": data["amount"],
                "words": terbilang(data["amount"]),
                "counter": data["counter_account"] or None,
                "counter_name": form.counters.get(data["counter_account"], ""),
            }
        )
        return render(request, "savings/term_confirm.html", context)
    try:
        account = services.place_term_deposit(
            person,
            actor=request.user,
            amount=data["amount"],
            date=_today(),
            idempotency_key=data["idempotency_key"],
            product=product,
            term_months=data["term_months"],
            on_maturity=data["on_maturity"],
            counter_account=data["counter_account"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "savings/term.html", context, status=exc.status)
    txn = SavingsTransaction.objects.filter(koperasi=koperasi, account=account).order_by("seq")
    return redirect("savings:receipt", slug=koperasi.slug, transaction_id=txn.first().pk)


@require_POST
@koperasi_view("savings.teller")
def term_close(request: KoperasiRequest, savings_account_id) -> HttpResponse:
    """Settle at maturity (action "settle") or break early (action "break")."""
    koperasi = request.koperasi
    account = selectors.get_account(koperasi, savings_account_id)
    action = request.POST.get("action", "")
    try:
        if action == "settle":
            services.settle_term_deposit(account, actor=request.user, date=_today())
        elif action == "break":
            services.break_term_deposit(account, actor=request.user, date=_today())
        else:
            raise DomainError(_("Choose settle or break."))
        messages.success(request, _("The term deposit is settled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("savings:account", slug=koperasi.slug, savings_account_id=account.pk)


# --- receipt -------------------------------------------------------------------------------


@require_GET
@koperasi_view("savings.view")
def receipt(request: KoperasiRequest, transaction_id) -> HttpResponse:
    """The receipt (bukti setoran/penarikan): 58 mm print layout and a WhatsApp link."""
    koperasi = request.koperasi
    txn = selectors.get_transaction(koperasi, transaction_id)
    kind = dict(TxnKind.choices).get(txn.kind, txn.kind)
    text = _(
        "%(koperasi)s\n%(kind)s %(account)s\n%(member)s\n%(date)s\n%(amount)s\n(%(words)s)\n"
        "Balance: %(balance)s\nJournal no. %(entry)s"
    ) % {
        "koperasi": koperasi.name,
        "kind": kind,
        "account": txn.account.number,
        "member": txn.member.full_name,
        "date": txn.date.strftime("%d-%m-%Y"),
        "amount": format_rupiah(abs(txn.amount)),
        "words": terbilang(abs(txn.amount)),
        "balance": format_rupiah(txn.balance_after),
        "entry": txn.entry.number if txn.entry else "-",
    }
    return render(
        request,
        "savings/receipt.html",
        {
            "txn": txn,
            "officers": _receipt_officers(koperasi, txn),
            "kind": kind,
            "amount": abs(txn.amount),
            "words": terbilang(abs(txn.amount)),
            "whatsapp": "https://wa.me/?text=" + quote(text),
            "can_correct": _can(request, "savings.teller") and txn.kind in CORRECTION_KINDS,
            "corrections": selectors.corrections_of(txn),
        },
    )


def _receipt_officers(koperasi, txn) -> list[tuple[str, str]]:
    """Who handled the money, each under her own label: the teller who paid out or
    received it (for a movement a second officer approved, the officer who asked at the
    counter) and, apart, the officer who approved it; who recorded anything else."""
    label = {
        TxnKind.DEPOSIT: _("Received by"),
        TxnKind.WITHDRAWAL: _("Paid out by"),
        TxnKind.PAYOUT: _("Paid out by"),
    }.get(txn.kind, _("Recorded by"))
    request = (
        WithdrawalRequest.objects.filter(koperasi=koperasi, transaction=txn)
        .select_related("proposed_by", "decided_by")
        .first()
        if txn.kind in (TxnKind.WITHDRAWAL, TxnKind.DEPOSIT)
        else None
    )
    if request is not None:
        return [(label, str(request.proposed_by)), (_("Approved by"), str(request.decided_by))]
    if txn.created_by is None:
        return []
    return [(label, str(txn.created_by))]


# --- account, statement, passbook ------------------------------------------------------------


def _statement_range(request: HttpRequest) -> tuple[forms.StatementForm, dt.date, dt.date]:
    date_from, date_to = forms.StatementForm.default_range()
    form = forms.StatementForm(request.GET or None, initial={"date_from": date_from,
                                                             "date_to": date_to})  # fmt: skip
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, date_from, date_to


def _statement_response(request, statement, template_context, name: str) -> HttpResponse:
    koperasi = request.koperasi
    fmt = request.GET.get("format", "")
    filename = f"rekening-{name}-{statement.date_from:%Y%m%d}-{statement.date_to:%Y%m%d}"
    if fmt in ("xlsx", "pdf"):
        if fmt == "xlsx":
            body = export.statement_xlsx(koperasi, statement)
            content_type = xlsx.XLSX_CONTENT_TYPE
        else:
            body = export.statement_pdf(koperasi, statement)
            content_type = "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        name = f"{pdf.safe_filename(filename)}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    template_context["statement"] = statement
    template_context["kinds"] = dict(TxnKind.choices)
    template_context["query"] = request.GET.urlencode()
    return render(request, "savings/statement.html", template_context)


@require_GET
@koperasi_view("savings.view")
def account(request: KoperasiRequest, savings_account_id) -> HttpResponse:
    """One account: its statement for a date range (page, ?format=pdf, ?format=xlsx)."""
    koperasi = request.koperasi
    acc = selectors.get_account(koperasi, savings_account_id)
    form, date_from, date_to = _statement_range(request)
    statement = selectors.member_statement(acc, date_from, date_to)
    return _statement_response(
        request,
        statement,
        {"form": form, "account": acc, "member": acc.member,
         "can_teller": _can(request, "savings.teller")},
        acc.number,
    )  # fmt: skip


@require_GET
@koperasi_view("savings.view")
def member_statement(request: KoperasiRequest, member_id) -> HttpResponse:
    koperasi = request.koperasi
    person = selectors.get_member(koperasi, member_id)
    form, date_from, date_to = _statement_range(request)
    statement = selectors.member_statement(person, date_from, date_to)
    return _statement_response(request, statement, {"form": form, "member": person}, person.number)


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.view")
def passbook(request: KoperasiRequest, savings_account_id) -> HttpResponse:
    """The next passbook page (lines not printed yet); POST marks them printed."""
    koperasi = request.koperasi
    acc = selectors.get_account(koperasi, savings_account_id)
    if request.method == "POST":
        try:
            upto = int(request.POST.get("upto_seq", "0"))
            services.mark_passbook_printed(acc, actor=request.user, upto_seq=upto)
            messages.success(request, _("Marked as printed. The next print continues from here."))
        except ValueError:
            messages.error(request, _("Nothing new to mark as printed."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("savings:passbook", slug=koperasi.slug, savings_account_id=acc.pk)
    lines = selectors.passbook_page(acc)
    return render(
        request,
        "savings/passbook.html",
        {
            "account": acc,
            "lines": lines,
            "kinds": dict(TxnKind.choices),
            "first_line": acc.printed_seq + 1,
            "can_mark": _can(request, "savings.teller"),
        },
    )


# --- approvals -----------------------------------------------------------------------------


@require_GET
@koperasi_view("savings.view")
def approval_list(request: KoperasiRequest) -> HttpResponse:
    """Large withdrawals and deposits waiting; each is decided through the approvals
    inbox's view pair (``approvals/_decide.html`` with ``next``: back to this page)."""
    koperasi = request.koperasi
    requests = selectors.pending_withdrawals(koperasi)
    for r in requests:
        r.approval_kind = (DEPOSIT if r.kind == TxnKind.DEPOSIT else WITHDRAWAL).name
    return render(
        request,
        "savings/approvals.html",
        {
            "requests": requests,
            "can_approve": _can(request, "savings.approve_withdrawal"),
        },
    )


# --- jasa, wajib arrears -------------------------------------------------------------------


def _last_month() -> tuple[int, int]:
    first = _today().replace(day=1)
    prev = first - dt.timedelta(days=1)
    return prev.year, prev.month


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.view")
def jasa(request: KoperasiRequest) -> HttpResponse:
    """The bendahara's monthly jasa run and the month's postings."""
    koperasi = request.koperasi
    year, month = _last_month()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = forms.MonthForm(data, initial={"year": year, "month": month})
    if form.is_bound and form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    status = 200
    if request.method == "POST":
        if not _can(request, "savings.run_jasa"):
            messages.error(request, _("You are not allowed to do this in this koperasi."))
            status = 403
        elif form.is_valid():
            try:
                run = services.post_monthly_jasa(
                    koperasi, actor=request.user, year=year, month=month
                )
                messages.success(
                    request,
                    _("Jasa posted to %(n)d accounts: %(jasa)s, tax withheld %(tax)s.")
                    % {
                        "n": run.accounts,
                        "jasa": format_rupiah(run.jasa_total),
                        "tax": format_rupiah(run.tax_total),
                    },
                )
                return redirect(
                    reverse("savings:jasa", kwargs={"slug": koperasi.slug})
                    + f"?year={year}&month={month}"
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status
        else:
            status = 400
    postings = selectors.jasa_postings(koperasi, year * 100 + month)
    return render(
        request,
        "savings/jasa.html",
        {
            "form": form,
            "postings": postings,
            "year": year,
            "month": month,
            "jasa_total": sum(p.jasa_amount for p in postings),
            "tax_total": sum(p.tax_amount for p in postings),
            "can_run": _can(request, "savings.run_jasa"),
        },
        status=status,
    )


@require_GET
@koperasi_view("savings.view")
def arrears(request: KoperasiRequest) -> HttpResponse:
    """Simpanan wajib billing: who is behind at the end of a month, and by how much."""
    koperasi = request.koperasi
    today = _today()
    year, month = today.year, today.month
    form = forms.MonthForm(request.GET or None, initial={"year": year, "month": month})
    if form.is_bound and form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    rows = selectors.wajib_arrears(koperasi, year=year, month=month)
    return render(
        request,
        "savings/arrears.html",
        {
            "form": form,
            "rows": rows,
            "year": year,
            "month": month,
            "monthly": koperasi.adart.simpanan_wajib_amount,
            "total": sum(r.owed for r in rows),
            "can_teller": _can(request, "savings.teller"),
        },
    )


# --- opening balances ----------------------------------------------------------------------


@require_GET
@koperasi_view("savings.import_opening")
def opening_template(request: KoperasiRequest) -> HttpResponse:
    response = HttpResponse(
        opening.template_workbook(request.koperasi),
        content_type=xlsx.XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = 'attachment; filename="saldo-awal-simpanan.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.import_opening")
def opening_import(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = forms.OpeningUploadForm(
        request.POST or None, request.FILES or None, initial={"date": _today()}
    )
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data["file"].read(opening.MAX_FILE_BYTES + 1)
            try:
                imported = opening.import_opening(
                    koperasi, actor=request.user, data=data, date=form.cleaned_data["date"]
                )
                messages.success(
                    request,
                    _("Opening balances recorded: %(rows)d rows, %(total)s.")
                    % {"rows": imported.rows, "total": format_rupiah(imported.total_amount)},
                )
                return redirect("savings:home", slug=koperasi.slug)
            except opening.OpeningImportError as exc:
                errors = exc.errors
                status = 400
            except DomainError as exc:
                errors = [exc.message]
                status = exc.status
        else:
            status = 400
    return render(request, "savings/opening.html", {"form": form, "errors": errors}, status=status)


# --- corrections (koreksi) ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("savings.teller")
def correction_request(request: KoperasiRequest, transaction_id) -> HttpResponse:
    """Ask for a movement to be corrected: reason, then the amount in words to confirm."""
    koperasi = request.koperasi
    txn = selectors.get_transaction(koperasi, transaction_id)
    step = request.POST.get("step", "")
    form = forms.CorrectionForm(request.POST if request.method == "POST" else None)
    context = {
        "txn": txn,
        "form": form,
        "kind": dict(TxnKind.choices).get(txn.kind, txn.kind),
        "amount": abs(txn.amount),
        "words": terbilang(abs(txn.amount)),
    }
    if request.method == "GET" or step == "edit":
        if step == "edit":
            context["form"] = forms.CorrectionForm(initial=request.POST.dict())
        return render(request, "savings/correction.html", context)
    if not form.is_valid():
        return render(request, "savings/correction.html", context, status=400)
    if step != "post":
        return render(request, "savings/correction_confirm.html", context)
    try:
        services.request_correction(
            txn,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            date=_today(),
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "savings/correction.html", context, status=exc.status)
    messages.success(request, _("The correction waits for a second officer's approval."))
    return redirect("savings:corrections", slug=koperasi.slug)


@require_GET
@koperasi_view("savings.view")
def corrections(request: KoperasiRequest) -> HttpResponse:
    """Corrections waiting; decided like ``approval_list``'s, through the inbox's pair."""
    koperasi = request.koperasi
    pending = selectors.pending_corrections(koperasi)
    for c in pending:
        c.words = terbilang(abs(c.transaction.amount))
    return render(
        request,
        "savings/corrections.html",
        {
            "corrections": pending,
            "kinds": dict(TxnKind.choices),
            "can_approve": _can(request, "savings.approve_correction"),
        },
    )
