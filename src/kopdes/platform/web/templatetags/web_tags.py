"""Template helpers of the shell: ``{% date_input %}`` for hand-written forms."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from kopdes.platform.core.dates import DateInput

register = template.Library()


@register.simple_tag
def date_input(name: str, value=None, id: str = "", required: bool = False) -> SafeString:
    """A dd-mm-yyyy text field (``platform.core.dates.DateInput``) named ``name``."""
    attrs: dict = {"id": id or name}
    if required:
        attrs["required"] = True
    return DateInput().render(name, value, attrs=attrs)
