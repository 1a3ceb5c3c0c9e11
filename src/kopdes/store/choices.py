from django.db import models
from django.utils.translation import gettext_lazy as _

from kopdes.domain.units import Unit


class UnitKind(models.TextChoices):
    """The businesses a koperasi may run as profit centres (DOMAIN.md section 1)."""

    SEMBAKO = "sembako", _("Grocery store (sembako)")
    APOTEK = "apotek", _("Village pharmacy (apotek)")
    KLINIK = "klinik", _("Village clinic (klinik)")
    COLD_STORAGE = "cold_storage", _("Cold storage / warehouse")
    LOGISTIK = "logistik", _("Logistics and delivery")
    LPG = "lpg", _("LPG 3 kg (pangkalan)")
    PUPUK = "pupuk", _("Subsidised fertiliser (pupuk)")
    BERAS_SPHP = "beras_sphp", _("SPHP rice (Bulog)")
    HASIL_BUMI = "hasil_bumi", _("Members' harvest (hasil bumi)")


class Sells(models.TextChoices):
    GOODS = "goods", _("Goods (stock)")
    SERVICES = "services", _("Services")


class BaseUnit(models.TextChoices):
    """The units an item is counted in (``domain.units.Unit``; same values)."""

    PCS = Unit.PCS.value, _("pcs")
    KG = Unit.KG.value, _("kg")
    GRAM = Unit.GRAM.value, _("gram")
    LITER = Unit.LITER.value, _("liter")
    ML = Unit.ML.value, _("ml")
