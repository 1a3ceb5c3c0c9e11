"""Forms of the savings pages. Amounts are typed in Indonesian notation ("1.500.000") and
read by ``domain.money.parse_rupiah``: letters, full-width digits and more than 10^15
rupiah are refused with its Indonesian message."""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm
from kopdes.savings.choices import MaturityAction, SavingsKind


def _kind_label(account) -> str:
    # The kind's own label: get_kind_display() translates every kind's label to find one.
    return str(SavingsKind(account.kind).label)


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Amount (Rp)"))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value) -> int:
        value = super().clean(value)
        try:
            return parse_rupiah(value, allow_zero=False)
        except MoneyError as exc:
            raise forms.ValidationError(exc.message) from exc


class KeyedForm(KopdesForm):
    """A money form: the idempotency key is made when the form is first shown."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class FindMemberForm(KopdesForm):
    q = forms.CharField(
        label=_("Member number or card code"),
        max_length=500,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class CounterForm(KeyedForm):
    """A money form with the cash or bank account the money crosses the counter through
    (``selectors.counter_accounts``: Kas first, the default when nothing is chosen).

    ``counters``: the ``[(code, name)]`` list, or a function returning it
    (``selectors.lazy_counter_accounts``), called only when the choices are shown or a
    chosen code is checked: a posted form that keeps Kas reads no accounts.
    """

    counter_account = forms.ChoiceField(label=_("Cash or bank"), required=False)

    def __init__(self, *args, counters=(), **kwargs):
        super().__init__(*args, **kwargs)
        if callable(counters):
            self._counters = counters
        else:
            listed = list(counters)
            self._counters = lambda: listed
        # A callable: Django's ChoiceField calls it when it needs the choices.
        self.fields["counter_account"].choices = self._counter_choices

    def _counter_choices(self) -> list[tuple[str, str]]:
        return [(code, f"{code} · {name}") for code, name in self._counters()]

    @functools.cached_property
    def counters(self) -> dict[str, str]:
        return dict(self._counters())


class TellerForm(CounterForm):
    account = forms.ChoiceField(label=_("Account"))
    amount = AmountField()
    memo = forms.CharField(label=_("Note"), max_length=200, required=False)
    field_order = ["idempotency_key", "account", "amount", "counter_account", "memo"]

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(a.pk): a for a in accounts}
        self.fields["account"].choices = [
            (str(a.pk), f"{a.number} · {_kind_label(a)}") for a in accounts
        ]

    def clean_account(self):
        return self.accounts[self.cleaned_data["account"]]


class TransferForm(KeyedForm):
    source = forms.ChoiceField(label=_("From"))
    target = forms.ChoiceField(label=_("To"))
    amount = AmountField()

    def __init__(self, *args, sources=(), targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(a.pk): a for a in [*sources, *targets]}
        self.fields["source"].choices = [(str(a.pk), a.number) for a in sources]
        self.fields["target"].choices = [
            (str(a.pk), f"{a.number} · {_kind_label(a)}") for a in targets
        ]

    def clean_source(self):
        return self.accounts[self.cleaned_data["source"]]

    def clean_target(self):
        return self.accounts[self.cleaned_data["target"]]


class TermForm(CounterForm):
    amount = AmountField()
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=120)
    on_maturity = forms.ChoiceField(label=_("At maturity"), choices=MaturityAction.choices)


class StatementForm(KopdesForm):
    date_from = DateField(label=_("From"))
    date_to = DateField(label=_("To"))

    @staticmethod
    def default_range() -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        return today.replace(day=1), today


class MonthForm(KopdesForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class OpeningUploadForm(KopdesForm):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    date = DateField(label=_("Opening date"))


class CorrectionForm(KeyedForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
