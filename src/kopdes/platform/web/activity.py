"""Plain-language names for audit actions on the dashboard's "recent activity" list.

Apps add their own: ``ACTION_LABELS["savings.deposit.posted"] = _("Deposit posted")``.
An action without a label is shown by its code, so nothing is ever hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str] = {
    # platform apps; later apps add theirs from their AppConfig.ready()
    "tenancy.koperasi.created": _("Koperasi registered"),
    "tenancy.koperasi.profile_updated": _("Koperasi profile changed"),
    "tenancy.koperasi.adart_updated": _("AD/ART settings changed"),
    "identity.role.granted": _("Role granted"),
    "identity.role.revoked": _("Role revoked"),
    "identity.invitation.created": _("Officer invited"),
    "identity.invitation.accepted": _("Invitation accepted"),
    "identity.api_token.created": _("API token created"),
    "identity.totp.setup_started": _("Two-step login set-up started"),
    "identity.totp.confirmed": _("Two-step login set up"),
    "identity.totp.reset": _("Two-step login reset"),
    "identity.user.logged_in": _("Logged in"),
    "identity.user.logged_out": _("Logged out"),
    "identity.login.failed": _("Failed login"),
}


def describe_action(code: str) -> str:
    """The label of ``code``, or the code itself when no app has named it."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
