"""Writes about people: officers, roles, invitations, API tokens, TOTP and logins.

Every function checks who may do it, writes inside ``transaction.atomic`` and records its
audit event in the same transaction. A refusal raises a ``DomainError`` whose message is
shown to the user as is (Bahasa Indonesia when that is the active language) and writes
nothing, except where noted: a failed login or a wrong TOTP code is itself recorded, because
the record of an attack must survive the refusal.
"""

from __future__ import annotations

import secrets
import time
from base64 import b32encode
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.domain.regions import PREFIX_RE, is_within
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import DomainError, PermissionDeniedError
from kopdes.platform.identity.api import hash_token
from kopdes.platform.identity.choices import CROSS_ROLES, KOPERASI_ROLES, Role
from kopdes.platform.identity.models import ApiToken, Invitation, RoleAssignment, User
from kopdes.platform.identity.permissions import has_perm, may_grant, role_label
from kopdes.platform.identity.selectors import active_assignments, roles_for

if TYPE_CHECKING:
    # identity sits below tenancy (import-linter): here the koperasi is only a type.
    from kopdes.platform.tenancy.models import Koperasi

INVITATION_TTL = timedelta(days=7)
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "kopdes"
RECOVERY_DEVICE_NAME = "recovery"


class IdentityError(DomainError):
    """A rule about people, roles or two-factor login refused the operation."""


# --- helpers ------------------------------------------------------------------------------


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise IdentityError(_("Unknown role: %(role)s.") % {"role": value}, field="role") from None


def _validate_new_password(password: str, *, username: str, full_name: str) -> None:
    """Django's password validators; their messages follow the active language."""
    probe = User(username=username, full_name=full_name)
    try:
        password_validation.validate_password(password, user=probe)
    except ValidationError as exc:
        raise IdentityError(" ".join(exc.messages), field="password") from None


def _validate_new_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise IdentityError(_("Please enter a username."), field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise IdentityError(
            _("A username may contain only letters, digits and @ . + - _ (no spaces)."),
            field="username",
        ) from None
    if len(username) > 150:
        raise IdentityError(_("A username may be at most 150 characters."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise IdentityError(
            _("The username %(username)s is already taken. Please choose another.")
            % {"username": username},
            field="username",
        )
    return username


def _require_koperasi_role(role: Role) -> None:
    if role not in KOPERASI_ROLES:
        raise IdentityError(
            _("%(role)s is not a role inside a koperasi.") % {"role": role.label}, field="role"
        )


def _check_may_grant(actor: User, koperasi: Koperasi, role: Role) -> frozenset[Role]:
    """The actor's roles in ``koperasi``; refuse unless they may hand out ``role``."""
    actor_roles = roles_for(actor, koperasi)
    if not may_grant(actor_roles, role):
        raise PermissionDeniedError(
            _("You may not give the role %(role)s: nobody may grant a role above their own.")
            % {"role": role.label},
            field="role",
        )
    return actor_roles


# --- officers and roles -------------------------------------------------------------------


def create_officer(
    koperasi: Koperasi,
    *,
    actor: User | None,
    username: str,
    full_name: str,
    role: Role | str,
    password: str | None = None,
    source_address: str = "",
) -> User:
    """Create a new user holding ``role`` in ``koperasi`` and return it.

    ``actor=None`` is a system action (the ``createofficer`` command, the demo generator)
    and skips the grant check; with an actor, ``may_grant`` must allow the role. The
    password goes through Django's validators; ``password=None`` leaves the account
    without a usable password (it cannot log in until one is set).
    """
    role = _role(role)
    _require_koperasi_role(role)
    full_name = (full_name or "").strip()
    if not full_name:
        raise IdentityError(_("Please enter the full name."), field="full_name")
    actor_roles: frozenset[Role] = frozenset()
    if actor is not None:
        actor_roles = _check_may_grant(actor, koperasi, role)
    username = _validate_new_username(username)
    if password is not None:
        _validate_new_password(password, username=username, full_name=full_name)
    with transaction.atomic():
        user = User(username=username, full_name=full_name)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        try:
            with transaction.atomic():
                user.save(force_insert=True)
        except IntegrityError:
            raise IdentityError(
                _("The username %(username)s is already taken. Please choose another.")
                % {"username": username},
                field="username",
            ) from None
        assignment = RoleAssignment.objects.create(
            user=user, role=role, koperasi=koperasi, granted_by=actor
        )
        record(
            "identity.role.granted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(actor_roles),
            obj=assignment,
            summary={"username": user.username, "role": str(role), "new_user": True},
            source_address=source_address,
        )
    return user


def grant_role(
    user: User,
    koperasi: Koperasi,
    *,
    actor: User | None,
    role: Role | str,
    source_address: str = "",
) -> RoleAssignment:
    """Give an existing user one more role in ``koperasi`` (same grant rule as invitations)."""
    role = _role(role)
    _require_koperasi_role(role)
    actor_roles: frozenset[Role] = frozenset()
    if actor is not None:
        actor_roles = _check_may_grant(actor, koperasi, role)
    with transaction.atomic():
        if active_assignments(user).filter(koperasi=koperasi, role=role).exists():
            raise IdentityError(
                _("%(user)s already holds the role %(role)s here.")
                % {"user": user, "role": role.label}
            )
        assignment = RoleAssignment.objects.create(
            user=user, role=role, koperasi=koperasi, granted_by=actor
        )
        record(
            "identity.role.granted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(actor_roles),
            obj=assignment,
            summary={"username": user.username, "role": str(role), "new_user": False},
            source_address=source_address,
        )
    return assignment


def _is_admin(user: User) -> bool:
    return active_assignments(user).filter(role=Role.ADMIN, koperasi__isnull=True).exists()


def grant_cross_role(
    user: User,
    *,
    actor: User | None,
    role: Role | str,
    region_prefix: str = "",
    source_address: str = "",
) -> RoleAssignment:
    """Give ``user`` a role across koperasi: pendamping, dinas, kementerian or admin.

    Only an admin may (``actor=None`` is a system action). A dinas needs the Kemendagri
    prefix of the region it oversees ("32" or "32.01"), which must exist in the official
    list; a pendamping may have one; kementerian and admin see the whole country.
    """
    role = _role(role)
    if role not in CROSS_ROLES:
        raise IdentityError(
            _("%(role)s is a role inside one koperasi, not across koperasi.")
            % {"role": role.label},
            field="role",
        )
    if actor is not None and not _is_admin(actor):
        raise PermissionDeniedError(_("Only an admin may give roles across koperasi."))
    region_prefix = (region_prefix or "").strip()
    if role in (Role.ADMIN, Role.KEMENTERIAN):
        if region_prefix:
            raise IdentityError(
                _("The role %(role)s covers the whole country; leave the region empty.")
                % {"role": role.label},
                field="region_prefix",
            )
    elif role == Role.DINAS or region_prefix:
        _check_region_prefix(region_prefix)
    with transaction.atomic():
        duplicate = active_assignments(user).filter(
            role=role, koperasi__isnull=True, region_prefix=region_prefix
        )
        if duplicate.exists():
            raise IdentityError(
                _("%(user)s already holds the role %(role)s.") % {"user": user, "role": role.label}
            )
        assignment = RoleAssignment.objects.create(
            user=user, role=role, koperasi=None, region_prefix=region_prefix, granted_by=actor
        )
        record(
            "identity.role.granted",
            actor=actor,
            role=Role.ADMIN.value if actor is not None else "",
            obj=assignment,
            summary={"username": user.username, "role": str(role), "region_prefix": region_prefix},
            source_address=source_address,
        )
    return assignment


def _check_region_prefix(prefix: str) -> None:
    from kopdes.platform.core.regions import region_name

    if not prefix:
        raise IdentityError(
            _("A dinas needs the code of the region it oversees, for example 32 or 32.01."),
            field="region_prefix",
        )
    # is_within(prefix, prefix) holds exactly when the prefix has a well-formed shape.
    if not PREFIX_RE.fullmatch(prefix) or not is_within(prefix, prefix):
        raise IdentityError(
            _("The region code %(code)s is not well formed; write it like 32 or 32.01.")
            % {"code": prefix},
            field="region_prefix",
        )
    if region_name(prefix) is None:
        raise IdentityError(
            _("The region code %(code)s is not in the official Kemendagri list.")
            % {"code": prefix},
            field="region_prefix",
        )


def revoke_role(
    assignment: RoleAssignment, *, actor: User | None, source_address: str = ""
) -> None:
    """End one role assignment. Nobody revokes their own role or one above their own."""
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update(of=("self",))
            .select_related("user", "koperasi")
            .get(pk=assignment.pk)
        )
        if assignment.revoked_at is not None:
            raise IdentityError(_("This role was already revoked."))
        role = Role(assignment.role)
        koperasi = assignment.koperasi
        actor_roles: frozenset[Role] = frozenset()
        if actor is not None:
            if assignment.user_id == actor.pk:
                raise PermissionDeniedError(_("You may not revoke your own role."))
            if koperasi is None:
                if not _is_admin(actor):
                    raise PermissionDeniedError(
                        _("Only an admin may revoke roles across koperasi.")
                    )
                actor_roles = frozenset({Role.ADMIN})
            else:
                actor_roles = roles_for(actor, koperasi)
                if not has_perm(actor_roles, "identity.revoke_role") or not may_grant(
                    actor_roles, role
                ):
                    raise PermissionDeniedError(
                        _("You may not revoke the role %(role)s.") % {"role": role.label}
                    )
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        record(
            "identity.role.revoked",
            actor=actor,
            koperasi=koperasi,
            role=role_label(actor_roles),
            obj=assignment,
            summary={"username": assignment.user.username, "role": str(role)},
            source_address=source_address,
        )


# --- invitations --------------------------------------------------------------------------


def invite_officer(
    koperasi: Koperasi,
    *,
    actor: User,
    role: Role | str,
    full_name: str,
    username: str,
    source_address: str = "",
) -> tuple[Invitation, str]:
    """Invite a new officer; returns the invitation and its raw token (shown only once).

    Only the SHA-256 of the token is stored. The invited person opens
    ``/akun/undangan/<token>/`` within seven days, sets a password, then sets up TOTP.
    """
    role = _role(role)
    _require_koperasi_role(role)
    actor_roles = _check_may_grant(actor, koperasi, role)
    full_name = (full_name or "").strip()
    if not full_name:
        raise IdentityError(_("Please enter the full name."), field="full_name")
    username = _validate_new_username(username)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # An older invitation for the same name that was never used is replaced.
        Invitation.objects.filter(
            koperasi=koperasi, username__iexact=username, accepted_at__isnull=True
        ).delete()
        invitation = Invitation.objects.create(
            koperasi=koperasi,
            role=role,
            full_name=full_name,
            username=username,
            token_hash=hash_token(raw),
            invited_by=actor,
            expires_at=now + INVITATION_TTL,
        )
        record(
            "identity.invitation.created",
            actor=actor,
            koperasi=koperasi,
            role=role_label(actor_roles),
            obj=invitation,
            summary={
                "username": username,
                "role": str(role),
                "expires_at": invitation.expires_at.isoformat(),
            },
            source_address=source_address,
        )
    return invitation, raw


def open_invitation(raw_token: str) -> Invitation:
    """The invitation for ``raw_token`` if it can still be accepted, else ``IdentityError``."""
    invitation = (
        Invitation.objects.select_related("koperasi")
        .filter(token_hash=hash_token(raw_token or ""))
        .first()
    )
    if invitation is None:
        raise IdentityError(_("This invitation link is not valid."), code="not_found")
    if invitation.accepted_at is not None:
        raise IdentityError(_("This invitation link has already been used."), code="used")
    if invitation.expires_at <= timezone.now():
        raise IdentityError(
            _("This invitation link has expired. Please ask your ketua for a new one."),
            code="expired",
        )
    return invitation


def accept_invitation(raw_token: str, *, password: str, source_address: str = "") -> User:
    """Create the invited officer's account with ``password`` and give them their role.

    The grant is checked again against the inviter's roles today: an inviter who lost
    their role in the meantime can no longer bring anybody in.
    """
    invitation = open_invitation(raw_token)
    role = Role(invitation.role)
    if not may_grant(roles_for(invitation.invited_by, invitation.koperasi), role):
        raise PermissionDeniedError(
            _(
                "The person who invited you may no longer give this role. "
                "Please ask for a new invitation."
            )
        )
    username = _validate_new_username(invitation.username)
    _validate_new_password(password, username=username, full_name=invitation.full_name)
    with transaction.atomic():
        # Claim the invitation first; a second click or a race finds nothing to claim.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        if claimed != 1:
            raise IdentityError(_("This invitation link has already been used."), code="used")
        user = User(username=username, full_name=invitation.full_name)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save(force_insert=True)
        except IntegrityError:
            raise IdentityError(
                _("The username %(username)s is already taken. Please choose another.")
                % {"username": username},
                field="username",
            ) from None
        Invitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
        assignment = RoleAssignment.objects.create(
            user=user, role=role, koperasi=invitation.koperasi, granted_by=invitation.invited_by
        )
        record(
            "identity.invitation.accepted",
            actor=user,
            koperasi=invitation.koperasi,
            role=str(role),
            obj=invitation,
            summary={"username": username, "role": str(role)},
            source_address=source_address,
        )
        record(
            "identity.role.granted",
            actor=invitation.invited_by,
            koperasi=invitation.koperasi,
            role=role_label(roles_for(invitation.invited_by, invitation.koperasi)),
            obj=assignment,
            summary={"username": username, "role": str(role), "invitation": str(invitation.pk)},
            source_address=source_address,
        )
    return user


# --- API tokens ---------------------------------------------------------------------------


def create_api_token(user: User, *, actor: User | None, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``; returns the row and the raw token (shown once).

    A user makes their own tokens; ``actor=None`` is the ``createtoken`` command.
    """
    name = (name or "").strip()
    if not name:
        raise IdentityError(_("Please give the token a name."), field="name")
    if len(name) > 80:
        raise IdentityError(_("A token name may be at most 80 characters."), field="name")
    if actor is not None and actor.pk != user.pk:
        raise PermissionDeniedError(_("You may only create API tokens for yourself."))
    if not user.is_active:
        raise IdentityError(_("This account is not active."))
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw))
        record(
            "identity.api_token.created",
            actor=actor,
            obj=token,
            summary={"username": user.username, "name": name},
        )
    return token, raw


# --- two-factor (TOTP and recovery codes) ---------------------------------------------------


def start_totp_setup(user: User) -> TOTPDevice:
    """A fresh, unconfirmed TOTP device for ``user`` (an older unconfirmed one is dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        record(
            "identity.totp.setup_started",
            actor=user,
            obj=device,
            object_type="otp_totp.totpdevice",
            summary={"username": user.username},
        )
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The device secret as base32 in groups of four, for typing into an authenticator app."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean_code(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isalnum()).lower()


def _failed_verification(
    user: User, device: Device | None, action: str, source_address: str
) -> None:
    """Record a refused code in its own transaction: the refusal must not erase the trace."""
    record(
        action,
        actor=user,
        summary={"username": user.username, "device": device.persistent_id if device else ""},
        source_address=source_address,
    )


def _throttled_message(device: Device) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    wait = 1
    if data and data.get("locked_until"):
        wait = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return _("Too many wrong codes. Please wait %(seconds)s seconds and try again.") % {
        "seconds": wait
    }


def confirm_totp(
    user: User, device: TOTPDevice, token: str, *, source_address: str = ""
) -> list[str]:
    """Confirm a new TOTP device with a code from the app; return 10 recovery codes.

    The codes are shown once: only django-otp's static device keeps them, and each works
    once. Other TOTP devices and older recovery codes of the user are removed.
    """
    if device.user_id != user.pk:
        raise IdentityError(_("This authenticator does not belong to you."))
    code = _clean_code(token)
    if not code.isdigit() or len(code) != device.digits:
        raise IdentityError(
            _("Enter the 6-digit code from your authenticator app."), field="otp_token"
        )
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed:
            raise IdentityError(_("This authenticator is already set up."))
        if (message := _throttled_message(device)) is not None:
            raise IdentityError(message, field="otp_token")
        verified = device.verify_token(code)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            StaticDevice.objects.filter(user=user).delete()
            static = StaticDevice.objects.create(
                user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
            )
            codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
            StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
            record(
                "identity.totp.confirmed",
                actor=user,
                obj=device,
                object_type="otp_totp.totpdevice",
                summary={"username": user.username, "recovery_codes": RECOVERY_CODE_COUNT},
                source_address=source_address,
            )
            return codes
    # The throttle counter was saved by verify_token outside any rollback.
    _failed_verification(user, device, "identity.totp.failed", source_address)
    raise IdentityError(
        _("That code is not right. Check the time on your phone and try the newest code."),
        field="otp_token",
    )


def verify_second_factor(user: User, token: str, *, source_address: str = "") -> Device:
    """Check a TOTP code or a recovery code of ``user``; return the device that took it.

    A TOTP code is accepted once: django-otp remembers the last time step used
    (``last_t``) and refuses that step and any earlier one. A recovery code is deleted
    when used. Wrong codes slow down further attempts (django-otp's throttling).
    """
    code = _clean_code(token)
    if not code:
        raise IdentityError(_("Please enter the code."), field="otp_token")
    is_totp = code.isdigit() and len(code) == 6
    model = TOTPDevice if is_totp else StaticDevice
    with transaction.atomic():
        devices = list(
            model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        if not devices and is_totp:
            raise IdentityError(_("You have not set up an authenticator yet."), field="otp_token")
        for device in devices:
            if (message := _throttled_message(device)) is not None:
                raise IdentityError(message, field="otp_token")
            if device.verify_token(code):
                action = "identity.totp.verified" if is_totp else "identity.recovery_code.used"
                summary = {"username": user.username}
                if not is_totp:
                    summary["recovery_codes_left"] = device.token_set.count()
                record(
                    action,
                    actor=user,
                    obj=device,
                    object_type=device._meta.label_lower,
                    summary=summary,
                    source_address=source_address,
                )
                return device
    _failed_verification(
        user, devices[0] if devices else None, "identity.totp.failed", source_address
    )
    raise IdentityError(
        _("That code is not right, or it was already used. Wait for the next code and try again."),
        field="otp_token",
    )


def reset_two_factor(assignment: RoleAssignment, *, actor: User, source_address: str = "") -> None:
    """Remove the authenticator and recovery codes of the officer holding ``assignment``.

    For a lost phone: the officer sets up a new authenticator at their next login (the
    password is still needed). The same rule as revoking applies: a ketua or admin of the
    koperasi, for an officer whose roles there are not above their own, never themselves.
    """
    koperasi = assignment.koperasi
    target = assignment.user
    if koperasi is None:
        raise PermissionDeniedError(_("Only an admin may reset two-step login here."))
    if target.pk == actor.pk:
        raise PermissionDeniedError(_("You may not reset your own two-step login."))
    actor_roles = roles_for(actor, koperasi)
    target_roles = roles_for(target, koperasi)
    if not has_perm(actor_roles, "identity.revoke_role") or not all(
        may_grant(actor_roles, r) for r in target_roles
    ):
        raise PermissionDeniedError(
            _("You may not reset the two-step login of %(user)s.") % {"user": target}
        )
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=target).delete()[0]
        StaticDevice.objects.filter(user=target).delete()
        record(
            "identity.totp.reset",
            actor=actor,
            koperasi=koperasi,
            role=role_label(actor_roles),
            obj=target,
            summary={"username": target.username, "devices_removed": removed},
            source_address=source_address,
        )


def current_totp_code(device: TOTPDevice, *, now: float | None = None) -> str:
    """A code the device will accept right now, for the demo and the browser tests.

    A code is accepted once, so when the current time step was already used this returns
    the next step's code, which the tolerance (one step) still accepts. Codes further ahead
    are never given, so the device's drift stays within one step of the real clock; when
    both are spent, ``IdentityError`` asks to wait for the next 30-second window.
    """
    moment = time.time() if now is None else now
    real_t = (int(moment) - device.t0) // device.step
    lowest = max(real_t, device.last_t + 1, real_t + device.drift - device.tolerance)
    highest = min(real_t + device.tolerance, real_t + device.drift + device.tolerance)
    if lowest > highest:
        raise IdentityError(_("No fresh code yet; wait a few seconds and try again."))
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = device.t0 + lowest * device.step
    return f"{totp.token():0{device.digits}d}"


# --- logins -------------------------------------------------------------------------------


def record_login(user: User, *, source_address: str = "") -> None:
    """Record a successful password login (the session itself is Django's)."""
    record(
        "identity.user.logged_in",
        actor=user,
        obj=user,
        summary={"username": user.username},
        source_address=source_address,
    )


def record_login_failure(username: str, *, source_address: str = "", locked: bool = False) -> None:
    """Record a refused login; ``locked`` when django-axes has locked the name out."""
    record(
        "identity.login.failed",
        summary={"username": (username or "")[:150], "locked": locked},
        source_address=source_address,
    )


def record_logout(user: User, *, source_address: str = "") -> None:
    record(
        "identity.user.logged_out",
        actor=user,
        obj=user,
        summary={"username": user.username},
        source_address=source_address,
    )
