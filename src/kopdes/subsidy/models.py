"""The subsidised channels' tables: settings with effective dates, registered buyers, the
RDKK allocations and the history of subsidised sales.

Fields and database constraints only; every write is a service in ``services/``. Money is
integer sen (``SenField``). Quantities are in base units: cylinders (LPG) and grams (pupuk,
beras), as in ``domain.subsidy``. A NIK is stored encrypted with a blind index
(``platform/privacy``), like a member's.

``HetRate`` and ``ChannelRule`` are append-only (database triggers, migration 0002): a new
HET or quota is a new row with its own effective date, the old one stays as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel
from kopdes.platform.privacy.fields import BlindIndexField, EncryptedTextField
from kopdes.subsidy.choices import BuyerKind, Channel, Product, QuotaPeriod

_USER = settings.AUTH_USER_MODEL


class HetRate(TenantModel):
    """A ceiling price (HET) in sen per cylinder (LPG) or per kg, from ``effective_from``,
    with the decree that set it. The rate in force on a sale's date applies."""

    product = models.CharField(_("product"), max_length=20, choices=Product.choices)
    effective_from = models.DateField(_("effective from"))
    price = SenField(_("HET (sen)"))
    reference = models.CharField(_("decree"), max_length=200)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "product", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "product", "effective_from"], name="subsidy_het_unique"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="subsidy_het_positive"),
        ]


class ChannelRule(TenantModel):
    """The per-NIK limit of a channel from ``effective_from``: LPG cylinders per period, or
    SPHP grams per transaction and per period with the koperasi's HET zone."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    effective_from = models.DateField(_("effective from"))
    limit = models.PositiveBigIntegerField(_("limit"))  # cylinders (LPG) or grams (SPHP)
    period = models.CharField(_("period"), max_length=10, choices=QuotaPeriod.choices)
    zone = models.PositiveSmallIntegerField(_("HET zone"), null=True, blank=True)  # SPHP
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "channel", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "channel", "effective_from"], name="subsidy_rule_unique"
            ),
            models.CheckConstraint(condition=Q(limit__gt=0), name="subsidy_rule_limit_positive"),
        ]


class Season(TenantModel):
    """A planting season (musim tanam) of the RDKK, with inclusive dates; seasons of one
    koperasi never overlap (services)."""

    code = models.CharField(_("season code"), max_length=20)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="subsidy_season_unique"),
            models.CheckConstraint(
                condition=Q(start__lte=models.F("end")), name="subsidy_season_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Buyer(TenantModel):
    """A registered buyer of LPG 3 kg or beras SPHP (need not be a member)."""

    name = models.CharField(_("name"), max_length=120)
    nik = EncryptedTextField(blind_index=("nik_index", "nik"))
    nik_index = BlindIndexField()
    kind = models.CharField(_("kind"), max_length=20, choices=BuyerKind.choices)
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "nik_index"], name="subsidy_buyer_nik_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AllocationImport(TenantModel):
    """One RDKK / e-Alokasi file imported (all its rows or none)."""

    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-imported_at"]


class Allocation(TenantModel):
    """A farmer's allocation of one fertiliser type in one season, in grams (RDKK)."""

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="allocations")
    fertilizer = models.CharField(_("fertiliser"), max_length=20)
    nik = EncryptedTextField(blind_index=("nik_index", "nik"))
    nik_index = BlindIndexField()
    farmer_name = models.CharField(_("farmer"), max_length=120)
    farmer_group = models.CharField(_("farmer group"), max_length=120)
    grams = models.PositiveBigIntegerField(_("allocation (grams)"))
    source = models.ForeignKey(AllocationImport, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["koperasi", "farmer_group", "farmer_name", "fertilizer"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "season", "nik_index", "fertilizer"],
                name="subsidy_allocation_unique",
            ),
            models.CheckConstraint(condition=Q(grams__gt=0), name="subsidy_allocation_positive"),
        ]


class SubsidisedSale(TenantModel):
    """One subsidised sale to one NIK: the history the quotas and allocations count.

    ``quantity`` is cylinders (LPG) or grams (pupuk, beras); ``unit_price`` and
    ``het_price`` are sen per cylinder or per kg; ``amount`` what the buyer paid. The NIK
    is kept (encrypted) on the sale itself: it is the operator's register line.
    ``store_sale_id`` is the store's sale once the POS records through this (nullable).
    """

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    product = models.CharField(_("product"), max_length=20, choices=Product.choices)
    nik = EncryptedTextField(blind_index=("nik_index", "nik"))
    nik_index = BlindIndexField()
    buyer = models.ForeignKey(
        Buyer, on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    quantity = models.PositiveBigIntegerField(_("quantity"))
    unit_price = SenField(_("price per unit (sen)"))
    amount = SenField(_("amount (sen)"))
    het_price = SenField(_("HET (sen)"))
    het_reference = models.CharField(max_length=200, blank=True, default="")
    sold_on = models.DateField(_("date"))
    farmer_confirmed = models.BooleanField(default=False)
    store_sale_id = models.UUIDField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "sold_on", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="subsidy_sale_key_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="subsidy_sale_quantity"),
            models.CheckConstraint(
                condition=Q(unit_price__lte=models.F("het_price")),
                name="subsidy_sale_not_above_het",
            ),
        ]
        indexes = [
            models.Index(
                fields=["koperasi", "nik_index", "channel", "sold_on"], name="subsidy_sale_nik"
            ),
            models.Index(fields=["koperasi", "channel", "sold_on"], name="subsidy_sale_day"),
        ]
