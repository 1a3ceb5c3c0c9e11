from django.db import models
from django.utils.translation import gettext_lazy as _


class DataRequestKind(models.TextChoices):
    """What a data subject asks for (UU 27/2022 Pasal 5-11)."""

    ACCESS = "access", _("Access to my data")
    CORRECTION = "correction", _("Correction")
    RESTRICTION = "restriction", _("Restriction of processing")
    ERASURE = "erasure", _("Erasure or anonymisation")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class DataRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused with reason")


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    DIGITAL = "digital", _("Agreed on screen")
