"""The channels' settings: HET rates with their decree, per-NIK limits, RDKK seasons.

A setting is a new row with its own effective date: the old one stays (the tables are
append-only), so a sale is always checked, and a register re-read, against the rule that was
in force on its date. A setting may not take effect on or before a day that already has
sales under the old one (it would change what those sales were checked against).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.domain import subsidy as rules
from kopdes.platform.audit.services import record
from kopdes.subsidy.choices import Channel, Product, QuotaPeriod
from kopdes.subsidy.errors import FormErrors
from kopdes.subsidy.models import ChannelRule, HetRate, Season, SubsidisedSale
from kopdes.subsidy.services._common import clean_text, role

PERMISSION = "subsidy.manage_settings"
MAX_PRICE = 10_000_000_00  # Rp10 juta per unit: far above any HET, catches a typo
MAX_LPG_QUOTA = 1000
MAX_SPHP_LIMIT_GRAMS = 1_000_000


def _date(value: Any, *, key: str, errors: list[tuple[str, str]]) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    errors.append((key, _("Please give a valid date.")))
    return None


def _whole(value: Any, *, key: str, label: str, errors: list[tuple[str, str]], high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        errors.append((key, _("%(label)s must be a whole number above zero.") % {"label": label}))
        return 0
    if value > high:
        errors.append((key, _("%(label)s is too large.") % {"label": label}))
        return 0
    return value


def _sold_since(koperasi, effective_from: dt.date | None, **filters: Any) -> bool:
    return (
        effective_from is not None
        and SubsidisedSale.objects.filter(
            koperasi=koperasi, sold_on__gte=effective_from, **filters
        ).exists()
    )


def _append_setting(
    row: Any,
    *,
    key: dict[str, Any],
    sold: dict[str, Any],
    taken: str,
    sold_before: str,
    errors: list[tuple[str, str]],
    actor: Any,
    label: str,
    action: str,
    summary: dict[str, Any],
    source_address: str,
) -> Any:
    """Save a new effective-dated setting ``row`` and audit ``action``, or raise
    ``FormErrors`` with ``errors`` and, when those are clear, the two refusals every setting
    shares: another row of the same ``key`` starts that day (``taken``), or sales matching
    ``sold`` already stand on or after it (``sold_before``)."""
    day = row.effective_from
    same_day = type(row).objects.filter(koperasi=row.koperasi, effective_from=day, **key)
    if not errors and same_day.exists():
        errors.append(("effective_from", taken))
    if not errors and _sold_since(row.koperasi, day, **sold):
        errors.append(("effective_from", sold_before))
    if errors:
        raise FormErrors(errors=errors)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            record(
                action,
                actor=actor,
                koperasi=row.koperasi,
                role=label,
                obj=row,
                summary={"effective_from": day.isoformat(), **summary},
                source_address=source_address,
            )
    except IntegrityError:  # the same day saved by another officer meanwhile
        raise FormErrors(errors=[("effective_from", taken)]) from None
    return row


def add_het_rate(
    koperasi, *, actor, data: dict, at: dt.datetime, source_address: str = ""
) -> HetRate:
    """A new HET for ``data["product"]`` from ``data["effective_from"]``: ``price`` in sen per
    cylinder or per kg, ``reference`` the decree (required). Audited ``subsidy.het_rate.added``."""
    label = role(actor, koperasi, PERMISSION)
    errors: list[tuple[str, str]] = []
    product = data.get("product")
    if product not in Product.values:
        errors.append(("product", _("Choose a product.")))
    effective_from = _date(data.get("effective_from"), key="effective_from", errors=errors)
    price = _whole(data.get("price"), key="price", label=_("HET"), errors=errors, high=MAX_PRICE)
    reference = clean_text(
        data.get("reference"), key="reference", label=_("decree"), max_length=200, errors=errors
    )
    rate = HetRate(
        koperasi=koperasi,
        product=product,
        effective_from=effective_from,
        price=price,
        reference=reference,
        recorded_at=at,
        recorded_by=actor,
    )
    return _append_setting(
        rate,
        key={"product": product},
        sold={"product": product},
        taken=_("A HET for this product already starts on that date; the old one is kept."),
        sold_before=_("Sales were already recorded on or after that date under the old HET."),
        errors=errors,
        actor=actor,
        label=label,
        action="subsidy.het_rate.added",
        summary={"product": product, "price": price, "reference": reference},
        source_address=source_address,
    )


def add_channel_rule(
    koperasi, *, actor, data: dict, at: dt.datetime, source_address: str = ""
) -> ChannelRule:
    """A new per-NIK limit for LPG (``limit`` cylinders per ``period``) or SPHP (``limit``
    grams per transaction and per ``period``, with the HET ``zone`` 1-3), from
    ``effective_from``. Audited ``subsidy.channel_rule.added``."""
    label = role(actor, koperasi, PERMISSION)
    errors: list[tuple[str, str]] = []
    channel = data.get("channel")
    if channel not in (Channel.LPG, Channel.SPHP):
        errors.append(("channel", _("Choose LPG 3 kg or SPHP rice.")))
    effective_from = _date(data.get("effective_from"), key="effective_from", errors=errors)
    high = MAX_LPG_QUOTA if channel == Channel.LPG else MAX_SPHP_LIMIT_GRAMS
    limit = _whole(data.get("limit"), key="limit", label=_("limit"), errors=errors, high=high)
    period = data.get("period")
    if period not in QuotaPeriod.values:
        errors.append(("period", _("Choose a period.")))
    zone = data.get("zone")
    if channel == Channel.SPHP:
        if zone not in rules.DEFAULT_SPHP_HET:
            errors.append(("zone", _("Choose the HET zone (1, 2 or 3).")))
    else:
        zone = None
    rule = ChannelRule(
        koperasi=koperasi,
        channel=channel,
        effective_from=effective_from,
        limit=limit,
        period=period,
        zone=zone,
        recorded_at=at,
        recorded_by=actor,
    )
    return _append_setting(
        rule,
        key={"channel": channel},
        sold={"channel": channel},
        taken=_("A rule for this channel already starts on that date; the old one is kept."),
        sold_before=_("Sales were already recorded on or after that date under the old rule."),
        errors=errors,
        actor=actor,
        label=label,
        action="subsidy.channel_rule.added",
        summary={"channel": channel, "limit": limit, "period": period, "zone": zone},
        source_address=source_address,
    )


def add_season(koperasi, *, actor, data: dict, at: dt.datetime, source_address: str = "") -> Season:
    """A planting season of the RDKK: ``code`` (unique), ``start`` and ``end`` inclusive,
    not overlapping another season. Audited ``subsidy.season.added``."""
    label = role(actor, koperasi, PERMISSION)
    errors: list[tuple[str, str]] = []
    code = clean_text(
        data.get("code"), key="code", label=_("season code"), max_length=20, errors=errors
    )
    start = _date(data.get("start"), key="start", errors=errors)
    end = _date(data.get("end"), key="end", errors=errors)
    if start and end and start > end:
        errors.append(("end", _("The last day is before the first day.")))
    if code and Season.objects.filter(koperasi=koperasi, code__iexact=code).exists():
        errors.append(("code", _("A season with this code already exists.")))
    if not errors:
        clash = Season.objects.filter(koperasi=koperasi, start__lte=end, end__gte=start).first()
        if clash is not None:
            errors.append(
                ("start", _("These dates overlap season %(code)s.") % {"code": clash.code})
            )
    if errors:
        raise FormErrors(errors=errors)
    season = Season(
        koperasi=koperasi, code=code, start=start, end=end, created_at=at, created_by=actor
    )
    try:
        with transaction.atomic():
            season.save(force_insert=True)
            record(
                "subsidy.season.added",
                actor=actor,
                koperasi=koperasi,
                role=label,
                obj=season,
                summary={"code": code, "start": start.isoformat(), "end": end.isoformat()},
                source_address=source_address,
            )
    except IntegrityError:
        raise FormErrors(errors=[("code", _("A season with this code already exists."))]) from None
    return season
