"""Subsidised goods at the point of sale: LPG 3 kg, pupuk bersubsidi, beras SPHP.

An item of a unit of kind ``lpg``, ``pupuk`` or ``beras_sphp`` is sold only with the
buyer's NIK (and, for pupuk, the farmer's confirmation) in its checkout line
(``line_data``), and every such line goes through the subsidy app's one entry point,
``subsidy.services.check_and_record_subsidised_sale`` (HET, quota per NIK, RDKK
allocation, per-transaction limit), inside the checkout's transaction: a refusal refuses
the whole sale with the subsidy's message and nothing is written; an accepted line
records its ``SubsidisedSale`` row (``store_sale_id`` = the sale) with the sale.

It is a checkout rule of ``store.hooks`` (registered from ``StoreConfig.ready()``). The
store calls the subsidy app, not the other way round: the import contracts put
``kopdes.subsidy`` below ``kopdes.store`` (pyproject ``[tool.importlinter]``), so the
subsidy app never imports the store.

The NIK enters the sale's idempotency fingerprint as its blind index (``nik_index``), never
in clear. Quantities: LPG items are counted in pcs (cylinders); pupuk and SPHP in kg or
gram (the subsidy app takes grams and a price per kg). The fertiliser type of a pupuk
item is read from its name (Urea, NPK, NPK Kakao, Organik).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain.nik import NikError, parse_nik
from kopdes.store import hooks
from kopdes.store.choices import UnitKind
from kopdes.store.errors import StoreError
from kopdes.subsidy import selectors as subsidy_selectors
from kopdes.subsidy.choices import Channel
from kopdes.subsidy.services import check_and_record_subsidised_sale

CHANNELS: dict[str, str] = {
    UnitKind.LPG.value: Channel.LPG.value,
    UnitKind.PUPUK.value: Channel.PUPUK.value,
    UnitKind.BERAS_SPHP.value: Channel.SPHP.value,
}
# Longest first: "npk kakao" before "npk".
_FERTILIZER_WORDS = (
    ("kakao", "npk_kakao"),
    ("npk", "npk"),
    ("urea", "urea"),
    ("organik", "organik"),
)


def channel_of(item) -> str | None:
    """``lpg`` / ``pupuk`` / ``sphp`` for an item of a subsidised channel's unit, else None."""
    return CHANNELS.get(item.business_unit.kind)


def fertilizer_of(item) -> str | None:
    name = item.name.lower()
    for word, fertilizer in _FERTILIZER_WORDS:
        if word in name:
            return fertilizer
    return None


def line_data(koperasi, *, nik: str, farmer_confirmed: bool = False) -> dict[str, Any]:
    """What a subsidised checkout line carries: the NIK as typed (validated here, so the
    kasir hears at once that it is wrong), its blind index for the sale's fingerprint, and
    the farmer's confirmation. ``StoreError`` (Bahasa Indonesia) for a missing or bad NIK."""
    text = (nik or "").strip()
    if not text:
        raise StoreError(_("Type the buyer's NIK (16 digits) for subsidised goods."), field="nik")
    try:
        clear = parse_nik(text).nik
    except NikError as exc:
        raise StoreError(exc.message, field="nik") from None
    return {
        "nik": clear,
        "nik_index": subsidy_selectors.nik_indexes(koperasi, clear)[0],
        "farmer_confirmed": "1" if farmer_confirmed else "",
    }


def _line_key(sale_key: str, position: int) -> str:
    """The subsidy row's key (at most 64 characters): from the sale's key and the line."""
    return f"pos:{hashlib.sha256(sale_key.encode()).hexdigest()[:40]}:{position}"


def _prepare(koperasi, *, lines, **_kwargs: Any) -> list[tuple[hooks.LineView, str]] | None:
    """Before anything is written: every subsidised line has a valid NIK (matching its
    index), an item counted the way its channel is, and a known fertiliser type."""
    found = []
    for line in lines:
        channel = channel_of(line.item)
        if channel is None:
            continue
        name = line.item.name
        data: Mapping[str, Any] = line.data
        nik = data.get("nik")
        if not isinstance(nik, str) or not nik.strip():
            raise StoreError(
                _("%(item)s is subsidised: type the buyer's NIK.") % {"item": name}, field="nik"
            )
        checked = line_data(koperasi, nik=nik, farmer_confirmed=bool(data.get("farmer_confirmed")))
        if data.get("nik_index") and data.get("nik_index") != checked["nik_index"]:
            raise StoreError(_("The buyer's NIK changed; check it again."), field="nik")
        base = line.item.base_unit
        if channel == Channel.LPG and base != "pcs":
            raise StoreError(
                _("%(item)s: LPG 3 kg is sold per cylinder (pcs).") % {"item": name}, field="lines"
            )
        if channel != Channel.LPG and base not in ("kg", "gram"):
            raise StoreError(
                _("%(item)s: subsidised fertiliser and SPHP rice are sold by weight (kg).")
                % {"item": name},
                field="lines",
            )
        if channel == Channel.PUPUK and fertilizer_of(line.item) is None:
            raise StoreError(
                _(
                    "%(item)s: the fertiliser type is not known; name the item with Urea, "
                    "NPK, NPK Kakao or Organik."
                )
                % {"item": name},
                field="lines",
            )
        found.append((line, checked["nik"]))
    return found or None


def _record(state: list[tuple[hooks.LineView, str]], *, sale, lines, **_kwargs: Any) -> None:
    """After the sale exists, in its transaction: each line checked and recorded by the
    subsidy app; a refusal (``SubsidyRefused``) rolls the whole sale back."""
    now = timezone.now()
    for line, nik in state:
        channel = channel_of(line.item)
        assert channel is not None
        # LPG: cylinders at a price per cylinder. Pupuk, SPHP: kg and gram items are both
        # stocked in grams; the subsidy app takes grams and a price per kg.
        per_unit = 1 if channel == Channel.LPG else 1000
        quantity, unit_price = line.quantity, line.price * per_unit // line.per
        check_and_record_subsidised_sale(
            sale.koperasi,
            actor=sale.cashier,
            channel=channel,
            nik=nik,
            quantity=quantity,
            unit_price=unit_price,
            sold_on=sale.date,
            idempotency_key=_line_key(sale.idempotency_key, line.position),
            at=now,
            fertilizer=(fertilizer_of(line.item) or "") if channel == Channel.PUPUK else "",
            farmer_confirmed=bool(line.data.get("farmer_confirmed")),
            store_sale_id=sale.pk,
        )


RULE = hooks.register_checkout_rule(
    hooks.CheckoutRule(
        name="subsidy",
        prepare=_prepare,
        record=_record,
        line_keys=("nik_index", "farmer_confirmed"),
    )
)
