"""The apotek desa: its responsible pharmacist, drug information per item, batches with
their expiry, and the prescriptions recorded with sale lines.

Fields and database constraints only; every write is a service in ``services.py`` or a
rule in ``rules.py`` (run by the store's receipts and checkout, ``store.hooks``).
Quantities are the store's stock units (``Item.units().to_stock``), whole numbers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kopdes.pharmacy.choices import (
    PRESCRIPTION_CLASSES,
    SIPNAP_CLASSES,
    BatchMovementKind,
    DosageForm,
    DrugClass,
)
from kopdes.platform.core.models import TenantModel


class Pharmacist(TenantModel):
    """The koperasi's responsible pharmacist (apoteker penanggung jawab) from
    ``started_on``; ``ended_on`` is set when another takes over (history kept). Her
    practice licence (SIPA) expires on ``sipa_expires_on``; the STRA is optional (an STR
    is valid for life since UU 17/2023)."""

    name = models.CharField(_("name"), max_length=120)
    sipa_number = models.CharField(_("SIPA number"), max_length=64)
    sipa_expires_on = models.DateField(_("SIPA valid until"))
    stra_number = models.CharField(_("STRA number"), max_length=64, blank=True, default="")
    started_on = models.DateField(_("responsible from"))
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "-started_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi"],
                condition=Q(ended_on__isnull=True),
                name="pharmacy_one_current_pharmacist",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pharmacy_pharmacist_dates",
            ),
            models.CheckConstraint(condition=~Q(sipa_number=""), name="pharmacy_sipa_required"),
        ]

    def __str__(self) -> str:
        return self.name


class DrugInfo(TenantModel):
    """What the apotek knows of one of its items: the drug class (prescription only for
    keras, psikotropika, narkotika), dosage form and strength, the BPOM registration."""

    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    drug_class = models.CharField(_("drug class"), max_length=20, choices=DrugClass.choices)
    dosage_form = models.CharField(_("dosage form"), max_length=20, choices=DosageForm.choices)
    strength = models.CharField(_("strength"), max_length=40, blank=True, default="")
    nie = models.CharField(_("BPOM registration (NIE)"), max_length=20, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["koperasi", "item"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "item"], name="pharmacy_drug_item"),
        ]

    @property
    def requires_prescription(self) -> bool:
        return self.drug_class in PRESCRIPTION_CLASSES

    @property
    def is_sipnap(self) -> bool:
        return self.drug_class in SIPNAP_CLASSES


class Batch(TenantModel):
    """One batch (lot) of an apotek item: its number, expiry (the last day it may be sold)
    and what is on hand of it. The batches of an item add up to its ``StockPosition``
    (``kopdes verify`` check ``pharmacy.batches``)."""

    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    batch_number = models.CharField(_("batch number"), max_length=40)
    expires_on = models.DateField(_("expiry date"))
    quantity = models.BigIntegerField(default=0)  # on hand
    received = models.BigIntegerField(default=0)  # received in all
    first_received_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi", "expires_on", "batch_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "item", "batch_number"], name="pharmacy_batch_number"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(quantity__lte=F("received")),
                name="pharmacy_batch_quantity",
            ),
        ]
        indexes = [
            models.Index(fields=["koperasi", "item", "expires_on"], name="pharmacy_batch_item"),
        ]

    def __str__(self) -> str:
        return self.batch_number


class BatchMovement(TenantModel):
    """``quantity`` of a batch received (with the store's receipt movement) or sold (with
    the sale line): which customers had which batch, for a recall."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=BatchMovementKind.choices)
    quantity = models.BigIntegerField()
    date = models.DateField()
    stock_movement = models.ForeignKey(
        "store.StockMovement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sale_line = models.ForeignKey(
        "store.SaleLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pharmacy_batch_move_qty"),
        ]


class Prescription(TenantModel):
    """The prescription a drug was dispensed on: its number and prescriber, with the sale
    line, and the responsible pharmacist at the time."""

    sale = models.ForeignKey("store.Sale", on_delete=models.PROTECT, related_name="+")
    sale_line = models.ForeignKey("store.SaleLine", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("store.Item", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("prescription number"), max_length=64)
    prescriber = models.CharField(_("prescriber"), max_length=120, blank=True, default="")
    pharmacist = models.ForeignKey(
        Pharmacist, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    date = models.DateField()

    class Meta:
        ordering = ["koperasi", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["koperasi", "sale_line"], name="pharmacy_prescription_line"
            ),
        ]
