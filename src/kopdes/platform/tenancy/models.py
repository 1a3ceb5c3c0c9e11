"""The tenant: one koperasi, its official identity and its AD/ART settings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.domain import dates
from kopdes.domain.adart import AdArt
from kopdes.platform.core.ids import uuid7


def default_books_start() -> dt.date:
    """A new koperasi's books start on the first day of the current month (Jakarta time);
    ``create_koperasi(books_start=)`` and the opening balances may set an earlier one."""
    return timezone.localdate(timezone=ZoneInfo("Asia/Jakarta")).replace(day=1)


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
    # The first day any money movement may carry (domain/dates.py; ledger README "Business
    # dates"): set when the koperasi is created, moved earlier by opening balances.
    books_start = models.DateField(_("books start"), default=default_books_start)
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
            ),
            models.CheckConstraint(
                condition=models.Q(books_start__gte=dates.MIN_DATE)
                & models.Q(books_start__lte=dates.MAX_DATE),
                name="koperasi_books_start_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def adart(self) -> AdArt:
        """The validated AD/ART settings (defaults for anything not set)."""
        return AdArt.from_json(self.adart_settings)

    @property
    def time_zone(self) -> str:
        """The koperasi's IANA time zone (WIB, WITA or WIT by its province)."""
        return dates.time_zone_for_region(self.region_code)

    def today(self) -> dt.date:
        """Today's date where the koperasi is: the latest date a money movement may carry."""
        return timezone.localdate(timezone=ZoneInfo(self.time_zone))
