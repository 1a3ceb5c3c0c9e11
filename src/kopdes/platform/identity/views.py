"""Pages: login (with django-axes lockout), two-factor, officers, invitations.

Each view parses input, calls one service or selector, and turns a ``DomainError`` into a
message on the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity import selectors, services
from kopdes.platform.identity.forms import (
    LoginForm,
    OtpTokenForm,
    SetPasswordForm,
)

RECOVERY_CODES_SESSION_KEY = "identity_recovery_codes"


def _address(request: HttpRequest) -> str:
    return getattr(request, "client_address", "") or request.META.get("REMOTE_ADDR", "")


def _safe_next(request: HttpRequest) -> str:
    """``next`` from the query or form when it points at this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:home")


def _two_factor_url(next_url: str) -> str:
    return f"{reverse('identity:two-factor')}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """Username and password. django-axes counts failures per username and address."""

    template_name = "identity/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = round(float(settings.AXES_COOLOFF_TIME) * 60)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_login(form.get_user(), source_address=_address(self.request))
        return response

    def form_invalid(self, form):
        services.record_login_failure(
            self.request.POST.get("username", ""),
            source_address=_address(self.request),
            locked=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        next_url = self.get_redirect_url() or reverse("web:home")
        if selectors.needs_two_factor(self.request.user):
            return _two_factor_url(next_url)
        return next_url


class LogoutView(auth_views.LogoutView):
    """POST only; the session is flushed, so its old cookie opens nothing afterwards."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.record_logout(request.user, source_address=_address(request))
        return super().post(request, *args, **kwargs)


def _qr_data_uri(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@never_cache
@login_required
@sensitive_post_parameters("otp_token")
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up TOTP (first time) or check a TOTP/recovery code, then go on to ``next``."""
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    confirmed = selectors.confirmed_totp_device(user)
    form = OtpTokenForm(request.POST or None)
    if confirmed is None:
        device = selectors.pending_totp_device(user)
        if device is None:
            device = services.start_totp_setup(user)
        if request.method == "POST" and form.is_valid():
            try:
                codes = services.confirm_totp(
                    user, device, form.cleaned_data["otp_token"], source_address=_address(request)
                )
            except DomainError as exc:
                form.add_error("otp_token", exc.message)
            else:
                request.session.cycle_key()
                django_otp.login(request, device)
                request.session[RECOVERY_CODES_SESSION_KEY] = codes
                url = reverse("identity:recovery-codes")
                return redirect(f"{url}?{urlencode({'next': next_url})}")
        return render(
            request,
            "identity/two_factor_setup.html",
            {
                "form": form,
                "next": next_url,
                "qr": _qr_data_uri(device),
                "secret": services.totp_secret_text(device),
            },
        )
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(
                user, form.cleaned_data["otp_token"], source_address=_address(request)
            )
        except DomainError as exc:
            form.add_error("otp_token", exc.message)
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.persistent_id != confirmed.persistent_id:
                left = selectors.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("You used a recovery code. %(left)s recovery codes are left.")
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "identity/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The ten recovery codes, shown once right after TOTP setup."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "identity/recovery_codes.html",
        {"codes": codes, "next": _safe_next(request)},
    )


@never_cache
@sensitive_post_parameters("password", "password_again")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited officer sets a password, is logged in, and goes on to set up TOTP."""
    try:
        invitation = services.open_invitation(token)
    except DomainError as exc:
        status = 404 if exc.code == "not_found" else 410
        return render(
            request, "identity/invitation_invalid.html", {"message": exc.message}, status=status
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token, password=form.cleaned_data["password"], source_address=_address(request)
            )
        except DomainError as exc:
            form.add_error("password" if exc.field == "password" else None, exc.message)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.record_login(user, source_address=_address(request))
            dashboard = reverse("web:dashboard", kwargs={"slug": invitation.koperasi.slug})
            return redirect(_two_factor_url(dashboard))
    return render(
        request, "identity/invitation_accept.html", {"form": form, "invitation": invitation}
    )
