"""Purchasing: orders to suppliers, goods received against them (cash or on credit), what is
owed to each supplier and its payments, and the harvest bought from members.

Fields and database constraints only; every write is a service in ``services/``. Money is
integer sen (``SenField``); stock quantities are whole stock units of the item
(``Item.units().to_stock``), as the store counts them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrder(TenantModel):
    """An order to one supplier for goods of one business unit. ``total`` is the agreed
    cost of its lines. Draft -> ordered -> received (every line in full) or cancelled
    (only before anything was received)."""

    number = models.PositiveIntegerField()
    supplier = models.ForeignKey("store.Supplier", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(
        "store.BusinessUnit", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default="draft")
    order_date = models.DateField()
    note = models.CharField(max_length=200, blank=True, default="")
    total = SenField()
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="purchasing_po_number"),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="purchasing_po_key"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="purchasing_po_total"),
        ]

    def __str__(self) -> str:
        return f"PO-{self.number:05d}"


class PurchaseOrderLine(TenantModel):
    """``quantity`` stock units of ``item`` (typed as ``typed_quantity`` ``unit``) at
    ``price`` sen per typed unit; ``amount`` the line's agreed cost. ``received`` and
    ``received_cost`` grow with each receipt."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=8)
    typed_quantity = models.DecimalField(max_digits=15, decimal_places=3)
    quantity = models.BigIntegerField()
    price = SenField()
    amount = SenField()
    received = models.BigIntegerField(default=0)
    received_cost = SenField(default=0)

    class Meta:
        ordering = ["koperasi", "order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "order", "position"], name="purchasing_po_line_position"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(amount__gt=0)
                & Q(received__gte=0)
                & Q(received__lte=F("quantity"))
                & Q(received_cost__lte=F("amount")),
                name="purchasing_po_line_amounts",
            ),
        ]

    @property
    def remaining(self) -> int:
        return self.quantity - self.received


class GoodsReceipt(TenantModel):
    """Goods received against an order (part or all of it): ``total`` sen, paid from the
    unit's Kas or owed to the supplier (``on_credit``, due on ``due_date``)."""

    number = models.PositiveIntegerField()
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    supplier = models.ForeignKey("store.Supplier", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(
        "store.BusinessUnit", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    on_credit = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    total = SenField()
    paid = SenField(default=0)  # credit only: what supplier payments settled of it
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="purchasing_gr_number"),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="purchasing_gr_key"
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0)
                & Q(paid__gte=0)
                & Q(paid__lte=F("total"))
                & (Q(on_credit=True) | Q(paid=0)),
                name="purchasing_gr_amounts",
            ),
            models.CheckConstraint(
                condition=Q(on_credit=False) | Q(due_date__isnull=False),
                name="purchasing_gr_credit_due",
            ),
        ]
        indexes = [
            models.Index(fields=["koperasi", "supplier", "on_credit"], name="purchasing_gr_owed")
        ]

    def __str__(self) -> str:
        return f"BPB-{self.number:05d}"

    @property
    def outstanding(self) -> int:
        return self.total - self.paid if self.on_credit else 0


class GoodsReceiptLine(TenantModel):
    """One line of a receipt: ``quantity`` stock units of the order line's item, ``cost``
    sen, and the stock movement (with its journal entry) that took it in."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField()
    cost = SenField()
    movement = models.ForeignKey("store.StockMovement", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["koperasi", "receipt", "order_line"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(cost__gte=0), name="purchasing_gr_line_amounts"
            ),
        ]


class SupplierPayment(TenantModel):
    """Money paid to a supplier from a unit's Kas against what is owed: Utang usaha debit,
    Kas credit, settling the oldest receipts on credit first (``allocations``)."""

    number = models.PositiveIntegerField()
    supplier = models.ForeignKey("store.Supplier", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(
        "store.BusinessUnit", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    amount = SenField()
    note = models.CharField(max_length=200, blank=True, default="")
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="purchasing_pay_number"),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="purchasing_pay_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="purchasing_pay_amount"),
        ]


class PaymentAllocation(TenantModel):
    """How much of a payment settled one receipt on credit."""

    payment = models.ForeignKey(
        SupplierPayment, on_delete=models.PROTECT, related_name="allocations"
    )
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.PROTECT, related_name="+")
    amount = SenField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "payment", "receipt"], name="purchasing_alloc_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="purchasing_alloc_amount"),
        ]


class HarvestTerms(TenantModel):
    """The buying terms of one harvest item (``domain.harvest.HarvestTerms``): the
    standard moisture (None: no moisture deduction) and the flat rafaksi, basis points."""

    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    standard_moisture_bp = models.PositiveIntegerField(null=True, blank=True)
    refraction_bp = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "item"], name="purchasing_terms_item"),
            models.CheckConstraint(
                condition=(
                    Q(standard_moisture_bp__isnull=True) | Q(standard_moisture_bp__lt=10_000)
                )
                & Q(refraction_bp__lt=10_000),
                name="purchasing_terms_range",
            ),
        ]


class HarvestPurchase(TenantModel):
    """A member's harvest bought for cash: gross weight, the deductions of the terms in
    force, net weight, price per kg and ``amount`` (sen), taken into the hasil bumi unit's
    stock by ``movement``. ``amount`` is her transaction with the koperasi that counts
    toward her SHU participation (jasa usaha: sum it per member per year)."""

    number = models.PositiveIntegerField()
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(
        "store.BusinessUnit", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    gross_grams = models.BigIntegerField()
    moisture_bp = models.PositiveIntegerField(null=True, blank=True)
    standard_moisture_bp = models.PositiveIntegerField(null=True, blank=True)
    refraction_bp = models.PositiveIntegerField(default=0)
    moisture_grams = models.BigIntegerField(default=0)
    refraction_grams = models.BigIntegerField(default=0)
    net_grams = models.BigIntegerField()
    price_per_kg = SenField()
    amount = SenField()
    movement = models.ForeignKey("store.StockMovement", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="purchasing_hv_number"),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="purchasing_hv_key"
            ),
            models.CheckConstraint(
                condition=Q(net_grams__gt=0)
                & Q(amount__gt=0)
                & Q(gross_grams=F("net_grams") + F("moisture_grams") + F("refraction_grams")),
                name="purchasing_hv_amounts",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "member", "date"], name="purchasing_hv_member")]

    def __str__(self) -> str:
        return f"PH-{self.number:05d}"
