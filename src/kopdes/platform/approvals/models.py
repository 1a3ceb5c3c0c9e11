"""The one maker-checker: what every proposal waiting for a second officer shares.

A module's proposal (a withdrawal above the AD/ART threshold, a reversal, a month close, a
member's exit, a loan write-off...) subclasses ``Proposal``, adds what it is about, and
decides through ``approvals.services`` (``check_decider``, ``settle``, ``reject``). The
database refuses a checker who is the maker, whoever writes the row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.platform.core.models import TenantModel


class ProposalState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Proposal(TenantModel):
    """Maker (``proposed_by``), checker (``decided_by``), state and both officers' words:
    ``reason`` is the maker's, ``decision_note`` the checker's (why she rejected)."""

    state = models.CharField(
        _("state"), max_length=8, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True, default="")

    class Meta:
        abstract = True
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="%(app_label)s_%(class)s_four_eyes",
            ),
        ]

    @property
    def is_pending(self) -> bool:
        return self.state == ProposalState.PENDING
