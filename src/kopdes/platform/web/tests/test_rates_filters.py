"""The one way a rate is written on a page ({% load rates %})."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template


def render(text: str, **context) -> str:
    return Template("{% load rates %}" + text).render(Context(context)).strip()


@pytest.mark.parametrize(
    "template,context,expected",
    [
        ("{{ r|rate:per }}", {"r": Decimal("1.5000"), "per": "month"}, "1,5% per bulan"),
        ("{{ r|rate:per }}", {"r": Decimal("18.0000"), "per": "year"}, "18% per tahun"),
        ('{{ r|rate:"year" }}', {"r": Decimal("6")}, "6% per tahun"),
        ("{{ r|rate:per }}", {"r": Decimal("1.25"), "per": "fortnight"}, "1,25%"),
        ("{{ b|bp_rate:per }}", {"b": 10, "per": "day"}, "0,1% per hari"),
        ("{{ b|bp_rate:per }}", {"b": 200, "per": "month"}, "2% per bulan"),
        ("{{ b|bp }}", {"b": 3277}, "32,77%"),
        ("{{ p|percent }}", {"p": Decimal("0.125")}, "0,125%"),
        ("{{ p|percent_input }}", {"p": Decimal("1.5000")}, "1,5"),
        (
            "[{{ n|rate:per }}{{ n|bp }}{{ n|percent }}{{ n|bp_rate }}]",
            {"n": None, "per": "month"},
            "[]",
        ),
    ],
)
def test_rate_filters(template, context, expected):
    assert render(template, **context) == expected
