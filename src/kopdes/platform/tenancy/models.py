"""The tenant: one koperasi, its official identity and its AD/ART settings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kopdes.domain.adart import AdArt
from kopdes.platform.core.ids import uuid7


class Koperasi(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    badan_hukum_number = models.CharField(
        _("legal entity number (nomor badan hukum)"), max_length=80, unique=True
    )
    nik_koperasi = models.CharField(_("NIK koperasi"), max_length=40, unique=True)
    region_code = models.CharField(
        _("village region code (Kemendagri)"), max_length=13, db_index=True
    )
    address = models.CharField(_("address"), max_length=300)
    business_units = models.JSONField(_("business units"), default=list)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("first month of the fiscal year"), default=1
    )
    adart_settings = models.JSONField(_("AD/ART settings"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("koperasi")
        verbose_name_plural = _("koperasi")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1)
                & models.Q(fiscal_year_start_month__lte=12),
                name="koperasi_fiscal_month_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def adart(self) -> AdArt:
        """The validated AD/ART settings (defaults for anything not set)."""
        return AdArt.from_json(self.adart_settings)
