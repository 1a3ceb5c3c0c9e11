"""``{% load villages %}``: ``{{ member.region_code|village }}`` -> "Sukamaju, Megamendung,
Kabupaten Bogor" (the code itself only when it is not in the official list)."""

from __future__ import annotations

from django import template

from kopdes.platform.core.regions import UnknownRegionError, lookup_region

register = template.Library()


@register.filter
def village(code: str) -> str:
    if not code:
        return ""
    try:
        region = lookup_region(str(code))
    except (UnknownRegionError, ValueError):
        return str(code)
    return f"{region.desa}, {region.kecamatan}, {region.kabupaten}"
