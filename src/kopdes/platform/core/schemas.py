"""The base of every API request body: no text field may carry a control character.

``InputSchema`` checks every ``str`` a request body holds (also inside lists, dicts and
nested schemas) against ``domain.text``; a refused character is a 422 answer
``{"code": "invalid", "message": "Data tidak valid: Teks tidak boleh ...", "field": ...}``
from ``api_errors`` and nothing is written. Fields named in ``multiline_fields`` may hold
line breaks and tabs. Response schemas stay plain ``ninja.Schema``: they show stored
rows as they are, and an old row must not turn a read into a 500.

``tests/test_text_input.py`` walks every schema of the API and fails when a request body
does not inherit ``InputSchema``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from ninja import Schema
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kopdes.domain.text import TextError, first_refused
from kopdes.platform.core.forms import refused_message


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


class InputSchema(Schema):
    """A request body (see the module docstring)."""

    multiline_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        multiline = info.field_name in cls.multiline_fields
        for text in _strings(value):
            found = first_refused(text, multiline=multiline)
            if found is not None:
                raise PydanticCustomError("control_character", refused_message(TextError(found)))
        return value
