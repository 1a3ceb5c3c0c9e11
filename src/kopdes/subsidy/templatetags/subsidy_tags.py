"""Display of the channels' quantities: cylinders as they are, grams as kg."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from kopdes.domain.money import format_rupiah
from kopdes.domain.subsidy import GRAMS_PER_KG
from kopdes.subsidy.choices import Channel

register = template.Library()


@register.filter
def kg(grams: int | None) -> str:
    """``12500`` -> ``12,5`` (kg, Indonesian decimal comma, no trailing zeros)."""
    if grams is None:
        return "—"
    whole, rest = divmod(int(grams), GRAMS_PER_KG)
    text = f"{whole:,}".replace(",", ".")
    if rest:
        text += "," + f"{rest:03d}".rstrip("0")
    return text


@register.filter
def sale_quantity(sale) -> str:
    """A sale's quantity with its unit: cylinders for LPG, kg otherwise."""
    if sale.channel == Channel.LPG:
        return _("%(n)d cylinder(s)") % {"n": sale.quantity}
    return f"{kg(sale.quantity)} kg"


@register.filter
def rupiah(sen: int | None) -> str:
    """Sen as ``Rp1.800``; ``—`` for none."""
    if sen is None:
        return "—"
    return format_rupiah(int(sen))
