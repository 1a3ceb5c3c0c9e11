"""Small filters for the identity pages."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes in a duration, rounded up (30 for django-axes' half-hour cool-off)."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))


@register.filter
def from_now(value: timedelta | None):
    """The moment ``value`` from now, for "try again after 14:35"."""
    return timezone.now() + (value or timedelta(0))
