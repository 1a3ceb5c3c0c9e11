"""Users and their roles, per koperasi and across koperasi."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopdes.platform.core.ids import uuid7
from kopdes.platform.identity import rolecache
from kopdes.platform.identity.choices import CROSS_ROLES, KOPERASI_ROLES, Role


class User(AbstractUser):
    """A person who logs in. Names and contact live here; roles are separate rows."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """One role of one user: in one koperasi, or across koperasi (a region for dinas)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    koperasi = models.ForeignKey(
        "tenancy.Koperasi",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    # For dinas/pendamping: the Kemendagri region prefix they oversee ("32", "32.01").
    region_prefix = models.CharField(max_length=13, blank=True, default="")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    models.Q(
                        role__in=sorted(r.value for r in KOPERASI_ROLES), koperasi__isnull=False
                    )
                    | models.Q(role__in=sorted(r.value for r in CROSS_ROLES), koperasi__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "koperasi", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_role_per_koperasi",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # A grant or revoke inside a request must be seen by that request's later checks.
        rolecache.forget()


class Invitation(models.Model):
    """An officer invited by a ketua/admin; the token (hashed here) is handed over once."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    koperasi = models.ForeignKey("tenancy.Koperasi", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    full_name = models.CharField(max_length=150)
    username = models.CharField(max_length=150)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "username"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation_per_username",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username}) — {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
