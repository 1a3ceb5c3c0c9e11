"""Picking a village (desa/kelurahan) by its name instead of its Kemendagri code.

People type "Sukamaju, Megamendung"; the browser offers matching villages from the
official list (``village_search``, a ``<datalist>`` filled as they type) and the form reads
the choice back to the ten-digit code the rest of kopdes stores. A typed code
("32.01.26.2001") still works. Many villages share a name, so a name alone that matches
several is refused with the candidates listed, never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from lokal import wilayah

from kopdes.domain.regions import normalize_region_code
from kopdes.platform.core.regions import Region, UnknownRegionError, lookup_region

CODE_RE = re.compile(r"(?<![0-9.])([0-9]{2}\.?[0-9]{2}\.?[0-9]{2}\.?[0-9]{4})(?![0-9])", re.ASCII)
MIN_QUERY = 3
SUGGESTIONS = 15
# Words people add that the official names do not carry.
_NOISE = re.compile(
    r"^(?:desa|kelurahan|kel\.?|kec\.?|kecamatan|kab\.?|kabupaten|kota|provinsi|prov\.?)\s+",
    re.IGNORECASE,
)


class VillageNotFoundError(ValueError):
    """The text names no village, or several. ``message`` is Bahasa Indonesia."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def village_label(region: Region) -> str:
    """'Sukamaju, Megamendung, Kabupaten Bogor, Jawa Barat (32.01.26.2001)'."""
    return f"{region.label} ({region.code})"


def _clean(part: str) -> str:
    return _NOISE.sub("", part.strip()).strip().casefold()


def _regions(found: list) -> list[Region]:
    return [lookup_region(w.code) for w in found if w.level == 4]


def search_villages(text: str, limit: int = SUGGESTIONS) -> list[Region]:
    """Villages whose name starts like the first part of ``text`` and whose kecamatan,
    kabupaten or province contain the other parts ("sukamaju, megamendung")."""
    parts = [_clean(p) for p in (text or "").split(",")]
    parts = [p for p in parts if p]
    if not parts or len(parts[0]) < MIN_QUERY:
        return []
    found = _regions(wilayah.search_wilayah(parts[0], level=4, limit=400))
    rest = parts[1:]
    out = [r for r in found if all(p in r.label.casefold() for p in rest)]
    # Exact names first (Sukamaju before Sukamajulor), then by region code.
    out.sort(key=lambda r: (r.desa.casefold() != parts[0], r.code))
    return out[:limit]


def resolve_village(text: str) -> str:
    """The ten-digit code of the village ``text`` names (a label from the list, a code, or
    "name, kecamatan"); ``VillageNotFoundError`` when it names none or several."""
    text = (text or "").strip()
    match = CODE_RE.search(text)
    if match or (text and not any(ch.isalpha() for ch in text)):
        # A code typed by hand, or the code at the end of a label from the list.
        try:
            return lookup_region(normalize_region_code(match.group(1) if match else text)).code
        except (UnknownRegionError, ValueError) as exc:
            raise VillageNotFoundError(str(exc)) from exc
    parts = [_clean(p) for p in text.split(",") if _clean(p)]
    if not parts:
        raise VillageNotFoundError(_("Type the name of the village and choose it from the list."))
    candidates = search_villages(text, limit=400)
    exact = [r for r in candidates if r.desa.casefold() == parts[0]]
    if len(exact) == 1:
        return exact[0].code
    if not exact:
        hint = "; ".join(r.label for r in candidates[:5])
        message = _("No village named %(name)s was found in the official list.") % {"name": text}
        if hint:
            message += " " + _("Did you mean: %(list)s?") % {"list": hint}
        raise VillageNotFoundError(message)
    listed = "; ".join(r.label for r in exact[:5])
    raise VillageNotFoundError(
        _(
            "%(count)s villages are called %(name)s. Add the kecamatan after a comma, "
            "for example: %(example)s. Some of them: %(list)s."
        )
        % {
            "count": len(exact),
            "name": exact[0].desa,
            "example": f"{exact[0].desa}, {exact[0].kecamatan}",
            "list": listed,
        }
    )


class VillageInput(forms.TextInput):
    """A text box with a datalist the browser fills from ``village_search`` as one types."""

    template_name = "tenancy/widgets/village.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "autocomplete": "off",
            "hx-get": reverse_lazy("village-search"),
            "hx-trigger": "input changed delay:300ms",
            "hx-swap": "innerHTML",
        }
        super().__init__({**base, **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        options_id = f"{widget_id}-villages"
        context["widget"]["attrs"].update({"list": options_id, "hx-target": f"#{options_id}"})
        context["widget"]["options_id"] = options_id
        return context

    def format_value(self, value: Any) -> str | None:
        """A stored code is shown as the village's name (with the code after it)."""
        text = super().format_value(value)
        if text and CODE_RE.fullmatch(text.strip()):
            try:
                return village_label(lookup_region(normalize_region_code(text)))
            except (UnknownRegionError, ValueError):
                return text
        return text


class VillageField(forms.CharField):
    """A village picked by name; ``cleaned_data`` holds its code ("32.01.26.2001")."""

    widget = VillageInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                'Type the name of the village, e.g. "Sukamaju, Megamendung", and choose it '
                "from the list."
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return resolve_village(text)
        except VillageNotFoundError as exc:
            raise forms.ValidationError(exc.message, code="village") from exc


@require_GET
@login_required
def village_search(request: HttpRequest) -> HttpResponse:
    """``<option>``s for the datalist: villages matching the text typed (htmx sends it
    under the field's own name, so any parameter is read), at most ``SUGGESTIONS``."""
    q = next((v for v in request.GET.values() if v.strip()), "")
    regions = search_villages(q[:200])
    return render(
        request,
        "tenancy/partials/_village_options.html",
        {"options": [village_label(r) for r in regions]},
    )
