"""Forms of the loan pages: one per POST a loan view handles, parsing only (the rules are
the services'). The field names are the pages' own (the templates stay hand-written).

Amounts are read by the one rupiah parser, ``domain.money.parse_rupiah``, through the
savings pages' ``AmountField`` (letters, full-width digits, more than 10^15 rupiah refused
with its Indonesian message); an optional amount left empty is 0. Dates are
``core.dates.DateField`` (dd-mm-yyyy; left empty: today, ``date_or_today``). A whole
number that is not one says "Write a whole number." A bad field writes nothing: the view
shows the messages and calls no service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.domain import rates
from kopdes.domain.money import MoneyError, parse_rupiah
from kopdes.loans.choices import DisbursementMethod, PaymentSource
from kopdes.members.models import Member
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm
from kopdes.platform.identity.models import User
from kopdes.savings.forms import AmountField

WHOLE_NUMBER = _("Write a whole number.")
TICKED = ("1", "on", "true", "yes")


def parse_error(text: str) -> str:
    """The rupiah parser's own message for ``text`` (empty: "Jumlah wajib diisi.")."""
    try:
        parse_rupiah(text, allow_zero=False)
    except MoneyError as exc:
        return exc.message
    return ""


class RequiredAmountField(AmountField):
    """An amount that must be written: left empty, the parser's own "Jumlah wajib diisi."."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": parse_error("")})
        super().__init__(**kwargs)


class OptionalAmountField(AmountField):
    """An amount that may be left empty (0) or be zero: fees, collateral, income."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        text = forms.CharField.clean(self, value)
        if not text:
            return 0
        try:
            return parse_rupiah(text)
        except MoneyError as exc:
            raise forms.ValidationError(exc.message, code="rupiah") from exc


class WholeNumberField(forms.IntegerField):
    default_error_messages = {"invalid": WHOLE_NUMBER}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": WHOLE_NUMBER})
        super().__init__(**kwargs)


class PercentBpField(forms.CharField):
    """A percentage typed "0,1" as basis points (10); empty is 0 (``domain.rates``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            return rates.parse_percent_to_bp(text)
        except rates.RateInputError as exc:
            raise forms.ValidationError(exc.message, code="percent") from None


class TickField(forms.CharField):
    """A checkbox posted as "1"/"on"/"true"/"yes": True when ticked."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> bool:
        return (super().clean(value) or "").strip().lower() in TICKED


def date_or_today(form: forms.Form, name: str = "date") -> dt.date:
    return form.cleaned_data.get(name) or timezone.localdate()


class KeyedForm(KopdesForm):
    """A write that is once per key (repayment, disbursement, recovery...): the page sends
    the key it was shown with; the service refuses a missing one."""

    idempotency_key = forms.CharField(required=False, max_length=150)
    step = forms.CharField(required=False, max_length=20)


class DatedForm(KopdesForm):
    date = DateField(label=_("Date"), required=False)


# --- products -----------------------------------------------------------------------------


class ProductForm(KopdesForm):
    """``services.create_product`` checks the choices, ranges and names itself."""

    code = forms.CharField(label=_("Code"), required=False, max_length=20)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    method = forms.CharField(label=_("Method"), required=False, max_length=20)
    rate_percent = forms.CharField(label=_("Rate"), required=False, max_length=20)
    rate_per = forms.CharField(required=False, max_length=10)
    rounding = forms.CharField(required=False, max_length=20)
    fee_mode = forms.CharField(required=False, max_length=20)
    penalty_per = forms.CharField(required=False, max_length=10)
    requirements = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    term_min = WholeNumberField(label=_("Shortest term (months)"), required=False)
    term_max = WholeNumberField(label=_("Longest term (months)"), required=False)
    penalty_grace_days = WholeNumberField(label=_("Penalty grace days"), required=False)
    savings_multiple = WholeNumberField(
        label=_("Plafond: times the member's savings (0 = no rule)"), required=False
    )
    admin_fee_percent = PercentBpField(label=_("Admin fee"))
    provisi_percent = PercentBpField(label=_("Provision (provisi)"))
    penalty_percent = PercentBpField(label=_("Penalty"))
    plafond_max = OptionalAmountField(label=_("Plafond cap (Rp, empty = none)"))

    def product_data(self) -> dict[str, Any]:
        """The service's ``data``: texts as typed, numbers as numbers, percents in bp."""
        data = dict(self.cleaned_data)
        for name in ("term_min", "term_max", "penalty_grace_days", "savings_multiple"):
            data[name] = data[name] or 0
        for name in ("admin_fee", "provisi", "penalty"):
            data[f"{name}_bp"] = data.pop(f"{name}_percent")
        return data


# --- applications (counter and portal) ----------------------------------------------------


class ProductChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("The loan product was not found.")}

    def __init__(self, queryset, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": _("The loan product was not found.")})
        super().__init__(queryset, **kwargs)

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError:  # a malformed id: the same as an unknown product
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class ApplicationForm(KeyedForm):
    """The counter's application (simulation first, ``step=apply`` records it)."""

    member = forms.CharField(label=_("Member number"), required=False, max_length=30)
    product = ProductChoiceField(queryset=None, label=_("Loan product"))
    principal = RequiredAmountField(label=_("Amount (Rp)"))
    term = WholeNumberField(label=_("Term (months)"), min_value=1, max_value=600)
    applied_on = DateField(label=_("Date"), required=False)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=200)
    declared_income = OptionalAmountField(label=_("Monthly income (Rp)"))
    declared_expense = OptionalAmountField(label=_("Monthly expenses (Rp)"))
    collateral_value = OptionalAmountField(label=_("Appraised value of the collateral (Rp)"))
    collateral_binding = forms.CharField(required=False, max_length=20)
    collateral_note = forms.CharField(required=False, max_length=300)
    guarantor_note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: Any, koperasi: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.koperasi = koperasi
        self.fields["product"].queryset = products

    def clean_member(self) -> Member:
        number = (self.cleaned_data.get("member") or "").strip()
        member = Member.objects.filter(koperasi=self.koperasi, number=number).first()
        if member is None:
            raise forms.ValidationError(_("No member with this number."), code="member")
        return member

    def clean_collateral_binding(self) -> str:
        return self.cleaned_data.get("collateral_binding") or "none"


class PortalApplicationForm(KeyedForm):
    """A member's own application on the portal (today, no collateral fields)."""

    product = ProductChoiceField(queryset=None, label=_("Loan product"))
    principal = RequiredAmountField(label=_("Principal (Rp)"))
    term = WholeNumberField(label=_("Term (months)"), min_value=1, max_value=600)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=200)

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


# --- disbursement, repayment, QRIS, recovery ----------------------------------------------


class DisbursementForm(KeyedForm, DatedForm):
    method = forms.ChoiceField(
        label=_("Method"), required=False, choices=DisbursementMethod.choices
    )

    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or DisbursementMethod.CASH


class RepaymentForm(KeyedForm, DatedForm):
    amount = RequiredAmountField(label=_("Amount (Rp)"))
    source = forms.ChoiceField(
        label=_("Paid from"),
        required=False,
        choices=[c for c in PaymentSource.choices if c[0] != PaymentSource.QRIS],
    )
    accelerated = TickField()

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or PaymentSource.CASH


class QrisForm(KeyedForm, DatedForm):
    """``amount`` empty: what is due (the view's default)."""

    amount = forms.CharField(label=_("Amount (Rp)"), required=False, max_length=40)
    received = forms.CharField(required=False, max_length=10)

    def clean_amount(self) -> int | None:
        text = (self.cleaned_data.get("amount") or "").strip()
        if not text:
            return None
        try:
            return parse_rupiah(text)
        except MoneyError as exc:
            raise forms.ValidationError(exc.message, code="rupiah") from exc


class RecoveryForm(KeyedForm, DatedForm):
    amount = RequiredAmountField(label=_("Amount (Rp)"))


# --- corrections, restructuring, write-off ------------------------------------------------


class ReversalRequestForm(KeyedForm, DatedForm):
    """The service refuses an empty reason with its own message."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class RestructureForm(KopdesForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
    term = WholeNumberField(label=_("New term (months)"))
    rate_percent = forms.CharField(label=_("Rate"), required=False, max_length=20)
    start_date = DateField(label=_("New schedule starts"), required=False)
    grace_periods = WholeNumberField(
        label=_("Grace months (interest only)"), required=False, min_value=0
    )
    capitalised_interest = OptionalAmountField(
        label=_("Interest in arrears added to the principal (Rp)")
    )

    def clean_rate_percent(self) -> str:
        # The service reads the rate (exact Decimal) and says what is wrong with it.
        return (self.cleaned_data.get("rate_percent") or "").strip() or "x"

    def clean_grace_periods(self) -> int:
        return self.cleaned_data.get("grace_periods") or 0


class WriteOffForm(KopdesForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


# --- daily job, relatives, bank loan ------------------------------------------------------


class DailyRunForm(DatedForm):
    pass


class RelationshipForm(KopdesForm):
    member = forms.CharField(label=_("Member number"), required=False, max_length=30)
    username = forms.CharField(label=_("Officer"), required=False, max_length=150)
    relation = forms.CharField(label=_("Relation"), required=False, max_length=40)

    def __init__(self, *args: Any, koperasi: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.koperasi = koperasi

    def clean_member(self) -> Member:
        number = (self.cleaned_data.get("member") or "").strip()
        member = Member.objects.filter(koperasi=self.koperasi, number=number).first()
        if member is None:
            raise forms.ValidationError(_("No member with this number."), code="member")
        return member

    def clean_username(self) -> User:
        user = User.objects.filter(username=(self.cleaned_data.get("username") or "")).first()
        if user is None:
            raise forms.ValidationError(_("This officer was not found."), code="user")
        return user


class BankLoanForm(KopdesForm):
    lender = forms.CharField(label=_("Lender"), required=False, max_length=100)
    reference = forms.CharField(label=_("Contract number"), required=False, max_length=60)
    plafond = RequiredAmountField(label=_("Plafond (Rp)"))
    rate_percent = forms.CharField(label=_("Rate"), required=False, max_length=20)
    term = WholeNumberField(label=_("Term (months)"))
    grace_periods = WholeNumberField(label=_("Grace months"), required=False, min_value=0)
    start_date = DateField(label=_("Contract date"), required=False)

    def clean_rate_percent(self) -> str:
        return (self.cleaned_data.get("rate_percent") or "").strip() or "x"

    def clean_grace_periods(self) -> int:
        return self.cleaned_data.get("grace_periods") or 0


class BankMovementForm(KeyedForm, DatedForm):
    """``action=drawdown`` takes ``amount``; an installment payment ``principal`` and
    ``interest`` (either may be empty)."""

    action = forms.CharField(required=False, max_length=20)
    amount = OptionalAmountField(label=_("Amount (Rp)"))
    principal = OptionalAmountField(label=_("Principal (Rp)"))
    interest = OptionalAmountField(label=_("Interest (Rp)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        typed = (self.data.get("amount") or "").strip()
        if data.get("action") == "drawdown" and "amount" in data and not typed:
            self.add_error("amount", parse_error(""))
        return data


def error_messages(form: forms.Form) -> list[str]:
    """Each error of ``form`` as one line for the page: "<label>: <message>" for a field
    with a label, the message alone otherwise."""
    lines = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        for message in errors:
            lines.append(f"{label}: {message}" if label else str(message))
    return lines
