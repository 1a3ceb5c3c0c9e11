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
from kopdes.platform.approvals.models import Proposal
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
    sale_return = models.ForeignKey(
        "store.SaleReturn", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
    # The cashier's shift open when the sale was rung up (its cash counts in the drawer).
    shift = models.ForeignKey(
        "store.CashShift", on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )

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


class BonRepayment(TenantModel):
    """A member pays off (part of) her bon at the counter: ``amount`` sen into the unit's
    Kas, off Piutang bon anggota 1-1400 (``entry``). Her current bon is her bon sales less
    these less the bon refunds of approved returns (``services.sales.current_bon``)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="+")
    amount = SenField()
    date = models.DateField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="store_bon_repayment_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="store_bon_repayment_amount"),
        ]
        indexes = [models.Index(fields=["koperasi", "member"], name="store_bon_repayment_member")]


# --- stock opname (issue 15 section 4) --------------------------------------------------------
class StockCount(Proposal):
    """A stock count (opname) of one business unit: the system quantities at ``snapshot_at``
    (its lines), what the officers counted, and, once submitted (``submitted_at``), a
    proposal in the approvals inbox. A second officer's approval posts the differences
    (``entry``) as adjustment movements. ``proposed_by`` is the officer who started it."""

    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    date = models.DateField()
    snapshot_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Signed sen at the moving average: estimated at submission, what was posted on approval.
    shortage_value = SenField(default=0)
    surplus_value = SenField(default=0)
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.UniqueConstraint(fields=["koperasi", "number"], name="store_count_number"),
            models.UniqueConstraint(
                fields=["koperasi", "business_unit"],
                condition=Q(state="pending"),
                name="store_count_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(shortage_value__gte=0) & Q(surplus_value__gte=0),
                name="store_count_values",
            ),
        ]

    def __str__(self) -> str:
        return f"Opname #{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class StockCountLine(TenantModel):
    """One item of a count: its position at the snapshot, the quantity counted (None until
    typed; whole stock units like every position) and, after approval, the movement that
    posted the difference (``counted - snapshot_quantity``, applied to the position then)."""

    count = models.ForeignKey(StockCount, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    snapshot_quantity = models.BigIntegerField()
    snapshot_value = SenField()
    counted = models.BigIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Signed sen: the difference at the moving average (estimate, then what was posted).
    difference_value = models.BigIntegerField(default=0)
    movement = models.ForeignKey(
        StockMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "count", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "count", "item"], name="store_count_item"),
            models.CheckConstraint(
                condition=Q(snapshot_quantity__gte=0)
                & Q(snapshot_value__gte=0)
                & (Q(counted__isnull=True) | Q(counted__gte=0)),
                name="store_count_line_quantities",
            ),
        ]

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.snapshot_quantity


# --- cash shifts and voids / returns (issue 15 sections 4 and 2) -----------------------------


class ShiftState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CashShift(TenantModel):
    """A cashier's shift at one till: the float she started with, and at closing the cash
    expected (``domain.shift.expected_cash``), what she counted and the difference (selisih
    kas) posted by ``entry``. One open shift per cashier and per till."""

    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    till = models.CharField(_("till"), max_length=40)
    # The unit whose Kas the drawer is (the gerai's till); the difference posts to it.
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=ShiftState.choices, default=ShiftState.OPEN)
    opening_float = SenField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cash_sales = SenField(default=0)  # cash the till kept from its sales (tendered less change)
    cash_tendered = SenField(default=0)
    change = SenField(default=0)
    cash_refunds = SenField(default=0)
    expected = SenField(default=0)
    counted = SenField(null=True, blank=True)
    difference = models.BigIntegerField(default=0)  # counted - expected, sen
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "cashier"],
                condition=Q(state="open"),
                name="store_shift_one_open_per_cashier",
            ),
            models.UniqueConstraint(
                fields=["koperasi", "till"],
                condition=Q(state="open"),
                name="store_shift_one_open_per_till",
            ),
            models.CheckConstraint(
                condition=Q(opening_float__gte=0) & Q(expected__gte=0),
                name="store_shift_amounts",
            ),
            models.CheckConstraint(
                condition=Q(state="open") | (Q(counted__isnull=False) & Q(closed_at__isnull=False)),
                name="store_shift_closed_has_count",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.state == ShiftState.OPEN


class ReturnKind(models.TextChoices):
    VOID = "void", _("Void of the whole sale")
    RETURN = "return", _("Return of items")


class SaleReturn(Proposal):
    """A cashier's proposal to void a whole sale (the same day) or to take back some of its
    lines, decided by a second officer in the approvals inbox. On approval: ``entry``
    (revenue reversed, HPP back into Persediaan at the sale's cost, the refund from Kas or
    off the member's bon), stock movements of kind ``sale_return``, in one transaction."""

    kind = models.CharField(max_length=8, choices=ReturnKind.choices)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    amount = SenField()  # the refund: what the returned lines earned
    cost = SenField(default=0)  # HPP back into stock (set on approval)
    cash_refund = SenField(default=0)  # paid out of the till (set on approval)
    bon_refund = SenField(default=0)  # taken off the member's bon (set on approval)
    other_refund = SenField(default=0)  # back to another method's account (QRIS...)
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The proposer's shift at approval: the cash refund leaves that drawer.
    shift = models.ForeignKey(
        CashShift, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    date = models.DateField(null=True, blank=True)  # the entry's date

    class Meta(Proposal.Meta):
        constraints = [
            *Proposal.Meta.constraints,
            models.CheckConstraint(condition=Q(amount__gt=0), name="store_return_amount"),
            # One proposal waits per sale; a sale is voided at most once.
            models.UniqueConstraint(
                fields=["koperasi", "sale"],
                condition=Q(state="pending"),
                name="store_return_one_pending_per_sale",
            ),
            models.UniqueConstraint(
                fields=["koperasi", "sale"],
                condition=Q(kind="void", state="approved"),
                name="store_return_one_void_per_sale",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "sale"], name="store_return_sale")]


class SaleReturnLine(TenantModel):
    """``quantity`` stock units of one sale line taken back, worth ``amount`` sen of its
    net; ``cost`` is the HPP that comes back into stock (set on approval)."""

    sale_return = models.ForeignKey(SaleReturn, on_delete=models.PROTECT, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField()
    amount = SenField()
    cost = SenField(default=0)

    class Meta:
        ordering = ["koperasi", "sale_return", "sale_line"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "sale_return", "sale_line"], name="store_return_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(amount__gte=0) & Q(cost__gte=0),
                name="store_return_line_amounts",
            ),
        ]
