"""Plain-language names for audit actions on the dashboard's "recent activity" list.

Apps add their own: ``ACTION_LABELS["savings.deposit.posted"] = _("Deposit posted")``.
An action without a label is shown by its code, so nothing is ever hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str] = {
    "tenancy.koperasi.created": _("Koperasi registered"),
    "tenancy.koperasi.updated": _("Koperasi profile changed"),
    "tenancy.adart.updated": _("AD/ART settings changed"),
    "identity.officer.created": _("Officer added"),
    "identity.user.created": _("User created"),
    "identity.role.granted": _("Role granted"),
    "identity.role.revoked": _("Role revoked"),
    "identity.invitation.created": _("Officer invited"),
    "identity.invitation.accepted": _("Invitation accepted"),
    "identity.totp.confirmed": _("Two-step login set up"),
    "identity.login.succeeded": _("Logged in"),
    "identity.login.failed": _("Failed login"),
}


def describe_action(code: str) -> str:
    """The label of ``code``, or the code itself when no app has named it."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
