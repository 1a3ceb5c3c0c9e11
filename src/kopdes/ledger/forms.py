"""Forms of the bookkeeping pages. They parse and check input; services decide."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.ledger import LineDraft, Side
from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.ledger.models import Account
from kopdes.ledger.reports import unit_choices
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm

MIN_LINES = 2
START_LINES = 4
MAX_FORM_LINES = 40


def _amount(value: str) -> int:
    value = (value or "").strip()
    if not value:
        return 0
    try:
        return parse_rupiah(value)
    except MoneyError as exc:
        raise forms.ValidationError(exc.message) from exc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class EntryForm(KopdesForm):
    """The head of a manual journal entry."""

    date = DateField(
        label=gettext_lazy("Date"),
    )
    memo = forms.CharField(label=gettext_lazy("Description"), max_length=500)
    business_unit = forms.ChoiceField(label=gettext_lazy("Business unit"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, koperasi, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_unit"].choices = [("", _("(none)")), *unit_choices(koperasi)]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            # Generated once, when the form is first shown: a double click or the back
            # button sends the same key again and the journal posts once.
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class LineForm(KopdesForm):
    """One line: an account and an amount on the debit or on the credit side."""

    account = forms.ModelChoiceField(
        label=gettext_lazy("Account"),
        queryset=Account.objects.none(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose an account of this koperasi.")},
    )
    debit = forms.CharField(label=gettext_lazy("Debit (Rp)"), required=False, max_length=40)
    credit = forms.CharField(label=gettext_lazy("Credit (Rp)"), required=False, max_length=40)
    memo = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts

    def clean_debit(self) -> int:
        return _amount(self.cleaned_data.get("debit", ""))

    def clean_credit(self) -> int:
        return _amount(self.cleaned_data.get("credit", ""))

    def clean(self):
        data = super().clean()
        account, debit, credit = data.get("account"), data.get("debit"), data.get("credit")
        if self.errors:
            return data
        if account is None and not debit and not credit:
            data["empty"] = True
            return data
        if account is None:
            raise forms.ValidationError(_("Choose the account of this line."))
        if debit and credit:
            raise forms.ValidationError(_("Fill in either debit or credit, not both."))
        if not debit and not credit:
            raise forms.ValidationError(_("Fill in an amount greater than zero."))
        return data

    def draft(self) -> LineDraft | None:
        data = getattr(self, "cleaned_data", {})
        # An untouched extra row is not cleaned at all (empty_permitted): no keys.
        if not data or data.get("empty") or data.get("account") is None:
            return None
        side = Side.DEBIT if data["debit"] else Side.CREDIT
        return LineDraft(
            account=data["account"].code,
            side=side,
            amount=data["debit"] or data["credit"],
            memo=data.get("memo", "").strip(),
        )


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        drafts = [d for d in (f.draft() for f in self.forms) if d is not None]
        if len(drafts) < MIN_LINES:
            raise forms.ValidationError(_("A journal entry needs at least two lines."))

    def drafts(self) -> list[LineDraft]:
        return [d for d in (f.draft() for f in self.forms) if d is not None]


LineFormSet = formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    max_num=MAX_FORM_LINES,
    absolute_max=MAX_FORM_LINES,
    validate_max=True,
)


def postable_accounts(koperasi):
    """Accounts a manual entry may use: open, and not sub-ledger control accounts (their
    lines come from the savings, loans and stock modules)."""
    return Account.objects.filter(koperasi=koperasi, is_active=True, subledger_kind="").order_by(
        "code"
    )


def line_formset(koperasi, data=None, *, count: int = START_LINES):
    accounts = postable_accounts(koperasi)
    if data is None:
        return LineFormSet(
            prefix="lines",
            initial=[{}] * count,
            form_kwargs={"accounts": accounts},
        )
    return LineFormSet(data, prefix="lines", form_kwargs={"accounts": accounts})


class AttachmentForm(KopdesForm):
    files = MultipleFileField(label=gettext_lazy("Receipts (photo or PDF, at most 5 MB each)"))


class ReversalForm(KopdesForm):
    reason = forms.CharField(label=gettext_lazy("Reason for the reversal"), max_length=500)
    date = DateField(
        label=gettext_lazy("Reversal date"),
        required=False,
        help_text=gettext_lazy("Empty: the date of the original entry."),
    )


class PeriodForm(KopdesForm):
    month = forms.CharField(
        label=gettext_lazy("Month"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500)

    def clean_month(self) -> tuple[int, int]:
        value = self.cleaned_data["month"].strip()
        try:
            year, month = (int(x) for x in value.split("-"))
            dt.date(year, month, 1)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(_("Choose a month, for example 2026-03.")) from exc
        return year, month


class AccountForm(KopdesForm):
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Parent account"),
        queryset=Account.objects.none(),
        error_messages={"invalid_choice": gettext_lazy("Choose an account of this koperasi.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=20, help_text=gettext_lazy("For example 1-1100.01")
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    business_unit = forms.ChoiceField(label=gettext_lazy("Business unit"), required=False)

    def __init__(self, *args, koperasi, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Account.objects.filter(koperasi=koperasi).order_by("code")
        self.fields["business_unit"].choices = [("", _("(as the parent)")), *unit_choices(koperasi)]


class OpeningForm(KopdesForm):
    date = DateField(
        label=gettext_lazy("Date of the opening balances"),
        help_text=gettext_lazy("Usually the last day before the koperasi starts using kopdes."),
    )
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
