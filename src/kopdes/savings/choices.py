from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SavingsKind(models.TextChoices):
    """simpanan pokok / wajib / sukarela / berjangka (docs/glossary.md)."""

    PRINCIPAL = "pokok", _("Principal savings (pokok)")
    MANDATORY = "wajib", _("Mandatory savings (wajib)")
    VOLUNTARY = "sukarela", _("Voluntary savings (sukarela)")
    TERM = "berjangka", _("Term deposit (berjangka)")


class AccountStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TxnKind(models.TextChoices):
    """One movement on a member's savings account (one row of the passbook)."""

    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    JASA = "jasa", _("Interest (jasa)")
    TAX = "tax", _("Tax on interest")
    OPENING = "opening", _("Opening balance")
    PENALTY = "penalty", _("Early withdrawal penalty")
    PAYOUT = "payout", _("Payout")
    # The mirror of a teller movement found wrong, approved by a second officer
    # (``services.approve_correction``); the original row stays as it was.
    # Context: the privacy app's "Correction" is a data-correction request.
    CORRECTION = "correction", pgettext_lazy("savings movement", "Correction")


class MaturityAction(models.TextChoices):
    PAYOUT = "payout", _("Pay out at maturity")
    ROLLOVER = "rollover", _("Roll over at maturity")


class JasaBasis(models.TextChoices):
    """Mirrors ``kopdes.domain.savings.JasaBasis``."""

    LOWEST = "lowest", _("Lowest balance of the month")
    AVERAGE = "average", _("Average daily balance")


class RatePer(models.TextChoices):
    YEAR = "year", _("per year")
    MONTH = "month", _("per month")
