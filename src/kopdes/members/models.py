"""Members of a koperasi, their heirs, exit proposals and portal activation codes.

Fields and constraints only: workflows live in ``services.py``. Personal data (NIK, KK,
phone, address, birth date) is encrypted at rest (``platform.privacy.fields``) with blind
indexes for uniqueness and exact search.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.members.choices import MemberStatus, Sex
from kopdes.platform.approvals.models import Proposal, ProposalState
from kopdes.platform.core.models import TenantModel
from kopdes.platform.privacy.fields import BlindIndexField, EncryptedDateField, EncryptedTextField


class Member(TenantModel):
    """A member (anggota) of one koperasi. ``number`` is gap-free per koperasi."""

    number = models.CharField(max_length=10)
    full_name = models.CharField(max_length=120)
    nik = EncryptedTextField(blank=True, default="", blind_index=("nik_index", "nik"))
    nik_index = BlindIndexField()
    kk_number = EncryptedTextField(blank=True, default="")
    phone = EncryptedTextField(blank=True, default="", blind_index=("phone_index", "phone"))
    phone_index = BlindIndexField()
    address = EncryptedTextField(blank=True, default="")
    birth_date = EncryptedDateField(null=True, blank=True)
    birth_place = models.CharField(max_length=80, blank=True, default="")
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True, default="")
    region_code = models.CharField(max_length=13, blank=True, default="")
    occupation = models.CharField(max_length=80, blank=True, default="")
    # Relative path under MEDIA_ROOT of the AES-GCM encrypted KTP photo ("" = none).
    ktp_photo = models.CharField(max_length=200, blank=True, default="")
    ktp_photo_type = models.CharField(max_length=30, blank=True, default="")

    status = models.CharField(
        max_length=14, choices=MemberStatus.choices, default=MemberStatus.CANDIDATE
    )
    registered_on = models.DateField()
    joined_on = models.DateField(null=True, blank=True)  # simpanan pokok paid
    left_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=300, blank=True, default="")
    anonymised_at = models.DateTimeField(null=True, blank=True)

    # The member's portal login (role anggota); one member per user and koperasi.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # API retries: one registration per key and koperasi.
    idempotency_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["koperasi", "number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="member_number_unique"),
            # Anonymised members have no NIK (""): only real values must be unique.
            models.UniqueConstraint(
                fields=["koperasi", "nik_index"],
                condition=~Q(nik_index=""),
                name="member_nik_unique",
            ),
            models.UniqueConstraint(
                fields=["koperasi", "user"],
                condition=Q(user__isnull=False),
                name="member_user_unique",
            ),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="member_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status=MemberStatus.ACTIVE) | Q(joined_on__isnull=False),
                name="member_active_has_joined_on",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "status"], name="member_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.full_name}"

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE


class Heir(TenantModel):
    """Ahli waris: who receives the member's savings on death. Shares in whole percent."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="heirs")
    name = models.CharField(max_length=120)
    relation = models.CharField(max_length=40)
    share_percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["member", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gte=1, share_percent__lte=100),
                name="member_heir_share_range",
            )
        ]


class ExitProposal(Proposal):
    """Maker-checker for leaving (``approvals.models.Proposal``): proposed by one officer,
    approved by another (ketua). The maker's ``reason`` is required here (it becomes the
    member's ``exit_reason``)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="exit_proposals")
    to_status = models.CharField(max_length=14, choices=MemberStatus.choices)
    reason = models.CharField(_("reason"), max_length=300)
    effective_on = models.DateField()

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(
                fields=["koperasi", "member"],
                condition=Q(state=ProposalState.PENDING),
                name="member_one_open_exit",
            ),
        ]


class PortalActivation(TenantModel):
    """A one-time code the kasir hands a member to set a portal password (valid 72 h)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="activations")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["koperasi", "-created_at"]
