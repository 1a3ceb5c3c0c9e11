"""Builders for tests that need a store: books, a running unit, items. Deterministic; every
row goes through the services."""

from __future__ import annotations

import itertools

from django.utils import timezone

from kopdes.ledger import services as ledger_services
from kopdes.platform.core.testing import make_user
from kopdes.store import services
from kopdes.store.models import BusinessUnit, Item

_names = itertools.count(1)


def manajer(koperasi):
    return make_user("manajer", koperasi)


def running_unit(koperasi, kind: str = "sembako", *, actor=None) -> BusinessUnit:
    """``kind`` enabled in ``koperasi`` (its chart installed first)."""
    found = BusinessUnit.objects.filter(koperasi=koperasi, kind=kind, is_active=True).first()
    if found is not None:
        return found
    ledger_services.setup_koperasi_books(koperasi)
    return services.enable_business_unit(
        koperasi, actor=actor or manajer(koperasi), kind=kind, at=timezone.now()
    )


def item_data(**overrides) -> dict:
    data = {
        "name": f"Minyak goreng 1 liter {next(_names)}",
        "barcode": "",
        "category": "Minyak",
        "business_unit": "sembako",
        "base_unit": "pcs",
        "units_per_pak": None,
        "units_per_dus": 12,
        "member_price": 17_500_00,
        "public_price": 18_000_00,
        "min_stock": 24,
        "is_service": False,
    }
    data.update(overrides)
    return data


def make_item(koperasi, *, actor=None, **overrides) -> Item:
    running_unit(koperasi, overrides.get("business_unit", "sembako"))
    return services.create_item(
        koperasi, actor=actor or manajer(koperasi), data=item_data(**overrides)
    )


def on_shift(koperasi, user=None, *, role: str = "kasir", till: str | None = None):
    """``user`` (a new ``role`` officer by default) with her cash shift open at ``till``
    (float Rp100.000): the point of sale's pages sell only within an open shift."""
    user = user or make_user(role, koperasi)
    running_unit(koperasi)
    if services.open_shift_of(koperasi, user) is None:
        services.open_shift(
            koperasi, actor=user, till=till or f"Kasir {user.pk}", opening_float=100_000_00
        )
    return user
