"""Choices of the subsidised channels. Product and period values are the domain's
(``domain.subsidy.Fertilizer``, ``domain.subsidy.Period``), so they pass straight through."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kopdes.domain.subsidy import Fertilizer, Period


class Channel(models.TextChoices):
    LPG = "lpg", _("LPG 3 kg")
    PUPUK = "pupuk", _("Subsidised fertiliser")
    SPHP = "sphp", _("SPHP rice")


class Product(models.TextChoices):
    """What carries a HET: one per channel, the fertiliser by type."""

    LPG_3KG = "lpg_3kg", _("LPG 3 kg (per cylinder)")
    UREA = Fertilizer.UREA.value, _("Urea (per kg)")
    NPK = Fertilizer.NPK.value, _("NPK (per kg)")
    NPK_KAKAO = Fertilizer.NPK_KAKAO.value, _("NPK for cocoa (per kg)")
    ORGANIK = Fertilizer.ORGANIK.value, _("Organic fertiliser (per kg)")
    BERAS_SPHP = "beras_sphp", _("SPHP rice (per kg)")


FERTILIZERS: tuple[str, ...] = tuple(f.value for f in Fertilizer)

PRODUCT_CHANNEL: dict[str, str] = {
    Product.LPG_3KG: Channel.LPG,
    Product.BERAS_SPHP: Channel.SPHP,
    **{f: Channel.PUPUK for f in FERTILIZERS},
}


class QuotaPeriod(models.TextChoices):
    DAY = Period.DAY.value, _("per day")
    WEEK = Period.WEEK.value, _("per week (from Monday)")
    MONTH = Period.MONTH.value, _("per month")


class BuyerKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household (rumah tangga)")
    MICRO_BUSINESS = "micro_business", _("Micro business (usaha mikro)")
