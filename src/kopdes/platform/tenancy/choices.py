from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessUnit(models.TextChoices):
    """The seven gerai of a Koperasi Desa Merah Putih (DOMAIN.md section 1)."""

    KANTOR = "kantor", _("Koperasi office")
    SEMBAKO = "sembako", _("Grocery store (sembako)")
    APOTEK = "apotek", _("Village pharmacy (apotek)")
    KLINIK = "klinik", _("Village clinic (klinik)")
    SIMPAN_PINJAM = "simpan_pinjam", _("Savings and loans unit")
    PERGUDANGAN = "pergudangan", _("Warehouse / cold storage")
    LOGISTIK = "logistik", _("Logistics")
