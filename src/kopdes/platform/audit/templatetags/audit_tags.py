"""Template helpers for the audit pages."""

from __future__ import annotations

import json

from django import template

from kopdes.platform.audit.activity import describe_action

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """The plain-language name of an action code (the code itself when unnamed)."""
    return describe_action(code)


@register.filter
def role_names(value: str) -> str:
    """ "bendahara,kasir" -> "Bendahara, Kasir": the roles by their names."""
    from kopdes.platform.identity.choices import Role

    names = []
    for code in str(value or "").split(","):
        code = code.strip()
        if code:
            names.append(str(Role(code).label) if code in Role.values else code)
    return ", ".join(names)


@register.filter
def summary_items(summary) -> list[tuple[str, str]]:
    """A summary dict as (key, readable value) pairs for a short listing."""
    if not isinstance(summary, dict):
        return [("", str(summary))]
    items = []
    for key, value in summary.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        items.append((key, text if len(text) <= 120 else text[:117] + "…"))
    return items


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@register.filter
def chunked(value: str, size: int = 16) -> str:
    """A long hash in groups so it wraps on a phone ("8021bebb… 1234…")."""
    text = str(value or "")
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
