"""``{% cell value index money_columns %}``: a table cell, amounts right-aligned in rupiah."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from kopdes.domain.money import format_rupiah

register = template.Library()


@register.simple_tag
def cell(value, index: int, money: set[int]):
    if index in money and isinstance(value, int) and not isinstance(value, bool):
        return format_html('<td class="num">{}</td>', format_rupiah(value, prefix=""))
    return format_html("<td>{}</td>", value)
