"""Template filters for amounts in sen."""

from __future__ import annotations

from django import template

from kopdes.domain.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(sen: int | None) -> str:
    """``150000`` sen -> "Rp 1.500"; None -> "" (an empty cell)."""
    if sen is None or sen == "":
        return ""
    return format_rupiah(int(sen))


@register.filter
def amount(sen: int | None) -> str:
    """Like ``rupiah`` without the "Rp " prefix, for table columns."""
    if sen is None or sen == "":
        return ""
    return format_rupiah(int(sen), prefix="")
