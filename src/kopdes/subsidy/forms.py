"""Forms: they carry input to the services, which check the business rules. Amounts are
read by the one rupiah parser (``domain.money.parse_rupiah``), dates dd-mm-yyyy."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.domain.subsidy import GRAMS_PER_KG
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm
from kopdes.subsidy.choices import BuyerKind, Channel, Product, QuotaPeriod


class RupiahField(forms.CharField):
    """An amount typed as people write it ("18.000", "Rp 1.800"); cleaned to sen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_rupiah(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc), code="amount") from exc


class BuyerForm(KopdesForm):
    name = forms.CharField(label=_("Name (as on the KTP)"), max_length=120)
    nik = forms.CharField(
        label=_("NIK (16 digits)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Buyer"), choices=BuyerKind.choices)


class NikSearchForm(KopdesForm):
    nik = forms.CharField(
        label=_("Find by NIK"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class RevealForm(KopdesForm):
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=200)


class HetForm(KopdesForm):
    product = forms.ChoiceField(label=_("Subsidised product"), choices=Product.choices)
    effective_from = DateField(label=_("Effective from"))
    price = RupiahField(label=_("HET per cylinder or per kg (Rp)"))
    reference = forms.CharField(label=_("Decree (number and date)"), max_length=200)


class RuleForm(KopdesForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.LPG, Channel.LPG.label), (Channel.SPHP, Channel.SPHP.label)],
    )
    effective_from = DateField(label=_("Effective from"))
    limit = forms.CharField(
        label=_("Limit per NIK: cylinders (LPG) or kg (SPHP)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    period = forms.ChoiceField(label=_("Period"), choices=QuotaPeriod.choices)
    zone = forms.TypedChoiceField(
        label=_("SPHP HET zone"),
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self) -> dict:
        data = super().clean()
        raw = (data.get("limit") or "").strip().replace(",", ".")
        if raw:
            try:
                number = Decimal(raw)
            except InvalidOperation:
                self.add_error("limit", _("Write the limit as a number."))
                return data
            if data.get("channel") == Channel.SPHP:
                grams = number * GRAMS_PER_KG
                data["limit"] = int(grams) if grams == grams.to_integral_value() else 0
            else:
                data["limit"] = int(number) if number == number.to_integral_value() else 0
        return data


class SeasonForm(KopdesForm):
    code = forms.CharField(label=_("Season code (e.g. MT1-2026)"), max_length=20)
    start = DateField(label=_("First day"))
    end = DateField(label=_("Last day"))


class ImportForm(KopdesForm):
    file = forms.FileField(label=_("Filled-in RDKK list (.xlsx)"))


class DayForm(KopdesForm):
    tanggal = DateField(label=_("Date"))
