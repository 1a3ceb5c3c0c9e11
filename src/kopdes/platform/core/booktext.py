"""Text written into the books (journal and passbook memos) in the koperasi's language.

A memo is read for years by every officer, the member in her portal, the pengawas and the
auditor, so it is written in the koperasi's language, never in the language the officer who
happened to record it chose for her pages ("withdrawal 0001-S" reached a member's portal).
Services pass an English source string marked with ``gettext_lazy`` (so it is in the
catalogue) and its parameters; ``book_text`` translates both inside
``translation.override(books_language(koperasi))``.

The koperasi has no language setting of its own: its language is the site's
``LANGUAGE_CODE`` (Bahasa Indonesia).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation


def books_language(koperasi: Any = None) -> str:
    """The language memos of ``koperasi`` are written in (the site's ``LANGUAGE_CODE``)."""
    return settings.LANGUAGE_CODE


def book_text(koperasi: Any, message: Any, /, **params: Any) -> str:
    """``message % params`` in the koperasi's language, whatever language is active.

    ``message`` and any lazy parameter (a choice label, another lazy string) are turned
    into text inside the override, so they come out in the books' language too.
    """
    with translation.override(books_language(koperasi)):
        text = str(message)
        if params:
            text = text % {name: _plain(value) for name, value in params.items()}
    return text


def _plain(value: Any) -> Any:
    # Numbers keep their type for %d / %s; lazy strings and labels become text here.
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)
