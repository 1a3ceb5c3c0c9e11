"""The koperasi's businesses: business units (profit centres), the catalog, suppliers.

Fields and database constraints only; every write is a service in ``services/``. Money is
integer sen (``SenField``); quantities are ``Decimal`` with three places (a gram of a kilo).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


# --- stock (issue 15 section 4) and the point of sale (section 2) ----------------------------
# Quantities of stock are whole stock units (``Item.units().to_stock``: gram for an item
# priced per kg, ml per liter, else the base unit), as ``domain.inventory`` counts them.


class MovementKind(models.TextChoices):
    """``domain.inventory.MovementKind`` (same values)."""

    RECEIPT = "receipt", _("Goods received")
    SALE = "sale", _("Sale")
    SALE_RETURN = "sale_return", _("Customer return")
    PURCHASE_RETURN = "purchase_return", _("Return to supplier")
    ADJUSTMENT_IN = "adjustment_in", _("Stock count surplus")
    ADJUSTMENT_OUT = "adjustment_out", _("Stock count shortage")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    CONSIGNMENT_IN = "consignment_in", _("Consignment received")
    CONSIGNMENT_OUT = "consignment_out", _("Consignment taken back")


class StockPosition(TenantModel):
    """What is on hand of one item: ``quantity`` stock units worth ``value`` sen (the
    moving average is value / quantity). Written with every movement, in its transaction."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField(default=0)
    value = SenField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "item"], name="store_position_item"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(value__gte=0), name="store_position_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(value=0), name="store_position_empty_is_zero"
            ),
        ]


class StockMovement(TenantModel):
    """One movement of one item's stock: ``quantity`` stock units (> 0) and ``value`` sen
    (the cost added, or taken out at the moving average), the position after it, and the
    journal entry that posted it (none for a movement worth 0)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.BigIntegerField()
    value = SenField()
    quantity_after = models.BigIntegerField()
    value_after = SenField()
    date = models.DateField()
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sale = models.ForeignKey(
        "store.Sale", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(value__gte=0), name="store_movement_amounts"
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "item"], name="store_movement_item")]


class Sale(TenantModel):
    """A sale at the counter: its lines, payments and the one journal entry posting it.

    ``idempotency_key`` is unique per koperasi; ``fingerprint`` is the digest of what was
    asked (lines, member, payments), so a retry with the same content returns this sale and
    the same key with other content is refused (409)."""

    number = models.PositiveIntegerField()
    date = models.DateField()
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gross = SenField()
    discount = SenField(default=0)
    total = SenField()
    cost = SenField(default=0)  # HPP of the goods sold
    cash_tendered = SenField(default=0)
    change = SenField(default=0)
    below_cost = models.BooleanField(default=False)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="store_sale_number"),
            models.UniqueConstraint(fields=["koperasi", "idempotency_key"], name="store_sale_key"),
            models.CheckConstraint(
                condition=Q(total__gt=0) & Q(gross__gte=F("total")) & Q(change__gte=0),
                name="store_sale_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class SaleLine(TenantModel):
    """One line of a sale: ``quantity`` stock units of ``item`` at ``price`` sen per ``per``
    stock units; ``net`` is what it earned, ``cost`` its HPP (0 for a service)."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField()
    price = SenField()
    per = models.PositiveIntegerField(default=1)
    gross = SenField()
    discount = SenField(default=0)
    net = SenField()
    cost = SenField(default=0)
    below_cost = models.BooleanField(default=False)

    class Meta:
        ordering = ["koperasi", "sale", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "sale", "position"], name="store_sale_line_position"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(net__gte=0) & Q(cost__gte=0),
                name="store_sale_line_amounts",
            ),
        ]


class SalePayment(TenantModel):
    """How a sale was paid: ``amount`` sen applied to the sale by ``method`` (``cash``,
    ``bon``, later ``qris``; ``store.payments``). Cash is what the till keeps (tendered
    less change)."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=32)
    amount = SenField()
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "sale", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "sale", "method"], name="store_sale_payment_method"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="store_sale_payment_amount"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "member", "method"], name="store_payment_member")
        ]
