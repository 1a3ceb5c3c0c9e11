"""A sale's page with its voids and returns (``store:sale-detail``), the cashier's
proposal (``store:sale-return``: a void of the whole sale or a return of some lines) and
finding a sale by its number (``store:sale-find``). Deciding is the approvals inbox's one
approve / reject pair (``approvals/_decide.html``), shown here for a pending proposal."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.domain.money import format_rupiah, terbilang
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest
from kopdes.store import selectors, services
from kopdes.store.models import ReturnKind, Sale, SaleReturn
from kopdes.store.payments import get_method


def _method_label(code: str) -> str:
    method = get_method(code)
    return str(method.label) if method is not None else code


@koperasi_view("store.view")
def sale_find(request: KoperasiRequest):
    """A sale by its number (from the receipt), else the latest sales."""
    number = request.GET.get("nomor", "").strip().lstrip("#")[:10]
    if number:
        found = (
            Sale.objects.filter(koperasi=request.koperasi, number=int(number)).first()
            if number.isdigit()
            else None
        )
        if found is not None:
            return redirect("store:sale-detail", slug=request.koperasi.slug, sale_id=found.pk)
        messages.error(request, _("No sale with this number."))
    latest = Sale.objects.filter(koperasi=request.koperasi).select_related("member")[:20]
    return render(
        request,
        "store/sale_find.html",
        {
            "koperasi": request.koperasi,
            "number": number,
            "sales": [{"sale": s, "total": format_rupiah(s.total)} for s in latest],
        },
    )


@koperasi_view("store.view")
def sale_detail(request: KoperasiRequest, sale_id):
    sale = selectors.get_sale(request.koperasi, sale_id)
    lines = list(sale.lines.select_related("item").order_by("position"))
    returned = services.returned_quantities(sale)
    waiting = services.returned_quantities(sale, pending=True)
    proposals = list(
        SaleReturn.objects.filter(koperasi=request.koperasi, sale=sale)
        .select_related("proposed_by", "decided_by", "entry")
        .prefetch_related("lines__sale_line__item")
        .order_by("-proposed_at")
    )
    voided = any(p.kind == ReturnKind.VOID and p.state == ProposalState.APPROVED for p in proposals)
    pending = any(p.state == ProposalState.PENDING for p in proposals)
    may_propose = has_perm(request.roles, "store.propose_return")
    may_decide = has_perm(request.roles, "store.approve_return")
    here = reverse("store:sale-detail", kwargs={"slug": request.koperasi.slug, "sale_id": sale.pk})
    return render(
        request,
        "store/sale_detail.html",
        {
            "koperasi": request.koperasi,
            "sale": sale,
            "total": format_rupiah(sale.total),
            "total_words": terbilang(sale.total),
            "lines": [
                {
                    "line": x,
                    "net": format_rupiah(x.net),
                    "returned": returned.get(x.pk, 0),
                    "returnable": x.quantity - waiting.get(x.pk, 0),
                }
                for x in lines
            ],
            "payments": [
                {"method": _method_label(p.method), "amount": format_rupiah(p.amount)}
                for p in sale.payments.all()
            ],
            "proposals": [
                {
                    "p": p,
                    "amount": format_rupiah(p.amount),
                    "cash": format_rupiah(p.cash_refund),
                    "bon": format_rupiah(p.bon_refund),
                    "kind_name": "store-void" if p.kind == ReturnKind.VOID else "store-return",
                    "may_decide": may_decide
                    and p.state == ProposalState.PENDING
                    and p.proposed_by_id != request.user.pk,
                }
                for p in proposals
            ],
            "may_return": may_propose and not voided and not pending,
            "may_void": may_propose
            and not voided
            and not pending
            and not returned
            and sale.date == request.koperasi.today(),
            "here": here,
        },
    )


@require_POST
@koperasi_view("store.propose_return")
def sale_return(request: KoperasiRequest, sale_id):
    """Propose a void (``action=void``) or a return of the typed quantities (``qty-<line>``)."""
    sale = selectors.get_sale(request.koperasi, sale_id)
    reason = request.POST.get("reason", "")[:400]
    try:
        if request.POST.get("action") == "void":
            services.propose_void(sale, actor=request.user, reason=reason)
            messages.success(request, _("Void proposed: it waits for another officer's approval."))
        else:
            quantities = {
                x.pk: request.POST.get(f"qty-{x.pk}", "")[:12]
                for x in sale.lines.all()
                if request.POST.get(f"qty-{x.pk}", "").strip()
            }
            services.propose_return(sale, actor=request.user, quantities=quantities, reason=reason)
            messages.success(
                request, _("Return proposed: it waits for another officer's approval.")
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("store:sale-detail", slug=request.koperasi.slug, sale_id=sale.pk)
