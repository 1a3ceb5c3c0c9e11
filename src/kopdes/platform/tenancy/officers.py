"""The officers of a koperasi: the list, inviting one, revoking a role, resetting a lost
authenticator. Pages under ``/k/<slug>/`` behind the tenant gate (``tenancy.access``), so
they live in tenancy, above identity, whose services they call.

Their URL names stay in the ``identity`` namespace (``identity:officer-list``,
``identity:officer-invite``, ``identity:role-revoke``, ``identity:two-factor-reset``: a
contract of the pages); ``config/urls.py`` mounts ``urlpatterns`` with identity's URLs.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity import selectors, services
from kopdes.platform.identity.forms import InviteForm, grantable_roles
from kopdes.platform.identity.models import RoleAssignment
from kopdes.platform.identity.permissions import has_perm, may_grant
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.requests import KoperasiRequest


def _address(request: KoperasiRequest) -> str:
    return getattr(request, "client_address", "") or request.META.get("REMOTE_ADDR", "")


@koperasi_view("identity.view_officers")
def officer_list(request: KoperasiRequest) -> HttpResponse:
    roles = request.roles
    may_revoke = has_perm(roles, "identity.revoke_role")
    rows = []
    for assignment in selectors.list_officers(request.koperasi):
        rows.append(
            {
                "assignment": assignment,
                "revocable": may_revoke
                and assignment.user_id != request.user.pk
                and may_grant(roles, assignment.role),
            }
        )
    may_invite = has_perm(roles, "identity.invite_officer")
    return render(
        request,
        "identity/officer_list.html",
        {
            "rows": rows,
            "may_invite": may_invite,
            "invitations": selectors.list_open_invitations(request.koperasi) if may_invite else [],
        },
    )


@koperasi_view("identity.invite_officer")
def officer_invite(request: KoperasiRequest) -> HttpResponse:
    """Invite an officer; the one-time link is shown on the answer page, never stored."""
    choices = grantable_roles(request.roles)
    form = InviteForm(request.POST or None, role_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, raw = services.invite_officer(
                request.koperasi,
                actor=request.user,
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
                username=form.cleaned_data["username"],
                source_address=_address(request),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            link = request.build_absolute_uri(
                reverse("identity:invitation-accept", kwargs={"token": raw})
            )
            text = _(
                "Hello %(name)s, you are invited as %(role)s of %(koperasi)s in kopdes. "
                "Open this link to choose your password (it works once): %(link)s"
            ) % {
                "name": invitation.full_name,
                "role": invitation.get_role_display(),
                "koperasi": request.koperasi.name,
                "link": link,
            }
            response = render(
                request,
                "identity/invitation_created.html",
                {
                    "invitation": invitation,
                    "link": link,
                    "whatsapp_url": "https://wa.me/?" + urlencode({"text": text}),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "identity/officer_invite.html", {"form": form})


@require_POST
@koperasi_view("identity.revoke_role")
def role_revoke(request: KoperasiRequest, assignment_id) -> HttpResponse:
    assignment = (
        RoleAssignment.objects.filter(
            koperasi=request.koperasi, pk=assignment_id, revoked_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if assignment is None:
        raise Http404
    try:
        services.revoke_role(assignment, actor=request.user, source_address=_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The role %(role)s of %(user)s was revoked.")
            % {"role": assignment.get_role_display(), "user": assignment.user},
        )
    return redirect("identity:officer-list", slug=request.koperasi.slug)


@require_POST
@koperasi_view("identity.revoke_role")
def two_factor_reset(request: KoperasiRequest, assignment_id) -> HttpResponse:
    """A ketua/admin removes an officer's authenticator (lost phone); next login sets it up."""
    assignment = (
        RoleAssignment.objects.filter(
            koperasi=request.koperasi, pk=assignment_id, revoked_at__isnull=True
        )
        .select_related("user", "koperasi")
        .first()
    )
    if assignment is None:
        raise Http404
    try:
        services.reset_two_factor(assignment, actor=request.user, source_address=_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The two-step login of %(user)s was reset. They set it up again at their next login.")
            % {"user": assignment.user},
        )
    return redirect("identity:officer-list", slug=request.koperasi.slug)


urlpatterns = [
    path("k/<slug:slug>/pengurus/", officer_list, name="officer-list"),
    path("k/<slug:slug>/pengurus/undang/", officer_invite, name="officer-invite"),
    path(
        "k/<slug:slug>/pengurus/<uuid:assignment_id>/cabut/",
        role_revoke,
        name="role-revoke",
    ),
    path(
        "k/<slug:slug>/pengurus/<uuid:assignment_id>/reset-verifikasi/",
        two_factor_reset,
        name="two-factor-reset",
    ),
]
