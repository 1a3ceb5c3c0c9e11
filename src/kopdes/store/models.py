"""The koperasi's businesses: business units (profit centres), the catalog, suppliers.

Fields and database constraints only; every write is a service in ``services/``. Money is
integer sen (``SenField``); quantities are ``Decimal`` with three places (a gram of a kilo).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.domain.units import ItemUnits, Unit
from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel
from kopdes.platform.privacy.fields import BlindIndexField, EncryptedTextField
from kopdes.platform.tenancy.choices import BusinessUnit as LedgerUnit
from kopdes.store.choices import BaseUnit, Sells, UnitKind


class BusinessUnit(TenantModel):
    """A business the koperasi runs, as a profit centre: the ledger unit its journal lines
    carry and the accounts its sales, costs and stock post to (codes of the chart)."""

    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=80)
    # The ledger's business_unit (tenancy.BusinessUnit) on this unit's journal lines.
    ledger_unit = models.CharField(max_length=20, choices=LedgerUnit.choices)
    sells = models.CharField(_("sells"), max_length=10, choices=Sells.choices)
    cash_account = models.CharField(max_length=20)
    revenue_member_account = models.CharField(max_length=20)
    revenue_public_account = models.CharField(max_length=20)
    cost_member_account = models.CharField(max_length=20)
    cost_public_account = models.CharField(max_length=20)
    inventory_account = models.CharField(max_length=20, blank=True, default="")  # "" = services
    is_active = models.BooleanField(_("active"), default=True)
    enabled_at = models.DateTimeField()
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "kind"], name="store_unit_kind_unique"),
            models.CheckConstraint(
                condition=Q(sells=Sells.SERVICES) | ~Q(inventory_account=""),
                name="store_unit_goods_have_inventory",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sells_goods(self) -> bool:
        return self.sells == Sells.GOODS


class Category(TenantModel):
    """A shelf of the catalog (beras, minyak, obat bebas ...)."""

    name = models.CharField(_("name"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi", "name"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "name"], name="store_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Item(TenantModel):
    """Something a business unit sells: goods counted in ``base_unit`` or a service.

    Prices are per base unit. A pak / dus holds ``units_per_pak`` / ``units_per_dus`` base
    units (``domain.units.ItemUnits``). ``barcode`` is an EAN-13/EAN-8 (a weighed or priced
    loose item keeps its in-store base code, ``domain.barcode.base_code``), unique in the
    koperasi when present.
    """

    name = models.CharField(_("name"), max_length=120)
    barcode = models.CharField(_("barcode"), max_length=13, blank=True, default="")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="items")
    base_unit = models.CharField(_("base unit"), max_length=8, choices=BaseUnit.choices)
    units_per_pak = models.PositiveIntegerField(null=True, blank=True)
    units_per_dus = models.PositiveIntegerField(null=True, blank=True)
    member_price = SenField(_("member price (sen)"))
    public_price = SenField(_("public price (sen)"))
    min_stock = models.DecimalField(_("minimum stock"), max_digits=15, decimal_places=3, default=0)
    is_service = models.BooleanField(_("service"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "name"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "name"], name="store_item_name_unique"),
            models.UniqueConstraint(
                fields=["koperasi", "barcode"],
                condition=~Q(barcode=""),
                name="store_item_barcode_unique",
            ),
            models.CheckConstraint(
                condition=Q(member_price__gt=0) & Q(public_price__gt=0),
                name="store_item_prices_positive",
            ),
            models.CheckConstraint(
                condition=Q(member_price__lte=models.F("public_price")),
                name="store_item_member_price_not_above_public",
            ),
            models.CheckConstraint(condition=Q(min_stock__gte=0), name="store_item_min_stock"),
            models.CheckConstraint(
                condition=(Q(units_per_pak__isnull=True) | Q(units_per_pak__gte=1))
                & (Q(units_per_dus__isnull=True) | Q(units_per_dus__gte=1)),
                name="store_item_pack_sizes",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "business_unit"], name="store_item_unit")]

    def __str__(self) -> str:
        return self.name

    def units(self) -> ItemUnits:
        """How this item is counted (``domain.units``): stock in whole ``stock_unit``s (gram
        for an item priced per kg), its prices per base unit = ``price_per`` stock units."""
        packs = {
            unit: size
            for unit, size in ((Unit.PAK, self.units_per_pak), (Unit.DUS, self.units_per_dus))
            if size
        }
        return ItemUnits(Unit(self.base_unit), packs)


class Supplier(TenantModel):
    """Who the koperasi buys from: a distributor, an UMKM of the village, a farmer group.

    The phone is personal data (an UMKM owner's own number): encrypted at rest with a blind
    index, shown masked (as members' phones are, ``platform/privacy``).
    """

    name = models.CharField(_("name"), max_length=120)
    is_umkm = models.BooleanField(_("UMKM"), default=False)
    owner_name = models.CharField(_("owner"), max_length=120, blank=True, default="")
    region_code = models.CharField(_("village"), max_length=13, blank=True, default="")
    phone = EncryptedTextField(blank=True, default="", blind_index=("phone_index", "phone"))
    phone_index = BlindIndexField()
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "name"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "name"], name="store_supplier_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
