"""Forms for the koperasi profile and AD/ART pages. Parsing only: the rules live in services.

Money is typed as whole rupiah with thousands dots ("50.000"); percentages as "30" or "2,5".
Both are parsed here to integers (sen, basis points) with a hint when the text is not
understood. (A shared ``domain.money`` parser is being written; this one stays private.)
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.domain.adart import (
    COLLATERAL_FACTOR_FIELDS,
    KOL_DAY_FIELDS,
    PPAP_RATE_FIELDS,
    SHU_POOLS,
    AdArt,
)
from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.platform.core.forms import KopdesForm
from kopdes.platform.tenancy.choices import BusinessUnit
from kopdes.platform.tenancy.villages import VillageField

_PERCENT_RE = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{1,2})?$", re.ASCII)
_DAYS_RE = re.compile(r"^[0-9]{1,5}$", re.ASCII)

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]

SHU_POOL_LABELS = {
    "cadangan": _("Reserve (cadangan)"),
    "jasa_usaha": _("Members: share by purchases/transactions (jasa usaha)"),
    "jasa_modal": _("Members: share by savings (jasa modal)"),
    "pembangunan_desa": _("Village development"),
    "dana_pengurus_pengawas": _("Board and supervisors fund"),
    "dana_karyawan": _("Staff fund"),
    "dana_pendidikan": _("Education fund"),
    "dana_sosial": _("Social fund"),
}


def _parse_rupiah(text: str, *, allow_zero: bool = False) -> int:
    """'50.000' or '50000' (optionally 'Rp 50.000') -> sen, read by ``domain.money``'s one
    rupiah grammar. AD/ART amounts are whole rupiah: a comma (sen) is refused."""
    if "," in text:
        raise forms.ValidationError(
            _(
                "Write whole rupiah with digits and dots only, for example 50.000 "
                "(no commas, letters or sen)."
            ),
            code="rupiah",
        )
    try:
        return parse_rupiah(text, allow_zero=allow_zero)
    except MoneyError as exc:
        raise forms.ValidationError(exc.message, code="rupiah") from exc


def _format_rupiah_input(sen: int) -> str:
    return f"{sen // 100:,}".replace(",", ".")


def _parse_percent(text: str) -> int:
    """'30', '2,5' or '2.5' -> basis points (30% = 3000)."""
    value = text.strip().removesuffix("%").strip()
    if not _PERCENT_RE.fullmatch(value):
        raise forms.ValidationError(
            _("Write a percentage such as 30 or 2,5 (at most two decimals)."), code="percent"
        )
    whole, _sep, frac = value.replace(",", ".").partition(".")
    bp = int(whole) * 100 + int((frac + "00")[:2])
    if bp > 10_000:
        raise forms.ValidationError(_("A percentage cannot be more than 100."), code="percent")
    return bp


def _format_percent_input(bp: int) -> str:
    whole, frac = divmod(bp, 100)
    return f"{whole}" if frac == 0 else f"{whole},{frac:02d}".rstrip("0")


def _parse_days(text: str) -> int:
    """'90' -> 90. Whole days, digits only (no signs, decimals or other scripts)."""
    value = text.strip()
    if not _DAYS_RE.fullmatch(value):
        raise forms.ValidationError(
            _("Write a whole number of days with digits only, for example 90."), code="days"
        )
    return int(value)


class DaysField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        return _parse_days(text) if text else None


class RupiahField(forms.CharField):
    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.allow_zero = allow_zero
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)  # required / length checks on the text itself
        return _parse_rupiah(text, allow_zero=self.allow_zero) if text else None


class PercentField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)  # required / length checks on the text itself
        return _parse_percent(text) if text else None


KOL_DAY_LABELS = {
    "kol_lancar_max_days": _("Current (lancar): up to this many days late"),
    "kol_dpk_max_days": _("Special mention (dalam perhatian khusus): up to this many days late"),
    "kol_kurang_lancar_max_days": _("Substandard (kurang lancar): up to this many days late"),
    "kol_diragukan_max_days": _(
        "Doubtful (diragukan): up to this many days late; later is loss (macet)"
    ),
}

PPAP_RATE_LABELS = {
    "ppap_lancar_bp": _("PPAP for current loans (lancar), percent"),
    "ppap_dpk_bp": _("PPAP for special mention (dalam perhatian khusus), percent"),
    "ppap_kurang_lancar_bp": _("PPAP for substandard (kurang lancar), percent"),
    "ppap_diragukan_bp": _("PPAP for doubtful (diragukan), percent"),
    "ppap_macet_bp": _("PPAP for loss (macet), percent"),
}

AGUNAN_LABELS = {
    "agunan_tunai_bp": _("Cash collateral (blocked savings), percent counted"),
    "agunan_hak_tanggungan_bp": _("Land and buildings under hak tanggungan, percent counted"),
    "agunan_fidusia_bp": _("Vehicles and goods under fidusia, percent counted"),
    "agunan_kuasa_menjual_bp": _("Held with a notarial power to sell, percent counted"),
}

WRITE_OFF_CHOICES = [
    (3, _("Substandard (kurang lancar) or worse")),
    (4, _("Doubtful (diragukan) or worse")),
    (5, _("Loss (macet) only")),
]

_GROUPED_PREFIXES = ("shu_", "kol_", "ppap_", "agunan_")


class ProfileForm(KopdesForm):
    name = forms.CharField(label=_("Name of the koperasi"), max_length=200)
    badan_hukum_number = forms.CharField(
        label=_("Legal entity number (badan hukum)"), max_length=80
    )
    nik_koperasi = forms.CharField(label=_("NIK koperasi"), max_length=40)
    region_code = VillageField(label=_("Village (desa/kelurahan)"))
    address = forms.CharField(label=_("Address"), max_length=300)
    business_units = forms.MultipleChoiceField(
        label=_("Business units"),
        choices=BusinessUnit.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("First month of the fiscal year"), choices=MONTHS, coerce=int
    )

    @classmethod
    def initial_for(cls, koperasi) -> dict[str, Any]:
        return {
            "name": koperasi.name,
            "badan_hukum_number": koperasi.badan_hukum_number,
            "nik_koperasi": koperasi.nik_koperasi,
            "region_code": koperasi.region_code,
            "address": koperasi.address,
            "business_units": koperasi.business_units,
            "fiscal_year_start_month": koperasi.fiscal_year_start_month,
        }


class AdArtForm(KopdesForm):
    simpanan_pokok_amount = RupiahField(
        label=_("Principal savings (simpanan pokok), once, in rupiah")
    )
    simpanan_wajib_amount = RupiahField(
        label=_("Mandatory savings (simpanan wajib), each month, in rupiah")
    )
    pokok_wajib_as_equity = forms.BooleanField(
        label=_("Count principal and mandatory savings as equity"), required=False
    )
    withdrawal_approval_threshold = RupiahField(
        label=_("A withdrawal above this amount needs a second officer (rupiah)")
    )
    deposit_approval_threshold = RupiahField(
        label=_("A deposit above this amount needs a second officer (rupiah)")
    )
    loan_approval_threshold = RupiahField(
        label=_("A loan above this amount needs the ketua as well (rupiah)")
    )
    bon_limit = RupiahField(
        label=_(
            "Member credit (bon) at the store: the most one member may owe (rupiah, 0: no bon)"
        ),
        allow_zero=True,
        required=False,  # left empty: the AD/ART default (Rp500.000)
    )
    backdate_approval_days = DaysField(
        label=_(
            "A teller movement or manual journal dated more than this many days back needs "
            "a second officer"
        ),
        required=False,
    )
    rat_quorum = PercentField(label=_("RAT quorum (percent of members)"))
    rat_month_from = forms.TypedChoiceField(
        label=_("RAT held from month"), choices=MONTHS, coerce=int
    )
    rat_month_to = forms.TypedChoiceField(
        label=_("RAT held until month"), choices=MONTHS, coerce=int
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pool in SHU_POOLS:
            self.fields[f"shu_{pool}"] = PercentField(label=SHU_POOL_LABELS[pool])
        for name in KOL_DAY_FIELDS:
            self.fields[name] = DaysField(label=KOL_DAY_LABELS[name])
        for name in PPAP_RATE_FIELDS:
            self.fields[name] = PercentField(label=PPAP_RATE_LABELS[name])
        for name in COLLATERAL_FACTOR_FIELDS:
            self.fields[name] = PercentField(label=AGUNAN_LABELS[name])
        self.fields["write_off_min_kolektibilitas"] = forms.TypedChoiceField(
            label=_("A loan may be proposed for write-off (hapus buku) when it is"),
            choices=WRITE_OFF_CHOICES,
            coerce=int,
        )

    @property
    def shu_fields(self) -> list[forms.BoundField]:
        return [self[f"shu_{pool}"] for pool in SHU_POOLS]

    @property
    def kol_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in KOL_DAY_FIELDS]

    @property
    def ppap_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PPAP_RATE_FIELDS]

    @property
    def agunan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COLLATERAL_FACTOR_FIELDS]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(_GROUPED_PREFIXES)]

    @classmethod
    def initial_for(cls, adart: AdArt) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "simpanan_pokok_amount": _format_rupiah_input(adart.simpanan_pokok_amount),
            "simpanan_wajib_amount": _format_rupiah_input(adart.simpanan_wajib_amount),
            "pokok_wajib_as_equity": adart.pokok_wajib_as_equity,
            "withdrawal_approval_threshold": _format_rupiah_input(
                adart.withdrawal_approval_threshold
            ),
            "deposit_approval_threshold": _format_rupiah_input(adart.deposit_approval_threshold),
            "loan_approval_threshold": _format_rupiah_input(adart.loan_approval_threshold),
            "bon_limit": _format_rupiah_input(adart.bon_limit),
            "backdate_approval_days": str(adart.backdate_approval_days),
            "rat_quorum": _format_percent_input(adart.rat_quorum_bp),
            "rat_month_from": adart.rat_month_from,
            "rat_month_to": adart.rat_month_to,
        }
        for pool in SHU_POOLS:
            initial[f"shu_{pool}"] = _format_percent_input(adart.shu_split.get(pool, 0))
        for name in KOL_DAY_FIELDS:
            initial[name] = str(getattr(adart, name))
        for name in PPAP_RATE_FIELDS:
            initial[name] = _format_percent_input(getattr(adart, name))
        for name in COLLATERAL_FACTOR_FIELDS:
            initial[name] = _format_percent_input(getattr(adart, name))
        initial["write_off_min_kolektibilitas"] = adart.write_off_min_kolektibilitas
        return initial

    def to_adart_json(self) -> dict[str, Any]:
        """The settings as ``AdArt`` JSON; the service validates them (SHU total etc.)."""
        data = self.cleaned_data
        return {
            "simpanan_pokok_amount": data["simpanan_pokok_amount"],
            "simpanan_wajib_amount": data["simpanan_wajib_amount"],
            "pokok_wajib_as_equity": data["pokok_wajib_as_equity"],
            "withdrawal_approval_threshold": data["withdrawal_approval_threshold"],
            "deposit_approval_threshold": data["deposit_approval_threshold"],
            "loan_approval_threshold": data["loan_approval_threshold"],
            **({"bon_limit": data["bon_limit"]} if data.get("bon_limit") is not None else {}),
            # Left empty: the AD/ART default (7 days).
            **(
                {"backdate_approval_days": data["backdate_approval_days"]}
                if data.get("backdate_approval_days") is not None
                else {}
            ),
            "rat_quorum_bp": data["rat_quorum"],
            "rat_month_from": data["rat_month_from"],
            "rat_month_to": data["rat_month_to"],
            "shu_split": {pool: data[f"shu_{pool}"] for pool in SHU_POOLS},
            **{name: data[name] for name in KOL_DAY_FIELDS},
            **{name: data[name] for name in PPAP_RATE_FIELDS},
            **{name: data[name] for name in COLLATERAL_FACTOR_FIELDS},
            "write_off_min_kolektibilitas": data["write_off_min_kolektibilitas"],
        }

    # Which form field shows an error the AD/ART rules raise about a setting.
    ERROR_FIELDS = {
        "adart.rat_quorum_bp": "rat_quorum",
        "adart.shu_split": None,  # the whole split: shown above the SHU table
    }

    def field_for_error(self, error_field: str | None) -> str | None:
        if not error_field:
            return None
        if error_field in self.ERROR_FIELDS:
            return self.ERROR_FIELDS[error_field]
        name = error_field.removeprefix("adart.")
        return name if name in self.fields else None
