"""Titip jual (consignment): an UMKM's goods sold by the koperasi for a commission.

Fields and database constraints only; every write is a service in ``services.py``. Money
is integer sen (``SenField``); quantities are whole stock units of the item (gram for an
item priced per kg, as ``store`` counts them). The goods themselves are store items whose
``StockPosition`` holds quantity only (value 0: they are the consignor's, never in
Persediaan); their receipts and returns are store ``StockMovement`` rows
(``consignment_in`` / ``consignment_out``) that ``ConsignmentMovement`` ties to the
consignor and the request's idempotency key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.domain import consignment as rules
from kopdes.platform.core.fields import SenField
from kopdes.platform.core.models import TenantModel


class CommissionKind(models.TextChoices):
    """``domain.consignment.CommissionKind`` (same values)."""

    PERCENT = "percent", _("Percentage of the sale")
    FIXED_MARGIN = "fixed_margin", _("Fixed amount per unit sold")
    CONSIGNOR_PRICE = "consignor_price", _("Consignor's price per unit (harga titip)")


class ConsignmentTerms(TenantModel):
    """What the consignor and the koperasi agreed for one item from ``valid_from``: the
    commission (``rate_bp`` basis points of the sale, or ``margin`` sen per ``per`` stock
    units, or the consignor is paid ``consignor_price`` sen per ``per`` stock units). A new
    agreement is a new row; the terms in force on a sale's date price its consignor share."""

    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    consignor = models.ForeignKey("store.Supplier", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("commission"), max_length=20, choices=CommissionKind.choices)
    rate_bp = models.PositiveIntegerField(default=0)
    margin = SenField(default=0)
    consignor_price = SenField(default=0)
    per = models.PositiveIntegerField(default=1)  # stock units the amounts are for
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "item", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "item", "valid_from"], name="consignment_terms_item_date"
            ),
            models.CheckConstraint(
                condition=Q(rate_bp__lte=10_000)
                & Q(margin__gte=0)
                & Q(consignor_price__gte=0)
                & Q(per__gte=1),
                name="consignment_terms_amounts",
            ),
        ]
        indexes = [models.Index(fields=["koperasi", "consignor"], name="consignment_terms_who")]

    def rules(self) -> rules.Terms:
        return rules.Terms(
            rules.CommissionKind(self.kind), rate_bp=self.rate_bp, margin=self.margin, per=self.per
        )


class Direction(models.TextChoices):
    IN = "in", _("Received from the consignor")
    OUT = "out", _("Returned to the consignor")


class ConsignmentMovement(TenantModel):
    """Consigned goods received from (``in``) or returned to (``out``) their consignor:
    the store's ``StockMovement`` it made, and the request's key and digest (a retry with
    the same content returns this row; other content is refused)."""

    direction = models.CharField(max_length=3, choices=Direction.choices)
    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    consignor = models.ForeignKey("store.Supplier", on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField()
    date = models.DateField()
    stock_movement = models.ForeignKey(
        "store.StockMovement", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, default="")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], name="consignment_movement_key"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="consignment_movement_qty"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "consignor", "date"], name="consignment_movement_who")
        ]


class ConsignmentPayout(TenantModel):
    """What the koperasi paid a consignor for one month's sales (``period`` = yyyymm):
    Utang konsinyasi 2-1310's consignor sub-ledger debited, the unit's Kas credited."""

    consignor = models.ForeignKey("store.Supplier", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey(
        "store.BusinessUnit", on_delete=models.PROTECT, related_name="+"
    )
    period = models.PositiveIntegerField()
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
                fields=["koperasi", "idempotency_key"], name="consignment_payout_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="consignment_payout_amount"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "consignor", "period"], name="consignment_payout_who")
        ]
