"""Loan pages under ``/k/<slug>/pinjaman/``: products, applications (simulation and
assessment), decisions, disbursement, repayments with a confirmation step and receipts,
the collection list, restructuring and write-off proposals, reports, relatives and the
koperasi's bank loan.

Views parse input, call one service or selector and map ``DomainError`` to a message.
Every object is looked up inside ``request.koperasi`` (404 for another koperasi's).
"""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kopdes.domain.money import format_rupiah, terbilang
from kopdes.loans import forms, reports, selectors, services
from kopdes.loans.choices import (
    CollateralBinding,
    DisbursementMethod,
    FeeMode,
    Kolektibilitas,
    LoanMethod,
    LoanStatus,
    PaymentSource,
    PenaltyPer,
    ProposalKind,
    RatePer,
    Rounding,
)
from kopdes.loans.errors import LoanError
from kopdes.platform.core.dates import INVALID_MESSAGE as DATE_INVALID
from kopdes.platform.core.dates import parse_date_input
from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest


def _can(request: KoperasiRequest, code: str) -> bool:
    return has_perm(request.roles, code)


def _kop(request: KoperasiRequest):
    return request.koperasi


def _today() -> dt.date:
    return timezone.localdate()


def _date(request: HttpRequest, name: str = "date", source=None) -> dt.date:
    """A date read from the query string (the collection list's ``?date=``)."""
    data = source if source is not None else request.POST
    text = (data.get(name) or "").strip()
    if not text:
        return _today()
    try:
        return parse_date_input(text)  # dd-mm-yyyy, or yyyy-mm-dd from older pages
    except ValueError:
        raise LoanError(str(DATE_INVALID), field=name) from None


def _invalid(request: HttpRequest, form) -> None:
    """Show each of ``form``'s errors on the page (Bahasa Indonesia); nothing was written."""
    for line in forms.error_messages(form):
        messages.error(request, line)


def _loan_url(request: HttpRequest, loan) -> str:
    return reverse("loans:loan-detail", kwargs={"slug": _kop(request).slug, "loan_id": loan.pk})


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# --- home, lists ------------------------------------------------------------------------------


@require_GET
@koperasi_view("loans.view")
def home(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    totals = selectors.portfolio_totals(koperasi)
    return render(
        request,
        "loans/home.html",
        {
            "totals": totals,
            "waiting": selectors.list_loans(koperasi, status=LoanStatus.APPLIED)[:20],
            "approved": selectors.list_loans(koperasi, status=LoanStatus.APPROVED)[:20],
            "proposals": selectors.open_proposals(koperasi).count(),
            "may_apply": _can(request, "loans.apply"),
            "may_run": _can(request, "loans.run_daily"),
            "par": selectors.format_bp(totals["par30_bp"]),
        },
    )


@require_GET
@koperasi_view("loans.view")
def loan_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in LoanStatus.values:
        status = ""
    query = (request.GET.get("q") or "").strip()[:50]
    loans = selectors.list_loans(_kop(request), status=status, query=query)[:200]
    return render(
        request,
        "loans/loan_list.html",
        {"loans": loans, "status": status, "q": query, "statuses": LoanStatus.choices},
    )


# --- products -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.view")
def product_list(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    if request.method == "POST":
        if not _can(request, "loans.manage_products"):
            raise PermissionDenied
        form = forms.ProductForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
        else:
            try:
                product = services.create_product(
                    koperasi, actor=request.user, data=form.product_data()
                )
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(
                    request, _("Loan product %(name)s added.") % {"name": product.name}
                )
                return redirect("loans:product-list", slug=koperasi.slug)
    return render(
        request,
        "loans/product_list.html",
        {
            "products": selectors.list_products(koperasi),
            "may_manage": _can(request, "loans.manage_products"),
            "methods": LoanMethod.choices,
            "rate_pers": RatePer.choices,
            "roundings": Rounding.choices,
            "fee_modes": FeeMode.choices,
            "penalty_pers": PenaltyPer.choices,
            "post": request.POST if request.method == "POST" else {},
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@koperasi_view("loans.view")
def product_detail(request: HttpRequest, product_id) -> HttpResponse:
    product = selectors.get_product(_kop(request), product_id)
    return render(request, "loans/product_detail.html", {"product": product})


# --- application --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.apply")
def loan_apply(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    context: dict = {
        "products": selectors.list_products(koperasi, active_only=True),
        "bindings": CollateralBinding.choices,
        "post": request.POST if request.method == "POST" else request.GET,
        "key": request.POST.get("idempotency_key") or secrets.token_urlsafe(16),
    }
    status = 200
    form = forms.ApplicationForm(
        request.POST or None, koperasi=koperasi, products=selectors.list_products(koperasi)
    )
    if request.method == "POST" and not form.is_valid():
        _invalid(request, form)
        status = 400
    elif request.method == "POST":
        data = form.cleaned_data
        member, product = data["member"], data["product"]
        principal, term = data["principal"], data["term"]
        day = forms.date_or_today(form, "applied_on")
        try:
            schedule = services.simulate(product, principal=principal, term=term, start_date=day)
            context.update(
                member=member,
                product=product,
                schedule=schedule,
                plafond=services.plafond_for(member, product),
                principal=principal,
                words=terbilang(principal),
            )
            if data["step"] == "apply":
                loan = services.apply_for_loan(
                    member,
                    actor=request.user,
                    product=product,
                    principal=principal,
                    term=term,
                    applied_on=day,
                    idempotency_key=data["idempotency_key"],
                    purpose=data["purpose"],
                    declared_income=data["declared_income"],
                    declared_expense=data["declared_expense"],
                    collateral_value=data["collateral_value"],
                    collateral_binding=data["collateral_binding"],
                    collateral_note=data["collateral_note"],
                    guarantor_note=data["guarantor_note"],
                )
                messages.success(
                    request, _("Application %(number)s recorded.") % {"number": loan.number}
                )
                return redirect(_loan_url(request, loan))
        except DomainError as exc:
            _error(request, exc)
            context.pop("schedule", None)
            status = 400
    return render(request, "loans/loan_apply.html", context, status=status)


# --- one loan -----------------------------------------------------------------------------


@require_GET
@koperasi_view("loans.view")
def loan_detail(request: HttpRequest, loan_id) -> HttpResponse:
    koperasi = _kop(request)
    loan = selectors.get_loan(koperasi, loan_id)
    today = _today()
    context = {
        "loan": loan,
        "installments": selectors.schedule_with_status(loan, today),
        "repayments": selectors.loan_repayments(loan),
        "assessment": selectors.assessment(loan, today),
        "dues": selectors.dues(loan, max(today, loan.disbursed_on or today)),
        "proposals": loan.proposals.all(),
        "is_applied": loan.status == LoanStatus.APPLIED,
        "is_approved": loan.status == LoanStatus.APPROVED,
        "is_active": loan.status == LoanStatus.ACTIVE,
        "is_written_off": loan.status == LoanStatus.WRITTEN_OFF,
        "may_approve": _can(request, "loans.approve"),
        "may_disburse": _can(request, "loans.disburse"),
        "may_repay": _can(request, "loans.repay"),
        "may_restructure": _can(request, "loans.propose_restructure"),
        # "Usulkan hapus buku" only where the AD/ART allows a write-off (default macet).
        "may_write_off": _can(request, "loans.propose_write_off")
        and services.can_write_off(loan, today),
        "write_off_from": Kolektibilitas(koperasi.adart.write_off_min_kolektibilitas).label,
        "may_propose_write_off": _can(request, "loans.propose_write_off"),
        "collateral_eligible": services.eligible_collateral(loan),
        "methods": DisbursementMethod.choices,
        "today": today,
        "key": secrets.token_urlsafe(16),
    }
    return render(request, "loans/loan_detail.html", context)


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.disburse")
def loan_disburse(request: HttpRequest, loan_id) -> HttpResponse:
    """GET/POST step=confirm shows the amounts in words; step=post disburses once."""
    loan = selectors.get_loan(_kop(request), loan_id)
    form = forms.DisbursementForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        _invalid(request, form)
        return redirect(_loan_url(request, loan))
    data = form.cleaned_data
    method = data["method"]
    day = forms.date_or_today(form)
    fees = loan.admin_fee + loan.provisi
    net = loan.principal if loan.product.fee_mode == FeeMode.SEPARATE else loan.principal - fees
    try:
        if request.method == "POST" and data["step"] == "post":
            services.disburse_loan(
                loan,
                actor=request.user,
                date=day,
                method=method,
                idempotency_key=data["idempotency_key"],
            )
            messages.success(request, _("Loan %(number)s disbursed.") % {"number": loan.number})
            return redirect(_loan_url(request, loan))
    except DomainError as exc:
        _error(request, exc)
        return redirect(_loan_url(request, loan))
    return render(
        request,
        "loans/loan_disburse.html",
        {
            "loan": loan,
            "method": method,
            "method_label": dict(DisbursementMethod.choices).get(method, method),
            "date": day,
            "fees": fees,
            "net": net,
            "words": terbilang(net),
            "key": data["idempotency_key"] or secrets.token_urlsafe(16),
        },
    )


@require_GET
@koperasi_view("loans.view")
def loan_agreement(request: HttpRequest, loan_id) -> HttpResponse:
    loan = selectors.get_loan(_kop(request), loan_id)
    return reports.agreement_pdf(loan, _kop(request))


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.repay")
def loan_repay(request: HttpRequest, loan_id) -> HttpResponse:
    """Form -> confirmation (amount in words, allocation) -> recorded once -> receipt."""
    koperasi = _kop(request)
    loan = selectors.get_loan(koperasi, loan_id)
    context: dict = {
        "loan": loan,
        "sources": [c for c in PaymentSource.choices if c[0] != PaymentSource.QRIS],
        "key": request.POST.get("idempotency_key") or secrets.token_urlsafe(16),
        "post": request.POST,
        "step": "form",
    }
    today = _today()
    status = 200
    if loan.status == LoanStatus.ACTIVE:
        context["dues"] = selectors.dues(loan, max(today, loan.disbursed_on))
    form = forms.RepaymentForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        _invalid(request, form)
        status = 400
    elif request.method == "POST":
        data = form.cleaned_data
        amount, source, accelerated = data["amount"], data["source"], data["accelerated"]
        day = forms.date_or_today(form)
        try:
            if data["step"] == "post":
                repayment = services.repay_loan(
                    loan,
                    actor=request.user,
                    amount=amount,
                    date=day,
                    source=source,
                    idempotency_key=data["idempotency_key"],
                    accelerated=accelerated,
                )
                return redirect(
                    "loans:repayment-receipt", slug=koperasi.slug, repayment_id=repayment.pk
                )
            dues = selectors.dues(loan, day)
            if dues is None:
                raise LoanError(_("This loan is not active: nothing is owed on it."))
            # The same split the payment will get (or the same refusal), before "record".
            plan = services.preview_repayment(
                loan, amount=amount, date=day, accelerated=accelerated
            )
            context.update(
                step="confirm",
                plan=plan,
                accelerated=accelerated,
                amount=amount,
                words=terbilang(amount),
                date=day,
                source=source,
                source_label=dict(PaymentSource.choices).get(source, source),
                dues=dues,
            )
        except DomainError as exc:
            _error(request, exc)
            status = 400
    return render(request, "loans/loan_repay.html", context, status=status)


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.repay")
def loan_qris(request: HttpRequest, loan_id) -> HttpResponse:
    """The kasir shows a QR for the installment due (GET, ``?amount=`` to change it); once
    the money is seen in the koperasi's QRIS account the kasir ticks "received" and posts
    the repayment (POST step=post) to the QRIS clearing account through the same service
    as the counter, once per idempotency key. See ``loans.qris``: settlement with a real
    acquirer is not wired, the kasir's confirmation is what records the payment."""
    koperasi = _kop(request)
    loan = selectors.get_loan(koperasi, loan_id)
    form = forms.QrisForm(request.POST if request.method == "POST" else request.GET)
    today = _today()
    context: dict = {
        "loan": loan,
        "key": form.data.get("idempotency_key") or secrets.token_urlsafe(16),
        "date": today,
        "amount_text": (form.data.get("amount") or "").strip(),
    }
    if loan.status != LoanStatus.ACTIVE:
        messages.error(request, _("This loan is not active: nothing is owed on it."))
        return render(request, "loans/loan_qris.html", context, status=400)
    if not form.is_valid():
        _invalid(request, form)
        return render(request, "loans/loan_qris.html", context, status=400)
    data = form.cleaned_data
    status = 200
    try:
        day = forms.date_or_today(form)
        context["date"] = day
        default, due_on = selectors.qris_default_amount(loan, day)
        context.update(due_on=due_on, default_amount=default)
        amount = default if data["amount"] is None else data["amount"]
        dues = selectors.dues(loan, max(day, loan.disbursed_on))
        context["dues"] = dues
        if amount <= 0:
            raise LoanError(_("The amount must be more than zero."), field="amount")
        if dues is not None and amount > dues.payoff.total:
            raise LoanError(
                _("The amount is more than what pays the loan off today (%(payoff)s).")
                % {"payoff": format_rupiah(dues.payoff.total)},
                field="amount",
            )
        context["qr"] = selectors.qris_code(koperasi, loan, amount)
        if request.method == "POST" and data["step"] == "post":
            if data["received"] != "yes":
                raise LoanError(
                    _(
                        "Tick that the money has arrived in the koperasi's QRIS account "
                        "before recording the payment."
                    ),
                    field="received",
                )
            repayment = services.repay_loan(
                loan,
                actor=request.user,
                amount=amount,
                date=day,
                source=PaymentSource.QRIS,
                idempotency_key=data["idempotency_key"],
            )
            messages.success(
                request,
                _("QRIS payment of %(amount)s recorded.") % {"amount": format_rupiah(amount)},
            )
            return redirect(
                "loans:repayment-receipt", slug=koperasi.slug, repayment_id=repayment.pk
            )
    except DomainError as exc:
        _error(request, exc)
        status = 400
    return render(request, "loans/loan_qris.html", context, status=status)


@require_GET
@koperasi_view("loans.view")
def repayment_receipt(request: HttpRequest, repayment_id) -> HttpResponse:
    koperasi = _kop(request)
    rep = selectors.get_repayment(koperasi, repayment_id)
    words = terbilang(rep.amount)
    text = _(
        "%(koperasi)s: payment %(amount)s (%(words)s) for loan %(loan)s on %(date)s. "
        "Outstanding: %(left)s."
    ) % {
        "koperasi": koperasi.name,
        "amount": format_rupiah(rep.amount),
        "words": words,
        "loan": rep.loan.number,
        "date": rep.date.strftime("%d-%m-%Y"),
        "left": format_rupiah(rep.outstanding_after),
    }
    return render(
        request,
        "loans/receipt.html",
        {
            "rep": rep,
            "words": words,
            "ahead": rep.principal - sum(row[3] for row in rep.allocation)
            if rep.accelerated and not rep.is_payoff
            else 0,
            "whatsapp": "https://wa.me/?" + urlencode({"text": text}),
        },
    )


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.repay")
def repayment_reverse(request: HttpRequest, repayment_id) -> HttpResponse:
    """Ask for a posted payment to be corrected (reversed): reason and date; another
    officer approves on the proposals page."""
    koperasi = _kop(request)
    rep = selectors.get_repayment(koperasi, repayment_id)
    status = 200
    form = forms.ReversalRequestForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        _invalid(request, form)
        status = 400
    elif request.method == "POST":
        try:
            services.request_repayment_reversal(
                rep,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                date=forms.date_or_today(form),
            )
            messages.success(
                request,
                _("Correction requested; a bendahara, manajer or ketua approves it."),
            )
            return redirect(_loan_url(request, rep.loan))
        except DomainError as exc:
            _error(request, exc)
            status = 400
    return render(
        request,
        "loans/repayment_reverse.html",
        {
            "rep": rep,
            "words": terbilang(rep.amount),
            "post": request.POST,
            "today": _today(),
            "key": request.POST.get("idempotency_key") or secrets.token_urlsafe(16),
        },
        status=status,
    )


@require_GET
@koperasi_view("loans.view")
def loan_statement(request: HttpRequest, loan_id) -> HttpResponse:
    koperasi = _kop(request)
    loan = selectors.get_loan(koperasi, loan_id)
    report = reports.statement(loan)
    return reports.respond(request, report, koperasi, f"rekening-pinjaman-{loan.number}")


# --- restructuring, write-off, recovery ---------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.propose_restructure")
def loan_restructure(request: HttpRequest, loan_id) -> HttpResponse:
    loan = selectors.get_loan(_kop(request), loan_id)
    form = forms.RestructureForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        _invalid(request, form)
    elif request.method == "POST":
        data = form.cleaned_data
        try:
            services.propose_restructure(
                loan,
                actor=request.user,
                reason=data["reason"],
                term=data["term"],
                rate_percent=data["rate_percent"],
                start_date=forms.date_or_today(form, "start_date"),
                grace_periods=data["grace_periods"],
                capitalised_interest=data["capitalised_interest"],
            )
            messages.success(request, _("Restructuring proposed; the ketua approves it."))
            return redirect(_loan_url(request, loan))
        except DomainError as exc:
            _error(request, exc)
    return render(
        request,
        "loans/loan_restructure.html",
        {"loan": loan, "post": request.POST, "today": _today()},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@koperasi_view("loans.propose_write_off")
def loan_write_off(request: HttpRequest, loan_id) -> HttpResponse:
    loan = selectors.get_loan(_kop(request), loan_id)
    form = forms.WriteOffForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return redirect(_loan_url(request, loan))
    try:
        services.propose_write_off(loan, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Write-off proposed; the ketua and a pengawas approve it."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(_loan_url(request, loan))


@require_POST
@koperasi_view("loans.repay")
def loan_recovery(request: HttpRequest, loan_id) -> HttpResponse:
    loan = selectors.get_loan(_kop(request), loan_id)
    form = forms.RecoveryForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return redirect(_loan_url(request, loan))
    try:
        services.record_recovery(
            loan,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            date=forms.date_or_today(form),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
        messages.success(request, _("Recovery recorded."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(_loan_url(request, loan))


@require_GET
@koperasi_view("loans.view")
def proposal_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "loans/proposal_list.html",
        {
            "proposals": selectors.open_proposals(_kop(request)),
            "reversals": selectors.open_repayment_reversals(_kop(request)),
            "may_reverse": _can(request, "ledger.approve_reversal"),
            "may_restructure": _can(request, "loans.approve_restructure"),
            "may_write_off": _can(request, "loans.approve_write_off"),
            "RESTRUCTURE": ProposalKind.RESTRUCTURE,
        },
    )


# --- collection list, daily job -----------------------------------------------------------


@require_GET
@koperasi_view("loans.view")
def collection_list(request: HttpRequest) -> HttpResponse:
    from kopdes.domain.phone import PhoneError, parse_phone

    koperasi = _kop(request)
    try:
        day = _date(request, "date", request.GET)
    except DomainError as exc:
        _error(request, exc)
        day = _today()
    rows = selectors.collection_list(koperasi, day)
    for row in rows:
        try:
            digits = parse_phone(row["phone"]).whatsapp if row["phone"] else ""
        except PhoneError:
            digits = ""
        text = _("Reminder from %(koperasi)s: installment of loan %(loan)s, %(amount)s.") % {
            "koperasi": koperasi.name,
            "loan": row["loan"].number,
            "amount": format_rupiah(row["due"]),
        }
        row["whatsapp"] = f"https://wa.me/{digits}?" + urlencode({"text": text}) if digits else ""
        row["tel"] = f"tel:+{digits}" if digits else ""
    return render(request, "loans/collection_list.html", {"rows": rows, "date": day})


@require_POST
@koperasi_view("loans.run_daily")
def daily_run(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    form = forms.DailyRunForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("loans:home", slug=koperasi.slug)
    try:
        result = services.run_daily(koperasi, actor=request.user, as_of=forms.date_or_today(form))
        messages.success(
            request,
            _("Checked %(n)s active loans; %(c)s changed.")
            % {"n": result.loans, "c": result.changed},
        )
    except DomainError as exc:
        _error(request, exc)
    return redirect("loans:home", slug=koperasi.slug)


# --- reports ------------------------------------------------------------------------------


@require_GET
@koperasi_view("loans.view")
def report_portfolio(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    return reports.respond(request, reports.portfolio(koperasi), koperasi, "portofolio-pinjaman")


@require_GET
@koperasi_view("loans.view")
def report_aging(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    return reports.respond(request, reports.aging(koperasi), koperasi, "umur-pinjaman")


@require_GET
@koperasi_view("loans.view")
def report_monthly(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    try:
        year = int(request.GET.get("year") or _today().year)
    except ValueError:
        year = _today().year
    year = min(max(year, 2000), 2100)
    return reports.respond(
        request, reports.monthly(koperasi, year), koperasi, f"pinjaman-bulanan-{year}"
    )


# --- relatives ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.view")
def relationship_list(request: HttpRequest) -> HttpResponse:
    koperasi = _kop(request)
    status = 200
    if request.method == "POST":
        if not _can(request, "loans.manage_relationships"):
            raise PermissionDenied
        form = forms.RelationshipForm(request.POST, koperasi=koperasi)
        if not form.is_valid():
            _invalid(request, form)
            status = 400
        else:
            data = form.cleaned_data
            try:
                services.record_relationship(
                    data["member"],
                    actor=request.user,
                    user=data["username"],
                    relation=data["relation"],
                )
                messages.success(request, _("Relationship recorded."))
                return redirect("loans:relationship-list", slug=koperasi.slug)
            except DomainError as exc:
                _error(request, exc)
                status = 400
    return render(
        request,
        "loans/relationship_list.html",
        {
            "relationships": selectors.relationships(koperasi),
            "may_manage": _can(request, "loans.manage_relationships"),
        },
        status=status,
    )


# --- the koperasi's bank loan -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.view")
def bank_loan_list(request: HttpRequest) -> HttpResponse:
    from kopdes.loans.models import BankLoan

    koperasi = _kop(request)
    status = 200
    if request.method == "POST":
        if not _can(request, "loans.manage_bank_loan"):
            raise PermissionDenied
        form = forms.BankLoanForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            status = 400
        else:
            data = form.cleaned_data
            try:
                bank_loan = services.create_bank_loan(
                    koperasi,
                    actor=request.user,
                    lender=data["lender"],
                    reference=data["reference"],
                    plafond=data["plafond"],
                    rate_percent=data["rate_percent"],
                    term=data["term"],
                    grace_periods=data["grace_periods"],
                    start_date=forms.date_or_today(form, "start_date"),
                )
                return redirect(
                    "loans:bank-loan-detail", slug=koperasi.slug, bank_loan_id=bank_loan.pk
                )
            except DomainError as exc:
                _error(request, exc)
                status = 400
    return render(
        request,
        "loans/bank_loan_list.html",
        {
            "bank_loans": BankLoan.objects.filter(koperasi=koperasi),
            "may_manage": _can(request, "loans.manage_bank_loan"),
            "today": _today(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@koperasi_view("loans.view")
def bank_loan_detail(request: HttpRequest, bank_loan_id) -> HttpResponse:
    koperasi = _kop(request)
    bank_loan = selectors.get_bank_loan(koperasi, bank_loan_id)
    status = 200
    if request.method == "POST":
        if not _can(request, "loans.manage_bank_loan"):
            raise PermissionDenied
        form = forms.BankMovementForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            status = 400
        else:
            data = form.cleaned_data
            day = forms.date_or_today(form)
            try:
                if data["action"] == "drawdown":
                    services.draw_bank_loan(
                        bank_loan,
                        actor=request.user,
                        amount=data["amount"],
                        date=day,
                        idempotency_key=data["idempotency_key"],
                    )
                else:
                    services.pay_bank_installment(
                        bank_loan,
                        actor=request.user,
                        principal=data["principal"],
                        interest=data["interest"],
                        date=day,
                        idempotency_key=data["idempotency_key"],
                    )
                messages.success(request, _("Recorded."))
                return redirect(
                    "loans:bank-loan-detail", slug=koperasi.slug, bank_loan_id=bank_loan.pk
                )
            except DomainError as exc:
                _error(request, exc)
                status = 400
    context = selectors.bank_loan_overview(bank_loan, _today())
    context.update(
        may_manage=_can(request, "loans.manage_bank_loan"),
        key=secrets.token_urlsafe(16),
        today=_today(),
    )
    return render(request, "loans/bank_loan_detail.html", context, status=status)
