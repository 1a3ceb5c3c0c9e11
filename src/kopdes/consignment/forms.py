"""Forms: they carry input to the services, which check the business rules. Amounts are
read by the one rupiah parser (``store.forms.RupiahField``), a percentage by
``domain.rates.parse_percent_to_bp``, dates dd-mm-yyyy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.consignment.models import CommissionKind, Direction
from kopdes.domain.rates import RateInputError, parse_percent_to_bp
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm
from kopdes.store.forms import RupiahField


class PercentField(forms.CharField):
    """A percentage typed as people write it ("10", "12,5"); cleaned to basis points. Above
    100% passes to the service, which refuses it with the domain's message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = super().clean(value)
        try:
            return parse_percent_to_bp(text or "", maximum_bp=10**9)
        except RateInputError as exc:
            raise forms.ValidationError(exc.message, code="rate") from exc


class TermsForm(KopdesForm):
    item = forms.ChoiceField(label=_("Item"))
    consignor = forms.ChoiceField(label=_("Consignor (UMKM)"))
    kind = forms.ChoiceField(label=_("Commission"), choices=CommissionKind.choices)
    rate = PercentField(label=_("Commission in % of the sale"), required=False)
    margin = RupiahField(label=_("Fixed commission per base unit (Rp)"), required=False)
    consignor_price = RupiahField(label=_("Consignor's price per base unit (Rp)"), required=False)
    valid_from = DateField(label=_("Valid from"))

    def __init__(self, *args: Any, items, consignors, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(str(i.pk), i.name) for i in items]
        self.fields["consignor"].choices = [("", "—")] + [(str(s.pk), s.name) for s in consignors]


class MovementForm(KopdesForm):
    direction = forms.ChoiceField(label=_("Movement"), choices=Direction.choices)
    item = forms.ChoiceField(label=_("Item"))
    quantity = forms.CharField(
        label=_("Quantity (in the base unit)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    date = DateField(label=_("Date"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    idempotency_key = forms.CharField(max_length=150, widget=forms.HiddenInput)

    def __init__(self, *args: Any, items, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(str(i.pk), i.name) for i in items]


class PayoutForm(KopdesForm):
    amount = RupiahField(label=_("Amount paid to the consignor (Rp)"))
    idempotency_key = forms.CharField(max_length=150, widget=forms.HiddenInput)
    step = forms.ChoiceField(
        choices=[("check", "check"), ("post", "post"), ("edit", "edit")], initial="check"
    )
