"""Dates as people here write them: dd-mm-yyyy, whatever the browser's language.

A ``<input type="date">`` shows and takes the date in the phone's or laptop's own locale
(mm/dd/yyyy on a laptop set to English), so every date field is a plain text field:

- ``DateField`` (a form field) and ``DateInput`` (its widget) for Django forms;
- ``parse_date_input(text)`` for views that read ``request.POST`` by hand;
- ``{% date_input "date" value=today id="date" %}`` (``web_tags``) for hand-written forms.

Accepted: ``17-08-2026``, ``17/08/2026``, ``17.08.2026`` and the ISO ``2026-08-17`` (what
older pages, bookmarks and the API send). Shown: ``17-08-2026`` (``DATE_FORMAT`` in the
``id`` and ``en`` format modules under ``config/formats``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

DISPLAY_FORMAT = "%d-%m-%Y"
INPUT_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")
INVALID_MESSAGE = _("Write the date as dd-mm-yyyy, for example 17-08-2026.")


def parse_date_input(text: str) -> dt.date:
    """The date written in ``text`` (see ``INPUT_FORMATS``); ``ValueError`` otherwise."""
    value = (text or "").strip()
    for fmt in INPUT_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def format_date_input(value: dt.date | str | None) -> str:
    """``dd-mm-yyyy`` for a date; a string (what was typed) is shown back unchanged."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime(DISPLAY_FORMAT)
    return str(value)


def date_attrs() -> dict[str, str]:
    """The attributes every date field carries (a phone shows the number pad)."""
    return {
        "inputmode": "numeric",
        "autocomplete": "off",
        "placeholder": str(_("dd-mm-yyyy")),
        "data-date-input": "",
        "maxlength": "10",
    }


class DateInput(forms.DateInput):
    """A text field showing ``dd-mm-yyyy`` (never the browser's own date picker)."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None, format: str | None = None) -> None:
        super().__init__(attrs={**date_attrs(), **(attrs or {})}, format=format or DISPLAY_FORMAT)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The placeholder follows the language of the request, not of the import.
        context["widget"]["attrs"]["placeholder"] = str(_("dd-mm-yyyy"))
        return context


class DateField(forms.DateField):
    """A date typed dd-mm-yyyy (ISO yyyy-mm-dd accepted too), with a clear message."""

    widget = DateInput
    input_formats = list(INPUT_FORMATS)
    default_error_messages = {"invalid": INVALID_MESSAGE}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("input_formats", list(INPUT_FORMATS))
        super().__init__(**kwargs)
