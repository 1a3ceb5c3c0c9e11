from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanMethod(models.TextChoices):
    FLAT = "flat", _("Flat")
    EFEKTIF = "efektif", _("Declining (efektif)")
    ANUITAS = "anuitas", _("Annuity (anuitas)")


class RatePer(models.TextChoices):
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class Rounding(models.TextChoices):
    SEN = "sen", _("to the sen")
    RUPIAH = "rupiah", _("to the rupiah")
    UP_100 = "100", _("up to Rp100")
    UP_1000 = "1000", _("up to Rp1.000")
    DOWN_100 = "down100", _("down to Rp100 (the rest in the last installment)")
    DOWN_1000 = "down1000", _("down to Rp1.000 (the rest in the last installment)")
    DOWN_10000 = "down10000", _("down to Rp10.000 (the rest in the last installment)")


class CollateralBinding(models.TextChoices):
    """How the collateral is bound (``domain.loans.CollateralBinding``)."""

    NONE = "none", _("Not bound / no collateral")
    CASH = "cash", _("Cash: blocked savings")
    HAK_TANGGUNGAN = "hak_tanggungan", _("Land or building under hak tanggungan")
    FIDUSIA = "fidusia", _("Vehicle or goods under fidusia")
    KUASA_MENJUAL = "kuasa_menjual", _("Notarial power to sell (surat kuasa menjual)")


class PenaltyPer(models.TextChoices):
    DAY = "day", _("per day")
    MONTH = "month", _("per month")


class FeeMode(models.TextChoices):
    DEDUCTED = "deducted", _("Deducted from the disbursement")
    SEPARATE = "separate", _("Paid separately in cash")


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Active")
    PAID_OFF = "paid_off", _("Paid off")
    RESTRUCTURED = "restructured", _("Restructured (replaced)")
    WRITTEN_OFF = "written_off", _("Written off")


OPEN_STATUSES = frozenset({LoanStatus.ACTIVE})


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    PORTAL = "portal", _("Member portal")


class DisbursementMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    SAVINGS = "savings", _("Into voluntary savings")


class PaymentSource(models.TextChoices):
    CASH = "cash", _("Cash at the counter")
    SAVINGS = "savings", _("From voluntary savings")
    QRIS = "qris", _("QRIS")


class ProposalKind(models.TextChoices):
    RESTRUCTURE = "restructure", _("Restructuring")
    WRITE_OFF = "write_off", _("Write-off")


class Kolektibilitas(models.IntegerChoices):
    LANCAR = 1, _("Current (lancar)")
    DPK = 2, _("Special mention (dalam perhatian khusus)")
    KURANG_LANCAR = 3, _("Substandard (kurang lancar)")
    DIRAGUKAN = 4, _("Doubtful (diragukan)")
    MACET = 5, _("Loss (macet)")
