"""The member portal: activation codes and linking the portal user."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.members.choices import EXIT_STATUSES
from kopdes.members.errors import MemberError
from kopdes.members.models import Member, PortalActivation
from kopdes.members.services._common import (
    ACTIVATION_ALPHABET,
    ACTIVATION_MAX_ATTEMPTS,
    ACTIVATION_VALIDITY,
    _roles,
)
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.selectors import roles_for

# --- portal --------------------------------------------------------------------------------


def _code_hash(koperasi, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{koperasi.pk}|{code}".encode(), hashlib.sha256
    ).hexdigest()


def portal_username(member: Member) -> str:
    return f"{member.koperasi.slug}.{member.number}"


def issue_portal_code(member: Member, *, actor, at: dt.datetime, source_address: str = "") -> str:
    """Create a one-time 8-character code (valid 72 h) for the member to set a portal
    password. Returned once, stored only hashed; earlier unused codes stop working.
    Audited as ``members.portal_code.issued``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.issue_portal_code")
    if member.status in EXIT_STATUSES:
        raise MemberError(_("A member who has left cannot use the portal."))
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(8))
    with transaction.atomic():
        PortalActivation.objects.filter(member=member, used_at__isnull=True).update(used_at=at)
        activation = PortalActivation.objects.create(
            koperasi=koperasi,
            member=member,
            code_hash=_code_hash(koperasi, code),
            expires_at=at + ACTIVATION_VALIDITY,
            created_by=actor,
            created_at=at,
        )
        record(
            "members.portal_code.issued",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=activation,
            summary={"number": member.number, "expires_at": activation.expires_at.isoformat()},
            source_address=source_address,
        )
    return code


def link_portal_user(member: Member, *, user, actor, source_address: str = "") -> Member:
    """Link an existing login holding the anggota role in the member's koperasi to
    ``member``, so the portal shows her own data (the demo's ``anggota.<slug>``; a login an
    admin made by hand). A member or a login already linked elsewhere, a member who has
    left, or a login without the anggota role here is refused. Audited as
    ``members.portal.linked``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.issue_portal_code")
    if member.status in EXIT_STATUSES:
        raise MemberError(_("A member who has left cannot use the portal."))
    if Role.ANGGOTA not in roles_for(user, koperasi):
        raise MemberError(_("This login is not a member's login in this koperasi."))
    if member.user_id is not None and member.user_id != user.pk:
        raise ConflictError(_("This member already has a portal login."))
    if Member.objects.filter(koperasi=koperasi, user=user).exclude(pk=member.pk).exists():
        raise ConflictError(_("This login already belongs to another member."))
    if member.user_id == user.pk:
        return member
    with transaction.atomic():
        member.user = user
        member.save(update_fields=["user"])
        if user.full_name != member.full_name:  # the portal greets her by her own name
            user.full_name = member.full_name
            user.save(update_fields=["full_name"])
        record(
            "members.portal.linked",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=member,
            summary={"number": member.number, "username": user.username},
            source_address=source_address,
        )
    return member


def activate_portal(
    koperasi, *, number: str, code: str, password: str, at: dt.datetime, source_address: str = ""
):
    """Set the member's portal password with the one-time code; return the ``User``.

    Creates the user (role anggota, username ``<slug>.<number>``) on first use, or sets a
    new password. Any wrong input gives the same message (no probing which part failed).
    Audited as ``members.portal.activated``.
    """
    from kopdes.platform.identity import services as identity

    wrong = MemberError(_("The member number or the code is wrong, or the code has expired."))
    number = str(number or "").strip()
    code = str(code or "").strip().upper().replace(" ", "").replace("-", "")
    member = Member.objects.filter(koperasi=koperasi, number=number).first()
    if member is None or len(code) != 8 or member.status in EXIT_STATUSES:
        raise wrong
    activation = (
        PortalActivation.objects.filter(member=member, used_at__isnull=True, expires_at__gt=at)
        .order_by("-created_at")
        .first()
    )
    if activation is None or activation.attempts >= ACTIVATION_MAX_ATTEMPTS:
        raise wrong
    if not hmac.compare_digest(activation.code_hash, _code_hash(koperasi, code)):
        PortalActivation.objects.filter(pk=activation.pk).update(attempts=activation.attempts + 1)
        raise wrong
    with transaction.atomic():
        if member.user_id is None:
            user = identity.create_officer(
                koperasi,
                actor=None,
                username=portal_username(member),
                full_name=member.full_name,
                role=Role.ANGGOTA,
                password=password,
                source_address=source_address,
            )
            member.user = user
            member.save(update_fields=["user"])
        else:
            user = member.user
            identity._validate_new_password(
                password, username=user.username, full_name=user.full_name
            )
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        activation.used_at = at
        activation.save(update_fields=["used_at"])
        record(
            "members.portal.activated",
            actor=user,
            koperasi=koperasi,
            role="anggota",
            obj=member,
            summary={"number": member.number},
            source_address=source_address,
        )
    return user
