"""Rates on every page, written once: ``{% load rates %}``.

    {{ product.rate_percent|rate:product.rate_per }}      -> "1,5% per bulan"
    {{ product.penalty_bp|bp_rate:product.penalty_per }}  -> "0,1% per hari"
    {{ product.admin_fee_bp|bp }}                         -> "1%"
    {{ value|percent }}                                   -> "18%"
    <input value="{{ loan.rate_percent|percent_input }}">   -> "1,5" (typed back as is)

Never "1,5000%", "10 bp" or "basis poin": the numbers come from ``domain.rates``.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from kopdes.domain.rates import bp_to_percent, format_bp, format_percent, percent_number

register = template.Library()

PER = {
    "day": _("per day"),
    "week": _("per week"),
    "month": _("per month"),
    "year": _("per year"),
}


def per_label(per: str) -> str:
    """ "month" -> "per bulan"; anything else -> "" (the rate alone)."""
    label = PER.get(str(per or ""))
    return str(label) if label is not None else ""


def rate_text(percent, per: str = "") -> str:
    """A percentage with its period: (Decimal("1.5"), "month") -> "1,5% per bulan"."""
    if percent is None or percent == "":
        return ""
    text = format_percent(percent)
    label = per_label(per)
    return f"{text} {label}" if label else text


@register.filter
def percent(value) -> str:
    """A percentage (Decimal, int or decimal string): 1.5000 -> "1,5%"."""
    return "" if value is None or value == "" else format_percent(value)


@register.filter
def bp(value) -> str:
    """Basis points as a percentage: 3277 -> "32,77%"."""
    return "" if value is None or value == "" else format_bp(int(value))


@register.filter
def rate(value, per: str = "") -> str:
    """A percentage per period: ``{{ p.rate_percent|rate:p.rate_per }}`` -> "1,5% per bulan"."""
    return rate_text(value, per)


@register.filter
def bp_rate(value, per: str = "") -> str:
    """Basis points per period: ``{{ p.penalty_bp|bp_rate:p.penalty_per }}`` -> "0,1% per hari"."""
    if value is None or value == "":
        return ""
    return rate_text(bp_to_percent(int(value)), per)


@register.filter
def percent_input(value) -> str:
    """A percentage as an input's value, without the sign: 1.5000 -> "1,5"."""
    return "" if value is None or value == "" else percent_number(value)
