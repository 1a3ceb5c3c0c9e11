"""The member portal: a member sees only their own data. Members need no TOTP."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.members import selectors, services
from kopdes.members.forms import PortalActivateForm, PortalCorrectionForm, PortalLoginForm
from kopdes.members.models import Member
from kopdes.members.views import export_response
from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity import services as identity
from kopdes.platform.privacy.choices import DataRequestKind
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.models import Koperasi
from kopdes.platform.tenancy.requests import KoperasiRequest


class MemberRequest(KoperasiRequest):
    """A member portal page's request: ``portal_member_view`` adds the caller's member."""

    member: Member


def _address(request) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


def portal_member_view(view):
    """``koperasi_view("members.portal")`` plus the caller's own member in
    ``request.member``. A login with the anggota role but no member record in this
    koperasi (e.g. made by hand) sees a plain explanation of what to do, not a 404."""

    @koperasi_view("members.portal")
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        member = Member.objects.filter(koperasi=request.koperasi, user=request.user).first()
        if member is None:
            # A page about one object (a loan, an account) stays a 404 like any object
            # that is not hers: only the status differs, the words are the same.
            return render(
                request,
                "members/portal_no_member.html",
                {"koperasi": request.koperasi},
                status=404 if kwargs else 200,
            )
        request.member = member
        return view(request, *args, **kwargs)

    return wrapped


def _own_member(request) -> Member:
    """The member linked to the logged-in user (set by ``portal_member_view``)."""
    return request.member


def portal_login(request):
    form = PortalLoginForm(request.POST or None, initial={"slug": request.GET.get("k", "")})
    if request.method == "POST" and form.is_valid():
        slug, number = form.cleaned_data["slug"], form.cleaned_data["number"].strip()
        user = authenticate(
            request, username=f"{slug}.{number}", password=form.cleaned_data["password"]
        )
        member = (
            Member.objects.filter(koperasi__slug=slug, number=number, user=user).first()
            if user is not None
            else None
        )
        if member is None:
            identity.record_login_failure(f"{slug}.{number}", source_address=_address(request))
            form.add_error(None, _("The koperasi code, member number or password is wrong."))
        else:
            login(request, user)
            identity.record_login(user, source_address=_address(request))
            return redirect("portal:home", slug=slug)
    return render(request, "members/portal_login.html", {"form": form})


def portal_activate(request):
    form = PortalActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        koperasi = Koperasi.objects.filter(slug=form.cleaned_data["slug"]).first()
        try:
            if koperasi is None:
                raise services.MemberError(
                    _("The member number or the code is wrong, or the code has expired.")
                )
            services.activate_portal(
                koperasi,
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                at=timezone.now(),
                source_address=_address(request),
            )
        except DomainError as exc:
            form.add_error("password" if exc.field == "password" else None, exc.message)
        else:
            messages.success(request, _("Your password is set. Please log in."))
            return redirect(f"{_login_url()}?k={koperasi.slug}")
    return render(request, "members/portal_activate.html", {"form": form})


def _optional_url(name: str, slug: str) -> str:
    """The URL of another app's portal page, or "" while that app is not installed."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs={"slug": slug})
    except NoReverseMatch:
        return ""


def _login_url() -> str:
    from django.urls import reverse

    return reverse("portal:login")


@portal_member_view
def portal_home(request):
    member = _own_member(request)
    return render(
        request,
        "members/portal_home.html",
        {
            "koperasi": request.koperasi,
            "member": member,
            "masked": selectors.masked_view(member),
            "savings": selectors.savings_summary(member, latest=PORTAL_HOME_MOVEMENTS),
            "requests": selectors.list_member_requests(member),
            "correction_form": PortalCorrectionForm(),
            "loans_url": _optional_url("loans_portal:home", request.koperasi.slug),
        },
    )


@portal_member_view
def portal_export(request):
    member = _own_member(request)
    data = services.export_member_data(
        member, actor=request.user, koperasi=request.koperasi, at=timezone.now()
    )
    return export_response(request, member, data, request.GET.get("format", "json"))


@portal_member_view
def portal_correction(request):
    member = _own_member(request)
    form = PortalCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_data(
                member,
                actor=request.user,
                kind=DataRequestKind.CORRECTION,
                detail=form.cleaned_data["detail"],
                at=timezone.now(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your request was sent. The koperasi answers within 3 x 24 hours.")
            )
            return redirect("portal:home", slug=request.koperasi.slug)
    return render(
        request,
        "members/portal_correction.html",
        {"koperasi": request.koperasi, "member": member, "form": form},
    )


PORTAL_HOME_MOVEMENTS = 5
PASSBOOK_PAGE_SIZE = 25


@portal_member_view
def portal_passbook(request):
    """The member's passbook: every movement of every savings account, newest first, a
    page at a time, with the balance after each and the total of all accounts."""
    member = _own_member(request)
    passbook = selectors.savings_passbook(member)
    if passbook is None:
        raise Http404
    page = Paginator(passbook["movements"], PASSBOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/portal_passbook.html",
        {
            "koperasi": request.koperasi,
            "member": member,
            "accounts": passbook["accounts"],
            "total": passbook["total"],
            "page": page,
            "rows": selectors.passbook_rows(page.object_list),
        },
    )
