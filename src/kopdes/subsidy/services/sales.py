"""A subsidised sale checked against its channel's rule and the buyer's history, and
recorded. This is the one entry point for the store's point of sale (see the README).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.domain import subsidy as rules
from kopdes.domain.nik import NikError, parse_nik
from kopdes.domain.text import first_refused
from kopdes.platform.audit.services import record
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.privacy.fields import update_blind_indexes
from kopdes.subsidy import selectors
from kopdes.subsidy.choices import FERTILIZERS, Channel, Product
from kopdes.subsidy.errors import ReplayConflict, SubsidyRefused
from kopdes.subsidy.models import SubsidisedSale
from kopdes.subsidy.services._common import refused, role

PERMISSION = "subsidy.sell"
MAX_KEY = 64


def _key(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SubsidyRefused(_("The sale needs a transaction key."), field="idempotency_key")
    value = value.strip()
    if len(value) > MAX_KEY or first_refused(value) is not None:
        raise SubsidyRefused(
            _("The transaction key is too long or holds a character that is not allowed."),
            field="idempotency_key",
        )
    return value


def _fingerprint(content: dict[str, Any]) -> str:
    """What the sale says, hashed: a replay with the same key must say the same. The NIK
    enters as its blind index (an HMAC), never in clear or as a plain hash."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_and_record_subsidised_sale(
    koperasi,
    *,
    actor,
    channel: str,
    nik: str,
    quantity: int,
    unit_price: int,
    sold_on: dt.date,
    idempotency_key: str,
    at: dt.datetime,
    fertilizer: str = "",
    farmer_confirmed: bool = False,
    store_sale_id: uuid.UUID | None = None,
    source_address: str = "",
) -> SubsidisedSale:
    """Check one subsidised sale against ``domain.subsidy`` with the NIK's history and
    record it; refuse (``SubsidyRefused``, Bahasa Indonesia) writing nothing.

    - ``channel``: ``lpg`` (``quantity`` cylinders, ``unit_price`` sen per cylinder; the NIK
      must be a registered buyer; the HET of the province and the quota per period),
      ``pupuk`` (``quantity`` grams of ``fertilizer``, ``unit_price`` sen per kg; the NIK
      must hold an RDKK allocation of that type in the season of ``sold_on``, the farmer's
      confirmation is required), ``sphp`` (grams, sen per kg; a registered buyer; the
      zone's HET, the limit per transaction and per period).
    - ``idempotency_key``: unique per koperasi. The same key with the same content returns
      the first sale (nothing new written); with other content it is refused
      (``ReplayConflict``).
    - Runs in the caller's transaction when there is one (the POS's sale), else its own.
      Audited ``subsidy.sale.recorded`` (no NIK).
    """
    label = role(actor, koperasi, PERMISSION)
    key = _key(idempotency_key)
    if channel not in Channel.values:
        raise SubsidyRefused(_("Unknown subsidised channel."), field="channel")
    try:
        clear_nik = parse_nik(nik if isinstance(nik, str) else "").nik
    except NikError as exc:
        raise SubsidyRefused(exc.message, field="nik", code=exc.code) from None
    if not isinstance(sold_on, dt.date) or isinstance(sold_on, dt.datetime):
        raise SubsidyRefused(_("The sale needs its date."), field="sold_on")
    if channel == Channel.PUPUK:
        if fertilizer not in FERTILIZERS:
            raise SubsidyRefused(_("Unknown subsidised fertiliser type."), field="fertilizer")
        product = fertilizer
    else:
        product = Product.LPG_3KG if channel == Channel.LPG else Product.BERAS_SPHP
    if store_sale_id is not None and not isinstance(store_sale_id, uuid.UUID):
        raise SubsidyRefused(_("The store sale reference is not valid."), field="store_sale_id")
    indexes = selectors.nik_indexes(koperasi, clear_nik)
    fingerprint = _fingerprint(
        {
            "channel": channel,
            "product": product,
            "nik": indexes[0],
            "quantity": quantity,
            "unit_price": unit_price,
            "sold_on": sold_on.isoformat(),
            "farmer_confirmed": bool(farmer_confirmed),
            "store_sale_id": str(store_sale_id or ""),
        }
    )
    with transaction.atomic():
        # One writer of a koperasi's subsidised history at a time (PostgreSQL; SQLite's
        # write transactions are already exclusive): the quota read below stays true.
        lock_chain(f"subsidy:{koperasi.pk}")
        first = SubsidisedSale.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if first is not None:
            if first.fingerprint == fingerprint:
                return first
            raise ReplayConflict(
                _("This transaction key was already used for a different sale; nothing was saved."),
                field="idempotency_key",
            )
        buyer = allocation = None
        try:
            if channel == Channel.LPG:
                buyer = _registered(koperasi, clear_nik, channel)
                rule = selectors.rule_on(koperasi, channel, sold_on)
                start, end = rules.period_bounds(sold_on, rule.period)
                checked = rules.check_lpg_sale(
                    cylinders=quantity,
                    unit_price=unit_price,
                    het_schedule=selectors.het_schedule(koperasi, Product.LPG_3KG),
                    day=sold_on,
                    bought_in_period=selectors.bought_between(
                        koperasi, indexes=indexes, channel=channel, start=start, end=end
                    ),
                    quota=rule.limit,
                    period=rule.period,
                )
            elif channel == Channel.SPHP:
                buyer = _registered(koperasi, clear_nik, channel)
                rule = selectors.rule_on(koperasi, channel, sold_on)
                if rule.zone is None:
                    raise SubsidyRefused(
                        _("Set the koperasi's SPHP HET zone first."), field="zone", code="zone"
                    )
                start, end = rules.period_bounds(sold_on, rule.period)
                checked = rules.check_sphp_sale(
                    grams=quantity,
                    price_per_kg=unit_price,
                    zone=rule.zone,
                    day=sold_on,
                    bought_in_period_grams=selectors.bought_between(
                        koperasi, indexes=indexes, channel=channel, start=start, end=end
                    ),
                    limit_grams=rule.limit,
                    period=rule.period,
                    het=selectors.sphp_het(koperasi, rule.zone),
                )
            else:
                season_rule = rules.season_on(selectors.domain_seasons(koperasi), sold_on)
                season = selectors.get_season(koperasi, season_rule.code)
                allocation = selectors.allocation_for(
                    koperasi, indexes=indexes, season=season, fertilizer=fertilizer
                )
                checked = rules.check_fertilizer_sale(
                    fertilizer=fertilizer,
                    grams=quantity,
                    price_per_kg=unit_price,
                    day=sold_on,
                    allocation_grams=allocation.grams if allocation else None,
                    bought_in_season_grams=selectors.redeemed_grams(
                        koperasi, indexes=indexes, fertilizer=fertilizer, season=season
                    ),
                    het=selectors.fertilizer_het(koperasi),
                )
                if not farmer_confirmed:
                    raise SubsidyRefused(
                        _("Record the farmer's confirmation of the redemption first."),
                        field="farmer_confirmed",
                        code="confirmation",
                    )
        except rules.SubsidyError as exc:
            raise refused(exc) from None
        sale = SubsidisedSale(
            koperasi=koperasi,
            channel=channel,
            product=product,
            nik=clear_nik,
            buyer=buyer,
            allocation=allocation,
            quantity=checked.quantity,
            unit_price=unit_price,
            amount=checked.amount,
            het_price=checked.het.price,
            het_reference=checked.het.reference[:200],
            sold_on=sold_on,
            farmer_confirmed=bool(farmer_confirmed),
            store_sale_id=store_sale_id,
            idempotency_key=key,
            fingerprint=fingerprint,
            recorded_at=at,
            recorded_by=actor,
        )
        update_blind_indexes(sale)
        try:
            with transaction.atomic():
                sale.save(force_insert=True)
        except IntegrityError:
            raise ReplayConflict(
                _("This transaction key was just used by another sale; nothing was saved."),
                field="idempotency_key",
            ) from None
        record(
            "subsidy.sale.recorded",
            actor=actor,
            koperasi=koperasi,
            role=label,
            obj=sale,
            summary={
                "channel": channel,
                "product": product,
                "quantity": checked.quantity,
                "unit_price": unit_price,
                "amount": checked.amount,
                "het": checked.het.price,
                "remaining": checked.remaining,
                "sold_on": sold_on.isoformat(),
                "key": key,
            },
            source_address=source_address,
        )
    return sale


def _registered(koperasi, nik: str, channel: str):
    buyer = selectors.find_buyer(koperasi, nik)
    if buyer is None:
        raise SubsidyRefused(
            _("This NIK is not a registered buyer of %(channel)s; register the buyer first.")
            % {"channel": Channel(channel).label},
            field="nik",
            code="not_registered",
        )
    return buyer
