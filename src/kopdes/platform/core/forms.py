"""The base of every form in kopdes: no field may carry a control character.

``KopdesForm`` (or ``TextGuardMixin`` before another form class, e.g. Django's
``AuthenticationForm``) checks the raw text of every field against ``domain.text``: control
characters, bidi overrides, lone surrogates and the noncharacters U+FFFE/U+FFFF are refused
with a clear message on the field; a textarea may hold line breaks and tabs. Nothing the
form's own cleaning said about that field is kept (a NUL inside an amount is reported as
the NUL, not as a badly written number), and ``clean_<field>`` results are dropped.

``tests/test_text_input.py`` walks every form class of the project and fails when one does
not inherit this, so a new form gets the rule by default.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext

from kopdes.domain.text import TextError, first_refused


def refused_message(error: TextError) -> str:
    """The officer's message for a refused character, in the active language."""
    return gettext(
        "Text may not contain control or invisible characters (%(codepoint)s); "
        "remove that character and try again."
    ) % {"codepoint": error.codepoint}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def refused_in(field: forms.Field, raw: Any) -> TextError | None:
    """The ``TextError`` for the first refused character of a field's raw input, or None."""
    multiline = is_multiline(field)
    for text in _strings(raw):
        found = first_refused(text, multiline=multiline)
        if found is not None:
            return TextError(found)
    return None


class TextGuardMixin:
    """Refuses control characters in every field's raw input (see the module docstring)."""

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            if field.disabled or isinstance(field, forms.FileField):
                continue
            error = refused_in(field, form[name].data)
            if error is None:
                continue
            form._errors.pop(name, None)
            form.cleaned_data.pop(name, None)
            form.add_error(
                name, forms.ValidationError(refused_message(error), code="control_character")
            )


class KopdesForm(TextGuardMixin, forms.Form):
    """The form every page uses."""
