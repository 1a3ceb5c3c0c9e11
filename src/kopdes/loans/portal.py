"""The member's own loans in the portal, under ``/portal/<slug>/pinjaman/`` (namespace
``loans_portal``): own loans, schedule, next due date and amount, and applying online.

The caller must hold the ``anggota`` role in the koperasi and be linked to a member
(``Member.user``); anything else, and another member's loan, is a 404.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kopdes.domain.money import terbilang
from kopdes.loans import selectors, services
from kopdes.loans.choices import Channel
from kopdes.loans.forms import PortalApplicationForm, error_messages
from kopdes.members.models import Member
from kopdes.members.portal_views import MemberRequest, portal_member_view
from kopdes.platform.core.errors import DomainError


def _me(request: MemberRequest) -> Member:
    """The caller's own member (``portal_member_view`` found it, or showed why not)."""
    return request.member


@require_GET
@portal_member_view
def home(request: HttpRequest) -> HttpResponse:
    member = _me(request)
    loans = list(selectors.list_member_loans(member).order_by("-number"))
    for loan in loans:
        loan.next_row = selectors.next_installment(loan)
    return render(request, "loans/portal_home.html", {"member": member, "loans": loans})


@require_GET
@portal_member_view
def loan_detail(request: MemberRequest, loan_id) -> HttpResponse:
    member = _me(request)
    loan = selectors.get_loan(request.koperasi, loan_id)
    if loan.member_id != member.pk:
        raise Http404
    context = {
        "loan": loan,
        "installments": selectors.schedule_with_status(loan, timezone.localdate()),
        "repayments": selectors.loan_repayments(loan),
        "next_row": selectors.next_installment(loan),
    }
    # The same QR the kasir shows, for what is due now or the next installment.
    amount, due_on = selectors.qris_default_amount(loan, timezone.localdate())
    if amount > 0:
        context.update(qr=selectors.qris_code(request.koperasi, loan, amount), due_on=due_on)
    return render(request, "loans/portal_loan.html", context)


@require_http_methods(["GET", "POST"])
@portal_member_view
def apply(request: MemberRequest) -> HttpResponse:
    member = _me(request)
    koperasi = request.koperasi
    context: dict = {
        "products": selectors.list_products(koperasi, active_only=True),
        "post": request.POST,
        "key": request.POST.get("idempotency_key") or secrets.token_urlsafe(16),
    }
    status = 200
    form = PortalApplicationForm(
        request.POST or None, products=selectors.list_products(koperasi, active_only=True)
    )
    if request.method == "POST" and not form.is_valid():
        for line in error_messages(form):
            messages.error(request, line)
        status = 400
    elif request.method == "POST":
        data = form.cleaned_data
        product, principal, term = data["product"], data["principal"], data["term"]
        try:
            today = timezone.localdate()
            context["schedule"] = services.simulate(
                product, principal=principal, term=term, start_date=today
            )
            context["words"] = terbilang(principal)
            if data["step"] == "apply":
                loan = services.apply_for_loan(
                    member,
                    actor=request.user,
                    product=product,
                    principal=principal,
                    term=term,
                    applied_on=today,
                    purpose=data["purpose"],
                    channel=Channel.PORTAL,
                    idempotency_key=data["idempotency_key"],
                )
                messages.success(
                    request,
                    _("Your application %(number)s was sent. The koperasi will contact you.")
                    % {"number": loan.number},
                )
                return redirect("loans_portal:home", slug=koperasi.slug)
        except DomainError as exc:
            messages.error(request, exc.message)
            context.pop("schedule", None)
            status = 400
    return render(request, "loans/portal_apply.html", context, status=status)
