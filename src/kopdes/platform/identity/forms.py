"""Forms of the identity pages. They parse input only; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kopdes.platform.core.forms import KopdesForm, TextGuardMixin
from kopdes.platform.identity.choices import KOPERASI_ROLES, Role
from kopdes.platform.identity.permissions import may_grant


class LoginForm(TextGuardMixin, AuthenticationForm):
    """Django's login form (it passes ``request`` to ``authenticate``, which axes needs)."""

    error_messages = {
        "invalid_login": _(
            "The username or password is not right. Note that both are case-sensitive."
        ),
        "inactive": _("This account is not active."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "username"}
        )
        self.fields["password"].label = _("Password")


class OtpTokenForm(KopdesForm):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def grantable_roles(actor_roles) -> list[tuple[str, str]]:
    """Koperasi roles the actor may hand out, highest first, as form choices."""
    order = [
        Role.KETUA,
        Role.SEKRETARIS,
        Role.BENDAHARA,
        Role.PENGAWAS,
        Role.MANAJER,
        Role.KASIR,
        Role.PETUGAS_PINJAMAN,
        Role.ANGGOTA,
    ]
    return [(r.value, r.label) for r in order if r in KOPERASI_ROLES and may_grant(actor_roles, r)]


class InviteForm(KopdesForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What they will type to log in: letters and digits, no spaces."),
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, role_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(role_choices)


class SetPasswordForm(KopdesForm):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data
