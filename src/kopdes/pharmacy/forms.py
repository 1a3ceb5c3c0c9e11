"""Forms: they carry input to the services, which check the business rules. Amounts are
read by the one rupiah parser (``store.forms.RupiahField``), dates dd-mm-yyyy."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.domain import batches as fefo
from kopdes.pharmacy.choices import DosageForm, DrugClass
from kopdes.platform.core.dates import DateField, parse_date_input
from kopdes.platform.core.forms import KopdesForm
from kopdes.store.forms import RupiahField

_MONTH = re.compile(r"\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*")


class ExpiryField(forms.CharField):
    """An expiry as the pack prints it: a day (dd-mm-yyyy) or a month ("12-2026", "ED
    12/2026": its last day, ``domain.batches.expiry_from_label``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        text = re.sub(r"^\s*(ED|EXP)\s*[:.]?\s*", "", text, flags=re.IGNORECASE)
        month = _MONTH.fullmatch(text)
        try:
            if month:
                return fefo.expiry_from_label(int(month.group(1)), int(month.group(2)))
            return parse_date_input(text)
        except fefo.BatchError as exc:
            raise forms.ValidationError(exc.message, code="expiry") from exc
        except ValueError as exc:
            raise forms.ValidationError(
                _("Write the expiry as dd-mm-yyyy or mm-yyyy, for example 31-12-2026 or 12-2026."),
                code="expiry",
            ) from exc


class PharmacistForm(KopdesForm):
    name = forms.CharField(label=_("Pharmacist's name (with her title)"), max_length=120)
    sipa_number = forms.CharField(label=_("SIPA number (practice licence)"), max_length=64)
    sipa_expires_on = DateField(label=_("SIPA valid until"))
    stra_number = forms.CharField(label=_("STRA number (optional)"), max_length=64, required=False)
    started_on = DateField(label=_("Responsible from (empty: today)"), required=False)


class DrugInfoForm(KopdesForm):
    drug_class = forms.ChoiceField(label=_("Drug class"), choices=DrugClass.choices)
    dosage_form = forms.ChoiceField(label=_("Dosage form"), choices=DosageForm.choices)
    strength = forms.CharField(
        label=_("Strength (e.g. 500 mg, 125 mg/5 ml)"), max_length=40, required=False
    )
    nie = forms.CharField(
        label=_("BPOM registration (NIE, optional)"), max_length=20, required=False
    )


class ReceiveForm(KopdesForm):
    item = forms.ChoiceField(label=_("Drug"))
    batch_number = forms.CharField(label=_("Batch number"), max_length=40)
    expires_on = ExpiryField(label=_("Expiry date (dd-mm-yyyy, or mm-yyyy as on the pack)"))
    quantity = forms.CharField(
        label=_("Quantity (in the item's base unit)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    cost = RupiahField(label=_("Total cost (Rp)"))
    supplier = forms.ChoiceField(label=_("Supplier (PBF)"), required=False)
    on_credit = forms.BooleanField(label=_("On credit (owed to the supplier)"), required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, items=(), suppliers=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "---------"), *items]
        self.fields["supplier"].choices = [("", _("no supplier")), *suppliers]


class MonthForm(KopdesForm):
    bulan = forms.CharField(label=_("Month (mm-yyyy)"), max_length=7)

    def clean_bulan(self) -> tuple[int, int]:
        month = _MONTH.fullmatch(self.cleaned_data["bulan"])
        if not month or not 1 <= int(month.group(1)) <= 12 or int(month.group(2)) < 2000:
            raise forms.ValidationError(_("Write the month as mm-yyyy, for example 11-2026."))
        return int(month.group(2)), int(month.group(1))


class DaysForm(KopdesForm):
    hari = forms.IntegerField(label=_("Expiring within (days)"), min_value=1, max_value=730)
