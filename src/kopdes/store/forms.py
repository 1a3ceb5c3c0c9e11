"""Forms: they carry input to the services, which check the business rules. Amounts are
read by the one rupiah parser (``domain.money.parse_rupiah``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.platform.core.forms import KopdesForm
from kopdes.platform.tenancy.villages import VillageField
from kopdes.store.choices import BaseUnit, UnitKind


class RupiahField(forms.CharField):
    """An amount typed as people write it ("15.000", "Rp 2.500,50"); cleaned to sen. A
    negative amount passes to the service, which says so with the item's other problems."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_rupiah(text, allow_negative=True)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc), code="amount") from exc


class ItemForm(KopdesForm):
    name = forms.CharField(label=_("Item name"), max_length=120)
    barcode = forms.CharField(
        label=_("Barcode (scan it, or type the 13 or 8 digits)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "data-scan-field": ""}
        ),
    )
    business_unit = forms.ChoiceField(label=_("Sold by"))
    category = forms.CharField(
        label=_("Category"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"list": "categories", "autocomplete": "off"}),
    )
    base_unit = forms.ChoiceField(label=_("Counted in"), choices=BaseUnit.choices)
    units_per_pak = forms.CharField(
        label=_("Base units in one pak (empty: not sold by the pak)"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    units_per_dus = forms.CharField(
        label=_("Base units in one dus (empty: not sold by the dus)"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    member_price = RupiahField(label=_("Member price per base unit (Rp)"))
    public_price = RupiahField(label=_("Public price per base unit (Rp)"))
    min_stock = forms.CharField(
        label=_("Minimum stock (in the base unit)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    is_service = forms.BooleanField(label=_("This is a service, not goods"), required=False)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_unit"].choices = units

    def item_data(self) -> dict:
        return dict(self.cleaned_data)


class SupplierForm(KopdesForm):
    name = forms.CharField(label=_("Supplier name"), max_length=120)
    is_umkm = forms.BooleanField(label=_("An UMKM (village micro business)"), required=False)
    owner_name = forms.CharField(label=_("Owner"), max_length=120, required=False)
    region_code = VillageField(label=_("Village (desa/kelurahan)"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)


class EnableUnitForm(KopdesForm):
    kind = forms.ChoiceField(label=_("Business unit"), choices=UnitKind.choices)


class ImportForm(KopdesForm):
    file = forms.FileField(label=_("Filled-in catalog (.xlsx)"))


class RevealForm(KopdesForm):
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=200)
