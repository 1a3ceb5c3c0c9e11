"""The koperasi's records as a data controller (UU 27/2022 PDP): consent, requests, breaches.

The subject of a consent or request is generic (``subject_type`` + ``subject_id``, e.g.
``"members.member"`` + the member's id) so this package does not depend on the members
app; the members app links its own rows by those two columns.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from kopdes.platform.core.models import TenantModel
from kopdes.platform.privacy.choices import ConsentMethod, DataRequestKind, DataRequestStatus
from kopdes.platform.privacy.fields import EncryptedTextField

# UU 27/2022: access, correction and restriction requests answered, and a breach notified,
# within 3 x 24 hours (Pasal 32(2), 33, 34, 46(1)).
RESPONSE_WINDOW = dt.timedelta(hours=72)


class ConsentNotice(TenantModel):
    """One published version of the text a member agrees to (purposes of processing)."""

    version = models.PositiveIntegerField()
    purpose = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "version"], name="privacy_notice_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Consent(TenantModel):
    """A subject's consent to one notice version; withdrawn by setting ``withdrawn_at``."""

    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="consents")
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "notice", "subject_type", "subject_id"],
                condition=Q(withdrawn_at__isnull=True),
                name="privacy_consent_one_active",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="privacy_consent_withdrawn_after_given",
            ),
        ]
        indexes = [
            models.Index(
                fields=["koperasi", "subject_type", "subject_id"], name="privacy_consent_subject"
            )
        ]


class DataRequest(TenantModel):
    """A data subject's request; due 72 hours after it was received."""

    kind = models.CharField(max_length=12, choices=DataRequestKind.choices)
    status = models.CharField(
        max_length=10, choices=DataRequestStatus.choices, default=DataRequestStatus.OPEN
    )
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # Free text may quote personal data ("my phone is now ..."): encrypted at rest.
    detail = EncryptedTextField(blank=True, default="")
    outcome = EncryptedTextField(blank=True, default="")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "due_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=DataRequestStatus.OPEN, closed_at__isnull=True)
                    | (~Q(status=DataRequestStatus.OPEN) & Q(closed_at__isnull=False))
                ),
                name="privacy_request_closed_iff_not_open",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("received_at")),
                name="privacy_request_due_after_received",
            ),
        ]
        indexes = [
            models.Index(fields=["koperasi", "status", "due_at"], name="privacy_request_due"),
        ]


class BreachRecord(TenantModel):
    """The breach register: one incident, and the written notice drafted from it (Pasal 46)."""

    title = models.CharField(max_length=200)
    what_happened = models.TextField()  # how the data was exposed
    data_involved = models.TextField()  # which personal data, e.g. "nama, NIK, nomor HP"
    occurred_at = models.DateTimeField(null=True, blank=True)  # None: not yet known
    detected_at = models.DateTimeField()
    subjects_affected = models.PositiveIntegerField()
    handling = models.TextField(blank=True, default="")  # containment and recovery steps
    contact = models.CharField(max_length=200)  # who members may ask (the data protection officer)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    notice_text = models.TextField(blank=True, default="")
    notice_drafted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["koperasi", "-detected_at"]

    @property
    def notice_due_at(self) -> dt.datetime:
        """Written notice to subjects and the authority is due 3 x 24 hours after detection."""
        return self.detected_at + RESPONSE_WINDOW

    def __str__(self) -> str:
        return self.title
