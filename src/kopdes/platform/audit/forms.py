"""The filter form of the audit log page (GET parameters)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.platform.audit.activity import describe_action
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm


class EventFilterForm(KopdesForm):
    action = forms.ChoiceField(label=_("Activity"), required=False)
    actor = forms.CharField(label=_("By (name)"), required=False, max_length=150)
    date_from = DateField(label=_("From date"), required=False)
    date_to = DateField(label=_("Until date"), required=False)
    obj = forms.CharField(label=_("Object (type or number)"), required=False, max_length=80)

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All activities"))] + [
            (code, describe_action(code)) for code in actions
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
