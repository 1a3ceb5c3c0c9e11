from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberStatus(models.TextChoices):
    """Lifecycle: calon -> aktif (simpanan pokok paid) -> one of the exit states."""

    CANDIDATE = "calon", _("Candidate (calon)")
    ACTIVE = "aktif", _("Active")
    RESIGNED = "berhenti", _("Resigned (berhenti)")
    DECEASED = "meninggal", _("Deceased (meninggal)")
    EXPELLED = "diberhentikan", _("Expelled (diberhentikan)")


EXIT_STATUSES = frozenset({MemberStatus.RESIGNED, MemberStatus.DECEASED, MemberStatus.EXPELLED})


class Sex(models.TextChoices):
    # Values equal domain.nik.Sex values.
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")
