"""The apotek's classifications."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The store's business unit whose goods are drugs (store.choices.UnitKind.APOTEK).
APOTEK = "apotek"


class DrugClass(models.TextChoices):
    """The Indonesian drug classes (the mark on the pack): bebas (green), bebas terbatas
    (blue), keras (red K, prescription only), psikotropika and narkotika (prescription
    only, reported monthly to SIPNAP)."""

    BEBAS = "bebas", _("Over the counter (obat bebas)")
    BEBAS_TERBATAS = "bebas_terbatas", _("Limited over the counter (obat bebas terbatas)")
    KERAS = "keras", _("Prescription only (obat keras)")
    PSIKOTROPIKA = "psikotropika", _("Psychotropic (psikotropika)")
    NARKOTIKA = "narkotika", _("Narcotic (narkotika)")


PRESCRIPTION_CLASSES = frozenset({DrugClass.KERAS, DrugClass.PSIKOTROPIKA, DrugClass.NARKOTIKA})
SIPNAP_CLASSES = frozenset({DrugClass.PSIKOTROPIKA, DrugClass.NARKOTIKA})


class DosageForm(models.TextChoices):
    TABLET = "tablet", _("Tablet")
    KAPLET = "kaplet", _("Caplet")
    KAPSUL = "kapsul", _("Capsule")
    SIRUP = "sirup", _("Syrup")
    SUSPENSI = "suspensi", _("Suspension")
    SERBUK = "serbuk", _("Powder (sachet)")
    TETES = "tetes", _("Drops")
    SALEP = "salep", _("Ointment")
    KREM = "krim", _("Cream")
    CAIRAN = "cairan", _("Liquid")
    INJEKSI = "injeksi", _("Injection")
    LAIN = "lain", _("Other")


class BatchMovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Received")
    SALE = "sale", _("Sold")
    RETURN = "return", _("Returned by the buyer")  # a void or return of the sale line
    ADJUSTMENT = "adjustment", _("Stock count shortage")


# The kinds that add to a batch (the others take from it).
BATCH_INCOMING = frozenset({BatchMovementKind.RECEIPT, BatchMovementKind.RETURN})
