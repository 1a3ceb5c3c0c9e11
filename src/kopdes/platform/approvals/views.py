"""The approvals inbox (``/k/<slug>/persetujuan/``): what waits for the caller's decision,
and approve / reject from there through the module's own services."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kopdes.domain.money import format_rupiah
from kopdes.platform.approvals import registry
from kopdes.platform.core.errors import DomainError
from kopdes.platform.tenancy.access import koperasi_view


def age_text(created_at, now) -> str:
    unit, n = registry.age(created_at, now)
    if unit == "days":
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if unit == "hours":
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    return _("just now")


@require_GET
@koperasi_view("approvals.view")
def inbox(request: HttpRequest) -> HttpResponse:
    koperasi = request.koperasi  # type: ignore[attr-defined]
    now = timezone.now()
    rows = [
        {
            "row": row,
            "amount": format_rupiah(row.amount) if row.amount is not None else "",
            "age": age_text(row.created_at, now),
        }
        for row in registry.inbox(koperasi, request.user, request.roles)  # type: ignore[attr-defined]
    ]
    return render(request, "approvals/inbox.html", {"rows": rows})


def _address(request: HttpRequest) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


@require_POST
@koperasi_view("approvals.view")
def decide(
    request: HttpRequest, approval_kind: str, approval_item_id, decision: str
) -> HttpResponse:
    """The one approve / reject view pair of every module: decide one item with the
    module's own service (its checks, its refusals in Bahasa Indonesia), then back to the
    page the officer came from (``next``, a module's own page, on this site only) or the
    inbox, with a message either way."""
    koperasi = request.koperasi  # type: ignore[attr-defined]
    kind = registry.get_kind(approval_kind)
    obj = registry.get_item(kind, koperasi, approval_item_id)
    try:
        if decision == "approve":
            kind.approve(obj, actor=request.user, source_address=_address(request))
            messages.success(request, _("Approved: %(kind)s.") % {"kind": kind.label})
        else:
            kind.reject(
                obj,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                source_address=_address(request),
            )
            messages.success(
                request, _("Rejected: %(kind)s. Nothing moved.") % {"kind": kind.label}
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("approvals:inbox", slug=koperasi.slug)
