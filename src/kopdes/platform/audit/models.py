"""The append-only, hash-chained audit log (one chain per koperasi, one for the platform)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kopdes.platform.core.ids import uuid7

PLATFORM_CHAIN = "platform"


class AuditEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    koperasi = models.ForeignKey(
        "tenancy.Koperasi", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # str(koperasi_id), or "platform" for events outside any koperasi (logins, admin work).
    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, default="")
    # Every role that allowed the act, comma-separated (an officer may hold several).
    role = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=80)  # "<app>.<model>.<past_tense_verb>"
    object_type = models.CharField(max_length=80, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    summary = models.JSONField(default=dict)
    source_address = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "-at"], name="audit_koperasi_at"),
            models.Index(fields=["koperasi", "action"], name="audit_koperasi_action"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"
