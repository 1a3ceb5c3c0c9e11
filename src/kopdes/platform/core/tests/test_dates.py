"""Dates are shown and typed dd-mm-yyyy whatever the browser's language (a laptop set to
English showed mm/dd/yyyy in <input type="date">)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

import kopdes
from kopdes.platform.core.dates import DateField, DateInput, parse_date_input

SRC = Path(kopdes.__file__).parent


@pytest.mark.parametrize(
    "text",
    ["17-08-2026", "17/08/2026", "17.08.2026", "2026-08-17", " 17-08-2026 ", "17-8-2026"],
)
def test_parse_date_input_takes_day_first_and_iso(text):
    assert parse_date_input(text) == dt.date(2026, 8, 17)


@pytest.mark.parametrize(
    "text", ["", "08/17/2026", "31-02-2026", "17-13-2026", "hari ini", "2026-17-08", "17082026"]
)
def test_parse_date_input_refuses_anything_else(text):
    with pytest.raises(ValueError):
        parse_date_input(text)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_date_field_reads_dd_mm_yyyy_and_says_how_in_the_language(lang):
    field = DateField()
    with translation.override(lang):
        assert field.clean("05-01-2026") == dt.date(2026, 1, 5)
        assert field.clean("2026-01-05") == dt.date(2026, 1, 5)
        with pytest.raises(forms.ValidationError) as info:
            field.clean("01/31/2026")
        message = str(info.value.messages[0])
    assert ("hh-bb-tttt" if lang == "id" else "dd-mm-yyyy") in message


@pytest.mark.parametrize("lang", ["id", "en"])
def test_dates_are_displayed_dd_mm_yyyy_in_both_languages(lang):
    day = dt.date(2026, 8, 17)
    with translation.override(lang):
        assert date_format(day) == "17-08-2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "17-08-2026"
        assert Template("{{ d }}").render(Context({"d": day})) == "17-08-2026"


def test_the_widget_is_a_text_field_with_the_number_pad():
    html = DateInput().render("date", dt.date(2026, 8, 17), attrs={"id": "date"})
    assert 'type="text"' in html and 'value="17-08-2026"' in html
    assert 'inputmode="numeric"' in html and 'type="date"' not in html
    with translation.override("id"):
        assert 'placeholder="hh-bb-tttt"' in DateInput().render("d", None)


def test_date_input_tag_renders_the_shared_widget():
    html = Template('{% load web_tags %}{% date_input "start" value=d id="s" %}').render(
        Context({"d": dt.date(2026, 1, 2)})
    )
    assert 'name="start"' in html and 'id="s"' in html and 'value="02-01-2026"' in html
    # What the officer typed comes back unchanged after a refused form.
    html = Template('{% load web_tags %}{% date_input "start" value=v %}').render(
        Context({"v": "2-1-2026"})
    )
    assert 'value="2-1-2026"' in html


def _form_classes():
    for info in pkgutil.walk_packages([str(SRC)], prefix="kopdes."):
        if not info.name.endswith(".forms") or ".tests" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_date_field_of_every_form_is_the_shared_one():
    seen = 0
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField):
                seen += 1
                assert isinstance(field, DateField), f"{cls.__name__}.{name}"
                assert isinstance(field.widget, DateInput), f"{cls.__name__}.{name}"
    assert seen >= 5


def test_no_template_uses_the_browsers_date_picker():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("templates/**/*.html")
        if 'type="date"' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
