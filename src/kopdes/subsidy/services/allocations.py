"""The RDKK / e-Alokasi list: farmers' allocations per fertiliser type per season."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopdes.domain import subsidy as rules
from kopdes.domain.nik import NikError, parse_nik
from kopdes.platform.audit.services import record
from kopdes.platform.privacy import crypto
from kopdes.subsidy import rdkk_xlsx
from kopdes.subsidy.errors import ImportErrors
from kopdes.subsidy.models import Allocation, AllocationImport, Season
from kopdes.subsidy.services._common import clean_text, role

PERMISSION = "subsidy.import_allocations"
MAX_KG = Decimal(100_000)
_TYPE_NAMES = {
    **{f.value: f.value for f in rules.Fertilizer},
    **{f.label.lower(): f.value for f in rules.Fertilizer},
    "npk kakao": rules.Fertilizer.NPK_KAKAO.value,
}


def _kg_to_grams(value: Any) -> tuple[int, str]:
    """Grams from a kg cell (a number, or text with a decimal comma), or "" and why not."""
    if isinstance(value, str):
        text = value.strip().lower().removesuffix("kg").strip().replace(",", ".")
        if not text:
            return 0, _("Fill in the allocation in kg.")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return 0, _("The allocation must be a number of kg, e.g. 100 or 12,5.")
    if not isinstance(value, Decimal) or not value.is_finite():
        return 0, _("The allocation must be a number of kg, e.g. 100 or 12,5.")
    if value <= 0:
        return 0, _("The allocation must be more than zero kg.")
    if value > MAX_KG:
        return 0, _("The allocation is too large.")
    grams = value * rules.GRAMS_PER_KG
    if grams != grams.to_integral_value():
        return 0, _("The allocation may have at most three decimals (grams).")
    return int(grams), ""


def import_allocations(
    koperasi, *, actor, content: bytes, filename: str, at: dt.datetime, source_address: str = ""
) -> AllocationImport:
    """Import an RDKK list (``rdkk_xlsx``): every row is checked (NIK by ``domain.nik``, a
    season that is set, a known fertiliser type, kg above zero, a farmer name and group, no
    farmer-type-season twice in the file or already imported). Any problem refuses the whole
    file with row-by-row messages and nothing is written. Audited
    ``subsidy.allocations.imported`` with the row count (no NIK)."""
    label = role(actor, koperasi, PERMISSION)
    rows = rdkk_xlsx.read_rows(content)
    if not rows:
        raise ImportErrors(errors=[(0, "file", _("The file has no rows to import."))])
    seasons = {s.code.lower(): s for s in Season.objects.filter(koperasi=koperasi)}
    errors: list[tuple[int, str, str]] = []
    allocations: list[Allocation] = []
    seen: dict[tuple[str, str, str], int] = {}
    existing = {
        (season_id, index, fertilizer)
        for season_id, index, fertilizer in Allocation.objects.filter(
            koperasi=koperasi
        ).values_list("season_id", "nik_index", "fertilizer")
    }
    for data in rows:
        n = data["_row"]
        row_errors: list[tuple[str, str]] = []
        nik = ""
        raw_nik = data.get("nik")
        if isinstance(raw_nik, int | float):
            row_errors.append(
                ("nik", _("The NIK is stored as a number, which Excel rounds; type it as text."))
            )
        else:
            try:
                nik = parse_nik(str(raw_nik or "")).nik
            except NikError as exc:
                row_errors.append(("nik", exc.message))
        name = clean_text(
            data.get("farmer_name"),
            key="farmer_name",
            label=_("farmer name"),
            max_length=120,
            errors=row_errors,
        )
        group = clean_text(
            data.get("farmer_group"),
            key="farmer_group",
            label=_("farmer group"),
            max_length=120,
            errors=row_errors,
        )
        season_code = str(data.get("season") or "").strip()
        season = seasons.get(season_code.lower())
        if season is None:
            row_errors.append(
                (
                    "season",
                    _("Season %(code)s is not set up; add it on the settings page first.")
                    % {"code": season_code or "(kosong)"},
                )
            )
        fertilizer = _TYPE_NAMES.get(" ".join(str(data.get("fertilizer") or "").lower().split()))
        if fertilizer is None:
            row_errors.append(
                (
                    "fertilizer",
                    _("Unknown fertiliser type %(type)s (use urea, npk, npk_kakao or organik).")
                    % {"type": data.get("fertilizer") or "(kosong)"},
                )
            )
        grams, problem = _kg_to_grams(data.get("kg"))
        if problem:
            row_errors.append(("kg", problem))
        if not row_errors:
            index = crypto.blind_index("nik", nik, koperasi_id=koperasi.pk)
            key = (str(season.pk), index, fertilizer)
            if key in seen:
                row_errors.append(
                    (
                        "nik",
                        _("This farmer already has %(type)s for this season in row %(row)d.")
                        % {"type": fertilizer, "row": seen[key]},
                    )
                )
            elif (season.pk, index, fertilizer) in existing:
                row_errors.append(
                    (
                        "nik",
                        _("This farmer's %(type)s allocation for this season was already imported.")
                        % {"type": fertilizer},
                    )
                )
            seen.setdefault(key, n)
        if row_errors:
            errors.extend((n, field, message) for field, message in row_errors)
            continue
        allocations.append(
            Allocation(
                koperasi=koperasi,
                season=season,
                fertilizer=fertilizer,
                nik=nik,
                nik_index=index,
                farmer_name=name,
                farmer_group=group,
                grams=grams,
            )
        )
    if errors:
        raise ImportErrors(errors=errors)
    batch = AllocationImport(
        koperasi=koperasi,
        filename=" ".join(str(filename or "").split())[:200],
        rows=len(allocations),
        imported_at=at,
        imported_by=actor,
    )
    for allocation in allocations:
        allocation.source = batch
    try:
        with transaction.atomic():
            batch.save(force_insert=True)
            Allocation.objects.bulk_create(allocations)
            record(
                "subsidy.allocations.imported",
                actor=actor,
                koperasi=koperasi,
                role=label,
                obj=batch,
                summary={
                    "rows": len(allocations),
                    "farmers": len({a.nik_index for a in allocations}),
                    "seasons": sorted({a.season.code for a in allocations}),
                },
                source_address=source_address,
            )
    except IntegrityError:
        raise ImportErrors(
            errors=[(0, "file", _("Some allocations were imported meanwhile; try again."))]
        ) from None
    return batch
